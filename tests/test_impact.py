"""Client impact on opportunities and the impact-weighted pipeline."""

import logging
import xmlrpc.client
from statistics import median

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval
from odoo.tools.sql import column_exists, drop_view_if_exists

from odoo.addons.client_value import hooks
from odoo.addons.client_value.models.crm_lead_impact import CrmLead

from .common import ClientValueCase
from .compat import add_group, read_group_for_columns

PIPELINE_ACTION = "client_value.crm_lead_action_impact_pipeline"
REQUIRE_PARAM = "client_value.require_impact_assessment"
THRESHOLD_PARAM = "client_value.small_deal_threshold"


@tagged("post_install", "-at_install", "client_value")
class TestImpactComputes(ClientValueCase):
    def test_score_follows_level_monotonic_within_bounds(self):
        lead = self.opportunity("Score ladder")
        self.assertEqual(lead.impact_level, "0")
        scores = []
        for level in ("0", "1", "2", "3", "4"):
            lead.impact_level = level
            scores.append(lead.impact_score)
        self.assertEqual(scores, [0, 25, 50, 75, 100])
        self.assertEqual(scores, sorted(scores))
        self.assertTrue(all(0 <= score <= 100 for score in scores))

    def test_weighted_impact_follows_probability_win_and_loss(self):
        lead = self.opportunity("Oven replacement", impact_level="3", probability=40)
        self.assertEqual(lead.impact_score, 75)
        self.assertAlmostEqual(lead.weighted_impact, 30.0)

        lead.probability = 80
        self.assertAlmostEqual(lead.weighted_impact, 60.0)

        lead.impact_level = "4"
        self.assertAlmostEqual(lead.weighted_impact, 80.0)

        lead.action_set_won()
        self.assertTrue(lead.stage_id.is_won)
        self.assertEqual(lead.probability, 100)
        self.assertAlmostEqual(lead.weighted_impact, 100.0)

        lost = self.opportunity("Bread slicer", impact_level="2", probability=60)
        self.assertAlmostEqual(lost.weighted_impact, 30.0)
        lost.action_set_lost()
        self.assertFalse(lost.active)
        self.assertEqual(lost.probability, 0)
        self.assertEqual(lost.weighted_impact, 0.0)
        self.assertEqual(lost.impact_score, 50)

    def test_writing_a_won_stage_sets_full_weighted_impact(self):
        lead = self.opportunity("Cold room", impact_level="2", probability=10)
        lead.write({"stage_id": self.stage_won.id})
        self.assertEqual(lead.probability, 100)
        self.assertAlmostEqual(lead.weighted_impact, 50.0)

    def test_stored_values_match_database(self):
        lead = self.opportunity("Delivery van", impact_level="1", probability=65.5)
        self.env.flush_all()
        [(score, weighted)] = self.env.execute_query(
            SQL(
                "SELECT impact_score, weighted_impact FROM crm_lead WHERE id = %s",
                lead.id,
            )
        )
        self.assertEqual(score, 25)
        self.assertAlmostEqual(weighted, 25 * 65.5 / 100)

    def test_read_group_sums_weighted_impact(self):
        leads = (
            self.opportunity("A", impact_level="4", probability=30)
            | self.opportunity("B", impact_level="2", probability=90)
            | self.opportunity("C", impact_level="1", probability=10)
            | self.opportunity(
                "D", impact_level="3", probability=50, user_id=self.other_salesman.id
            )
        )
        groups = self.env["crm.lead"].read_group(
            [("id", "in", leads.ids)],
            ["weighted_impact:sum"],
            ["user_id"],
        )
        sums = {group["user_id"][0]: group["weighted_impact"] for group in groups}
        for user in (self.salesman, self.other_salesman):
            expected = sum(
                lead.impact_score * lead.probability / 100
                for lead in leads
                if lead.user_id == user
            )
            self.assertAlmostEqual(sums[user.id], expected)
        self.assertAlmostEqual(sums[self.salesman.id], 30 + 45 + 2.5)


@tagged("post_install", "-at_install", "client_value")
class TestImpactInstall(ClientValueCase):
    """Installing on many leads fills the columns in SQL, not per record."""

    def _drop(self, *columns):
        self.env.flush_all()
        # The care index view reads impact_score (rolled back with the test).
        drop_view_if_exists(self.env.cr, "client_value_care_report")
        for column in columns:
            self.env.cr.execute(
                SQL("ALTER TABLE crm_lead DROP COLUMN %s", SQL.identifier(column))
            )
        self.env.invalidate_all()

    def _init_crm_lead(self):
        """Run the install steps for crm.lead, the module's pre-install hook
        then the schema step, and return the fields the ORM scheduled for a
        per-record computation."""
        # logging.INFO, not "INFO": Odoo renames level 25 to "INFO".
        with self.assertLogs("odoo.models", level=logging.INFO) as logs:
            logging.getLogger("odoo.models").info("schema update starts")
            hooks._fill_leads(self.env.cr)
            self.env.registry.init_models(
                self.env.cr, ["crm.lead"], {"module": "client_value"}, install=False
            )
        self.env.invalidate_all()
        return [
            line for line in logs.output if "Prepare computation of crm.lead" in line
        ]

    def test_pre_init_fills_score_columns_with_sql(self):
        leads = (
            self.opportunity("L1", impact_level="1", probability=20)
            | self.opportunity("L3", impact_level="3", probability=65.5)
            | self.opportunity("L4", impact_level="4", probability=100)
        )
        self._drop("impact_score", "weighted_impact")
        self.assertEqual(self._init_crm_lead(), [])
        for fname in ("impact_score", "weighted_impact"):
            self.assertTrue(column_exists(self.env.cr, "crm_lead", fname))
        rows = {
            row[0]: row[1:]
            for row in self.env.execute_query(
                SQL(
                    "SELECT id, impact_score, weighted_impact FROM crm_lead "
                    "WHERE id = ANY(%s)",
                    leads.ids,
                )
            )
        }
        self.assertEqual(rows[leads[0].id], (25, 25 * 20 / 100))
        self.assertEqual(rows[leads[1].id][0], 75)
        self.assertAlmostEqual(rows[leads[1].id][1], 75 * 65.5 / 100)
        self.assertEqual(rows[leads[2].id], (100, 100.0))
        # Every lead of the table got its values, and the ORM agrees.
        [(nulls,)] = self.env.execute_query(
            SQL(
                "SELECT COUNT(*) FROM crm_lead "
                "WHERE impact_score IS NULL OR weighted_impact IS NULL"
            )
        )
        self.assertEqual(nulls, 0)
        everything = self.env["crm.lead"].with_context(active_test=False).search([])
        for lead in everything:
            score = 25 * int(lead.impact_level)
            self.assertEqual(lead.impact_score, score)
            self.assertAlmostEqual(lead.weighted_impact, score * lead.probability / 100)

    def test_pre_init_on_a_database_without_client_impact(self):
        self.opportunity("Existing deal", probability=70)
        self._drop("impact_level", "impact_score", "weighted_impact")
        self.assertEqual(self._init_crm_lead(), [])
        [(count, unknown, zero)] = self.env.execute_query(
            SQL(
                "SELECT COUNT(*), "
                "COUNT(*) FILTER (WHERE impact_level = '0'), "
                "COUNT(*) FILTER (WHERE impact_score = 0 AND weighted_impact = 0) "
                "FROM crm_lead"
            )
        )
        self.assertEqual(count, unknown)
        self.assertEqual(count, zero)


@tagged("post_install", "-at_install", "client_value")
class TestImpactWinRule(ClientValueCase):
    def _enable_rule_through_settings(self):
        settings = self.env["res.config.settings"].create(
            {"client_value_require_impact_assessment": True}
        )
        settings.execute()
        self.assertTrue(self.env["crm.lead"]._client_value_assessment_required())

    def _expected_message(self, lead, fnames):
        labels = ", ".join(self.label(fname) for fname in fnames)
        return (
            f"Assess the client impact of “{lead.display_name}” before marking it "
            f"won. Missing: {labels}."
        )

    def test_rule_is_off_by_default(self):
        self.assertFalse(self.env["crm.lead"]._client_value_assessment_required())

    def test_rule_on_refuses_unassessed_win_and_names_missing_fields(self):
        self._enable_rule_through_settings()
        lead = self.opportunity("Unassessed deal", probability=40)
        with self.assertRaises(UserError) as caught:
            lead.action_set_won()
        self.assertEqual(
            str(caught.exception),
            self._expected_message(lead, ["impact_level", "client_need", "client_fit"]),
        )
        self.assertEqual(
            str(caught.exception),
            "Assess the client impact of “Unassessed deal” before marking it won. "
            "Missing: Client Impact, Client Need, Client Fit.",
        )
        lead.invalidate_recordset()
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertEqual(lead.probability, 40)

        lead.write({"impact_level": "2", "client_fit": "good", "client_need": "   "})
        with self.assertRaises(UserError) as caught:
            lead.write({"stage_id": self.stage_won.id})
        self.assertEqual(
            str(caught.exception), self._expected_message(lead, ["client_need"])
        )

        lead.write({"client_need": "Bread goes stale before noon."})
        lead.action_set_won()
        self.assertTrue(lead.stage_id.is_won)

    def test_rule_on_accepts_assessment_in_the_winning_write(self):
        self._enable_rule_through_settings()
        lead = self.opportunity("All at once")
        lead.write(
            {
                "stage_id": self.stage_won.id,
                "impact_level": "3",
                "client_need": "Queue at the counter every morning.",
                "client_fit": "uncertain",
            }
        )
        self.assertTrue(lead.stage_id.is_won)

    def test_rule_on_keeps_a_lost_lead_lost(self):
        self._enable_rule_through_settings()
        lead = self.opportunity("Lost then won", impact_level="2")
        lead.action_set_lost()
        with self.assertRaises(UserError) as caught:
            lead.action_set_won()
        self.assertEqual(
            str(caught.exception),
            self._expected_message(lead, ["client_need", "client_fit"]),
        )
        lead.invalidate_recordset()
        self.assertFalse(lead.active)

    def test_rule_on_refuses_creating_in_a_won_stage(self):
        self._enable_rule_through_settings()
        with self.assertRaises(UserError) as caught:
            self.opportunity(
                "Born won",
                stage_id=self.stage_won.id,
                impact_level="1",
                probability=100,
            )
        self.assertIn(self.label("client_need"), str(caught.exception))
        self.assertEqual(
            self.env["crm.lead"].search_count([("name", "=", "Born won")]), 0
        )

    def test_rule_on_lists_every_unassessed_lead_of_a_batch(self):
        self._enable_rule_through_settings()
        first = self.opportunity("First", impact_level="3", client_fit="good")
        second = self.opportunity("Second", client_need="Ovens break down weekly.")
        assessed = self.opportunity(
            "Third", impact_level="1", client_fit="good", client_need="Small shop."
        )
        with self.assertRaises(UserError) as caught:
            (first | second | assessed).action_set_won()
        message = str(caught.exception)
        self.assertIn(f"- First: {self.label('client_need')}", message)
        self.assertIn(
            f"- Second: {self.label('impact_level')}, {self.label('client_fit')}",
            message,
        )
        self.assertNotIn("Third", message)
        self.assertFalse(assessed.stage_id.is_won)

    def test_rule_off_allows_unassessed_win(self):
        settings = self.env["res.config.settings"].create(
            {"client_value_require_impact_assessment": False}
        )
        settings.execute()
        lead = self.opportunity("Quick win")
        lead.action_set_won()
        self.assertTrue(lead.stage_id.is_won)
        other = self.opportunity("Dragged to won")
        other.write({"stage_id": self.stage_won.id})
        self.assertTrue(other.stage_id.is_won)


@tagged("post_install", "-at_install", "client_value")
class TestSmallDealBigImpact(ClientValueCase):
    def _open_revenues(self):
        companies = self.env.companies.ids
        opportunities = (
            self.env["crm.lead"]
            .sudo()
            .search(
                [
                    ("type", "=", "opportunity"),
                    ("probability", "<", 100),
                    ("company_id", "in", [False, *companies]),
                ]
            )
        )
        return opportunities.mapped("expected_revenue")

    def test_default_threshold_is_the_median_of_open_opportunities(self):
        small = self.opportunity("Small", impact_level="4", expected_revenue=1.0)
        large = self.opportunity("Large", impact_level="3", expected_revenue=1e9)
        minor = self.opportunity("Minor", impact_level="1", expected_revenue=1.0)
        Lead = self.env["crm.lead"]
        threshold = Lead._client_value_small_deal_threshold()
        self.assertAlmostEqual(threshold, median(self._open_revenues()))

        ours = [("id", "in", (small | large | minor).ids)]
        self.assertEqual(
            Lead.search(ours + [("is_small_big_impact", "=", True)]), small
        )
        self.assertEqual(
            Lead.search(ours + [("is_small_big_impact", "!=", True)]), large | minor
        )
        self.assertEqual(
            Lead.search(ours + [("is_small_big_impact", "=", False)]), large | minor
        )
        self.assertEqual((small | large | minor).filtered("is_small_big_impact"), small)

        # The median follows the pipeline: many large open deals raise it.
        midsize = self.opportunity("Midsize", impact_level="3", expected_revenue=5e8)
        self.assertNotIn(midsize, Lead.search([("is_small_big_impact", "=", True)]))
        count = len(self._open_revenues())
        for index in range(count + 1):
            self.opportunity(f"Big {index}", expected_revenue=2e9)
        self.assertAlmostEqual(
            Lead._client_value_small_deal_threshold(), median(self._open_revenues())
        )
        self.assertEqual(Lead._client_value_small_deal_threshold(), 2e9)
        self.assertIn(midsize, Lead.search([("is_small_big_impact", "=", True)]))

    def test_won_and_lost_deals_do_not_move_the_median(self):
        Lead = self.env["crm.lead"]
        before = Lead._client_value_small_deal_threshold()
        won = self.opportunity("Huge won", expected_revenue=1e12)
        won.action_set_won()
        lost = self.opportunity("Huge lost", expected_revenue=1e12)
        lost.action_set_lost()
        self.assertEqual(Lead._client_value_small_deal_threshold(), before)

    def test_filter_costs_two_queries(self):
        Lead = self.env["crm.lead"]
        domain = [("is_small_big_impact", "=", True)]
        Lead.search(domain)
        with self.assertQueryCount(2):
            Lead.search(domain)

    def test_configured_threshold_replaces_the_median(self):
        settings = self.env["res.config.settings"].create(
            {"client_value_small_deal_threshold": 5000.0}
        )
        settings.execute()
        self.assertEqual(self.params.get_param(THRESHOLD_PARAM), "5000.0")
        under = self.opportunity("Under", impact_level="3", expected_revenue=4999.0)
        at = self.opportunity("At", impact_level="3", expected_revenue=5000.0)
        Lead = self.env["crm.lead"]
        self.assertEqual(Lead._client_value_small_deal_threshold(), 5000.0)
        self.assertEqual(
            Lead.search(
                [("id", "in", (under | at).ids), ("is_small_big_impact", "=", True)]
            ),
            under,
        )
        # Back to 0: the median again.
        self.env["res.config.settings"].create(
            {"client_value_small_deal_threshold": 0.0}
        ).execute()
        self.assertFalse(self.params.get_param(THRESHOLD_PARAM))
        self.assertAlmostEqual(
            Lead._client_value_small_deal_threshold(), median(self._open_revenues())
        )

    def test_negative_threshold_is_refused(self):
        settings = self.env["res.config.settings"].create(
            {"client_value_small_deal_threshold": -1.0}
        )
        with self.assertRaises(ValidationError):
            settings.execute()
        self.assertFalse(self.params.get_param(THRESHOLD_PARAM))


@tagged("post_install", "-at_install", "client_value")
class TestImpactBadInput(ClientValueCase):
    def test_unknown_level_is_a_validation_error_and_nothing_is_written(self):
        first = self.opportunity("First", impact_level="2")
        second = self.opportunity("Second", impact_level="1")
        with self.assertRaises(ValidationError) as caught:
            (first | second).write({"impact_level": "7", "client_need": "changed"})
        self.assertIn(self.label("impact_level"), str(caught.exception))
        self.assertIn("“7”", str(caught.exception))
        (first | second).invalidate_recordset()
        self.assertEqual(first.impact_level, "2")
        self.assertEqual(second.impact_level, "1")
        self.assertFalse(first.client_need)

    def test_unknown_fit_in_a_batch_creates_nothing(self):
        Lead = self.env["crm.lead"]
        with self.assertRaises(ValidationError) as caught:
            Lead.create(
                [
                    {"name": "Batch ok", "type": "opportunity", "client_fit": "good"},
                    {"name": "Batch bad", "type": "opportunity", "client_fit": "great"},
                ]
            )
        self.assertIn(self.label("client_fit"), str(caught.exception))
        self.assertEqual(Lead.search_count([("name", "like", "Batch ")]), 0)

    def test_values_outside_0_100_are_refused(self):
        lead = self.opportunity("Bounds", impact_level="3", probability=50)
        for fname, value in (
            ("impact_score", 101),
            ("impact_score", -1),
            ("weighted_impact", 150.0),
            ("probability", 120),
            ("probability", "lots"),
        ):
            with self.subTest(field=fname, value=value):
                with self.assertRaises(ValidationError) as caught:
                    lead.write({fname: value, "name": "renamed"})
                self.assertIn(self.label(fname), str(caught.exception))
        lead.invalidate_recordset()
        self.assertEqual(lead.name, "Bounds")
        self.assertEqual(lead.impact_score, 75)
        self.assertAlmostEqual(lead.weighted_impact, 37.5)

    def test_empty_level_means_unknown(self):
        lead = self.opportunity("Reset", impact_level="3")
        lead.write({"impact_level": False})
        self.assertEqual(lead.impact_level, "0")
        self.assertEqual(lead.impact_score, 0)


@tagged("post_install", "-at_install", "client_value")
class TestImpactXmlRpc(HttpCase):
    def test_bad_values_over_xmlrpc(self):
        user = new_test_user(
            self.env, login="cv_impact_rpc", groups="sales_team.group_sale_salesman"
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "RPC deal",
                "type": "opportunity",
                "user_id": user.id,
                "impact_level": "2",
                "probability": 20,
            }
        )
        self.env.flush_all()
        db = self.env.cr.dbname
        for vals, label in (
            ({"impact_level": "9", "name": "RPC renamed"}, "Client Impact"),
            ({"client_fit": "perfect", "name": "RPC renamed"}, "Client Fit"),
            ({"impact_score": 250, "name": "RPC renamed"}, "Impact Score"),
        ):
            with self.subTest(vals=vals):
                with self.assertRaises(xmlrpc.client.Fault) as caught:
                    self.xmlrpc_object.execute(
                        db,
                        user.id,
                        "cv_impact_rpc",
                        "crm.lead",
                        "write",
                        [lead.id],
                        vals,
                    )
                # Code 2 is a UserError/ValidationError; 1 would be a crash.
                self.assertEqual(caught.exception.faultCode, 2)
                self.assertIn(label, caught.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.xmlrpc_object.execute(
                db,
                user.id,
                "cv_impact_rpc",
                "crm.lead",
                "create",
                [
                    {"name": "RPC new 1", "impact_level": "3"},
                    {"name": "RPC new 2", "impact_level": "high"},
                ],
            )
        self.assertEqual(caught.exception.faultCode, 2)
        self.assertIn("Client Impact", caught.exception.faultString)
        [values] = self.xmlrpc_object.execute(
            db,
            user.id,
            "cv_impact_rpc",
            "crm.lead",
            "read",
            [lead.id],
            ["name", "impact_level", "impact_score", "client_fit"],
        )
        self.assertEqual(values["name"], "RPC deal")
        self.assertEqual(values["impact_level"], "2")
        self.assertEqual(values["impact_score"], 50)
        self.assertFalse(values["client_fit"])
        self.assertEqual(
            self.env["crm.lead"].search_count([("name", "like", "RPC new")]), 0
        )


@tagged("post_install", "-at_install", "client_value")
class TestImpactPipelineAccess(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_open = cls.opportunity("Own open", impact_level="4", probability=35)
        cls.own_open_2 = cls.opportunity("Own open 2", impact_level="1", probability=70)
        cls.own_won = cls.opportunity("Own won", impact_level="3")
        cls.own_won.action_set_won()
        cls.own_lost = cls.opportunity("Own lost", impact_level="2")
        cls.own_lost.action_set_lost()
        cls.others = cls.opportunity(
            "Not mine", impact_level="4", probability=90, user_id=cls.other_salesman.id
        )

    def _action(self, user):
        return (
            self.env["ir.actions.actions"].with_user(user)._for_xml_id(PIPELINE_ACTION)
        )

    def _search_filter_domain(self, user, action, name):
        search_id = action["search_view_id"] and action["search_view_id"][0]
        views = self.env["crm.lead"].with_user(user).get_views([(search_id, "search")])
        arch = etree.fromstring(views["views"]["search"]["arch"])
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return safe_eval(node.get("domain"), {"uid": user.id})

    def test_must_show_pivot_by_salesperson_equals_open_weighted_impact(self):
        action = self._action(self.salesman)
        context = safe_eval(action["context"], {"uid": self.salesman.id})
        self.assertTrue(context.get("search_default_open_opportunities"))
        domain = safe_eval(action["domain"], {"uid": self.salesman.id})
        domain += self._search_filter_domain(
            self.salesman, action, "open_opportunities"
        )
        Lead = self.env["crm.lead"].with_user(self.salesman)
        groups = Lead.read_group(domain, ["weighted_impact:sum"], ["user_id"])
        by_user = {
            g["user_id"] and g["user_id"][0]: g["weighted_impact"] for g in groups
        }

        open_leads = (
            self.env["crm.lead"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self.salesman.id),
                    ("partner_id", "=", self.client.id),
                    ("type", "=", "opportunity"),
                    ("probability", "<", 100),
                ]
            )
        )
        self.assertEqual(open_leads, self.own_open | self.own_open_2)
        expected = sum(
            lead.impact_score * lead.probability / 100 for lead in open_leads
        )
        self.assertAlmostEqual(by_user[self.salesman.id], expected)
        self.assertAlmostEqual(expected, 100 * 35 / 100 + 25 * 70 / 100)
        # The other salesperson's pipeline is not visible to this salesman.
        self.assertNotIn(self.other_salesman.id, by_user)

    def test_salesman_sees_only_what_crm_rules_allow(self):
        Lead = self.env["crm.lead"].with_user(self.salesman)
        mine = self.own_open | self.own_open_2 | self.own_won
        unassigned = self.opportunity("Nobody's", user_id=False, impact_level="2")
        visible = Lead.search([("id", "in", (mine | unassigned | self.others).ids)])
        self.assertEqual(visible, (mine | unassigned).with_user(self.salesman))
        with self.assertRaises(AccessError):
            self.others.with_user(self.salesman).read(["weighted_impact"])
        with self.assertRaises(AccessError):
            self.others.with_user(self.salesman).write({"impact_level": "1"})
        # A salesman with all leads sees everything.
        add_group(self.salesman, "sales_team.group_sale_salesman_all_leads")
        self.assertIn(self.others, Lead.search([("id", "=", self.others.id)]))

    def test_salesman_can_assess_his_opportunity(self):
        lead = self.own_open.with_user(self.salesman)
        area = self.env.ref("client_value.client_value_impact_area_time_saved")
        lead.write(
            {
                "impact_level": "2",
                "client_need": "Dough is kneaded by hand.",
                "client_fit": "good",
                "impact_area_ids": [Command.set(area.ids)],
            }
        )
        self.assertEqual(lead.impact_score, 50)
        self.assertEqual(lead.impact_area_ids, area)

    def test_impact_areas_read_only_for_salesmen(self):
        Area = self.env["client_value.impact.area"]
        area = Area.with_user(self.salesman).search([], limit=1)
        self.assertTrue(area.name)
        with self.assertRaises(AccessError):
            Area.with_user(self.salesman).create({"name": "Morale"})
        with self.assertRaises(AccessError):
            area.with_user(self.salesman).write({"name": "Renamed"})
        created = Area.with_user(self.manager).create({"name": "Morale"})
        self.assertTrue(created.active)

    def test_impact_area_seeds_and_order(self):
        Area = self.env["client_value.impact.area"]
        for xmlid in (
            "cost_savings",
            "revenue_growth",
            "risk_compliance",
            "time_saved",
            "customer_experience",
            "strategic_capability",
        ):
            self.assertTrue(
                self.env.ref(f"client_value.client_value_impact_area_{xmlid}")
            )
        self.assertTrue(Area._fields["name"].translate)
        first = Area.create({"name": "Zeta", "sequence": 0})
        second = Area.create({"name": "Alpha", "sequence": 0})
        self.assertEqual(Area.search([], limit=2), second | first)
        first.active = False
        self.assertNotIn(first, Area.search([]))


@tagged("post_install", "-at_install", "client_value")
class TestImpactViews(ClientValueCase):
    """Must show 3: the action, its views and the form load for a salesman
    in demo data."""

    def test_must_show_views_load_for_demo_salesman(self):
        demo = self.env.ref("base.user_demo")
        self.assertTrue(demo.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(demo.has_group("sales_team.group_sale_salesman_all_leads"))
        action = (
            self.env["ir.actions.actions"].with_user(demo)._for_xml_id(PIPELINE_ACTION)
        )
        self.assertEqual(action["name"], "Impact Pipeline")
        self.assertEqual(
            safe_eval(action["domain"], {"uid": demo.id}),
            [("type", "=", "opportunity")],
        )
        menu = self.env.ref("client_value.crm_lead_menu_impact_pipeline")
        self.assertIn(
            menu.id, self.env["ir.ui.menu"].with_user(demo)._visible_menu_ids()
        )

        views = dict((mode, view_id) for view_id, mode in action["views"])
        self.assertEqual(list(views)[:5], ["kanban", "list", "pivot", "graph", "form"])
        Lead = self.env["crm.lead"].with_user(demo)
        result = Lead.get_views(
            [*action["views"], (action["search_view_id"][0], "search")],
            {"toolbar": True},
        )
        archs = {
            mode: etree.fromstring(v["arch"]) for mode, v in result["views"].items()
        }

        kanban = archs["kanban"]
        self.assertEqual(kanban.get("default_group_by"), "stage_id")
        self.assertTrue(kanban.get("default_order").startswith("weighted_impact desc"))
        [progressbar] = kanban.xpath("//progressbar")
        self.assertEqual(progressbar.get("sum_field"), "weighted_impact")
        self.assertTrue(
            kanban.xpath("//field[@name='impact_level'][@widget='priority']")
        )

        lst = archs["list"]
        self.assertTrue(lst.xpath("//field[@name='weighted_impact'][@sum]"))
        self.assertTrue(lst.xpath("//field[@name='impact_level'][@widget='priority']"))

        for mode in ("pivot", "graph"):
            measures = archs[mode].xpath("//field[@type='measure']/@name")
            self.assertEqual(set(measures), {"weighted_impact", "impact_score"})

        form = archs["form"]
        self.assertTrue(form.xpath("//page[@name='client_impact']"))
        [banner] = form.xpath("//div[hasclass('alert-warning')][@role='alert']")
        self.assertEqual(banner.get("invisible"), "client_fit != 'poor'")
        self.assertTrue(form.xpath("//field[@name='impact_level'][@widget='priority']"))

        search = archs["search"]
        for name in (
            "high_impact",
            "small_deal_big_impact",
            "impact_not_assessed",
            "poor_fit",
            "group_by_impact_level",
            "group_by_impact_area",
        ):
            self.assertTrue(search.xpath(f"//filter[@name='{name}']"), name)

        fields_used = result["models"]["crm.lead"]["fields"]
        for fname in ("impact_level", "weighted_impact", "impact_score", "client_fit"):
            self.assertIn(fname, fields_used)

        # The data behind each view loads for the salesman.
        domain = safe_eval(action["domain"], {"uid": demo.id})
        columns = read_group_for_columns(
            Lead, domain, "weighted_impact:sum", "stage_id"
        )
        total = sum(value for _group, value in columns)
        visible = Lead.search(domain)
        self.assertTrue(visible)
        self.assertAlmostEqual(total, sum(visible.mapped("weighted_impact")))
        rows = Lead.web_search_read(
            domain,
            {"name": {}, "impact_level": {}, "weighted_impact": {}, "client_fit": {}},
        )
        self.assertEqual(rows["length"], len(visible))
        pivot = Lead.read_group(
            domain,
            ["weighted_impact:sum", "impact_score:avg"],
            ["user_id", "stage_id"],
            lazy=False,
        )
        self.assertAlmostEqual(sum(group["weighted_impact"] for group in pivot), total)
        demo_deal = self.env.ref("crm.crm_case_17").with_user(demo)
        [record] = demo_deal.web_read(
            {
                "impact_level": {},
                "client_need": {},
                "impact_area_ids": {"fields": {"display_name": {}}},
            }
        )
        self.assertEqual(record["impact_level"], "4")
        self.assertTrue(record["impact_area_ids"])

    def test_standard_pipeline_and_settings_show_client_impact(self):
        Lead = self.env["crm.lead"].with_user(self.salesman)
        result = Lead.get_views(
            [
                (self.env.ref("crm.crm_case_kanban_view_leads").id, "kanban"),
                (self.env.ref("crm.crm_case_tree_view_oppor").id, "list"),
            ]
        )
        kanban = etree.fromstring(result["views"]["kanban"]["arch"])
        self.assertTrue(
            kanban.xpath("//field[@name='impact_level'][@widget='priority']")
        )
        self.assertTrue(kanban.xpath("//field[@name='weighted_impact']"))
        lst = etree.fromstring(result["views"]["list"]["arch"])
        self.assertTrue(lst.xpath("//field[@name='impact_level'][@widget='priority']"))

        Settings = self.env["res.config.settings"].with_user(
            self.env.ref("base.user_admin")
        )
        form = etree.fromstring(
            Settings.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [block] = form.xpath("//block[@name='client_value_impact_settings']")
        for fname in (
            "client_value_require_impact_assessment",
            "client_value_small_deal_threshold",
        ):
            self.assertTrue(block.xpath(f"./setting/field[@name='{fname}']"), fname)
        defaults = Settings.create({})
        self.assertFalse(defaults.client_value_require_impact_assessment)
        self.assertEqual(defaults.client_value_small_deal_threshold, 0.0)

    def test_filters_and_groupbys_run(self):
        Lead = self.env["crm.lead"]
        arch = etree.fromstring(
            Lead.get_views([(False, "search")])["views"]["search"]["arch"]
        )
        poor = self.opportunity("Poor", client_fit="poor", impact_level="1")
        high = self.opportunity(
            "High", impact_level="4", client_fit="good", client_need="Ovens."
        )
        unassessed = self.opportunity("Blank")
        ours = [("id", "in", (poor | high | unassessed).ids)]

        def run(name):
            [node] = arch.xpath(f"//filter[@name='{name}']")
            return Lead.search(
                ours + safe_eval(node.get("domain"), {"uid": self.env.uid})
            )

        self.assertEqual(run("high_impact"), high)
        self.assertEqual(run("poor_fit"), poor)
        self.assertEqual(run("impact_not_assessed"), poor | unassessed)

        area = self.env.ref("client_value.client_value_impact_area_cost_savings")
        high.impact_area_ids = area
        by_area = Lead.read_group(ours, ["weighted_impact:sum"], ["impact_area_ids"])
        self.assertIn(
            area.id, [g["impact_area_ids"] and g["impact_area_ids"][0] for g in by_area]
        )
        by_level = Lead.read_group(ours, ["weighted_impact:sum"], ["impact_level"])
        self.assertEqual({g["impact_level"] for g in by_level}, {"0", "1", "4"})


@tagged("post_install", "-at_install", "client_value")
class TestImpactCelebration(ClientValueCase):
    def _won_message(self, lead):
        result = lead.action_set_won_rainbowman()
        return result["effect"]["message"] if isinstance(result, dict) else False

    def test_small_deal_big_impact_is_celebrated(self):
        self.params.set_param(THRESHOLD_PARAM, "1000")
        lead = self.opportunity(
            "Sourdough starter", impact_level="4", expected_revenue=500
        )
        message = self._won_message(lead)
        self.assertTrue(
            message.startswith(
                "Small deal, big impact: Transformational client impact for "
                "Harbour Bakery."
            ),
            message,
        )

    def test_highest_impact_of_the_month_then_fallback_to_revenue(self):
        self.params.set_param(THRESHOLD_PARAM, "1000")
        first = self.opportunity(
            "Bakery line", impact_level="2", expected_revenue=90000
        )
        message = self._won_message(first)
        self.assertTrue(
            message.startswith(
                "Your highest client impact won this month: Moderate for "
                "Harbour Bakery."
            ),
            message,
        )
        lower = self.opportunity(
            "Spare parts", impact_level="1", expected_revenue=80000
        )
        lower.action_set_won()
        revenue_only = super(CrmLead, lower)._get_rainbowman_message()
        self.assertEqual(lower._get_rainbowman_message(), revenue_only)
        self.assertEqual(lower.get_rainbowman_message(), revenue_only)

    def test_open_or_unassessed_deals_get_no_impact_message(self):
        lead = self.opportunity("Open", impact_level="4")
        self.assertFalse(lead._client_value_impact_celebration())
        plain = self.opportunity("Plain")
        plain.action_set_won()
        self.assertFalse(plain._client_value_impact_celebration())


PIPELINE_BROWSER_CHECK = """
const waitFor = async (selector, timeout = 20000) => {
    const start = Date.now();
    while (Date.now() - start < timeout) {
        const element = document.querySelector(selector);
        if (element) {
            return element;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${selector} did not render`);
};
const show = async (viewType, selector) => {
    (await waitFor(`.o_switch_view.o_${viewType}`)).click();
    await waitFor(selector);
};
(async () => {
    await waitFor(".o_kanban_renderer .o_kanban_record:not(.o_kanban_ghost)");
    await waitFor(".o_kanban_header .o_column_progress");
    await waitFor(".o_kanban_record .o_priority");
    await show("list", ".o_list_renderer .o_data_row");
    await show("pivot", ".o_pivot table .o_pivot_cell_value");
    await show("graph", ".o_graph_renderer canvas");
    await show("list", ".o_list_renderer .o_data_row");
    document.querySelector(".o_list_renderer .o_data_row .o_data_cell").click();
    await waitFor(".o_form_view .o_notebook");
    const tab = [...document.querySelectorAll(".o_notebook .nav-link")].find(
        (link) => link.textContent.trim() === "Client Impact"
    );
    tab.click();
    await waitFor(".o_form_view .o_field_widget[name='impact_level'] .o_priority");
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install", "client_value")
class TestImpactPipelineBrowser(HttpCase):
    """Must show 3 in a real browser: the Impact Pipeline renders its
    kanban, list, pivot, graph and the opportunity form for the demo
    salesman, without a client error."""

    def test_must_show_pipeline_renders_for_demo_salesman(self):
        self.browser_js(
            "/odoo/action-client_value.crm_lead_action_impact_pipeline",
            PIPELINE_BROWSER_CHECK,
            login="demo",
            timeout=120,
        )
