"""Access rights, record rules and company isolation of every module model."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import NOW, ClientValueCase

SALES_GROUPS = (
    "sales_team.group_sale_salesman",
    "sales_team.group_sale_salesman_all_leads",
    "sales_team.group_sale_manager",
)


@tagged("post_install", "-at_install", "client_value")
class TestSecurity(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.user_b = new_test_user(
            cls.env,
            login="cv_company_b",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.manager_a = new_test_user(
            cls.env,
            login="cv_company_a",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, cls.company_a.ids)],
        )

    def _module_models(self):
        names = (
            self.env["ir.model.data"]
            .search([("module", "=", "client_value"), ("model", "=", "ir.model")])
            .mapped("res_id")
        )
        models = self.env["ir.model"].browse(names)
        return models.filtered(
            lambda m: m.model.startswith("client_value.")
            and not self.env[m.model]._abstract
        )

    def test_every_module_model_has_access_rows_for_each_sales_group(self):
        models = self._module_models()
        self.assertTrue(
            {"client_value.impact.area", "client_value.touch"}
            <= set(models.mapped("model"))
        )
        for model in models:
            groups = model.access_ids.mapped("group_id")
            for xmlid in SALES_GROUPS:
                self.assertIn(self.env.ref(xmlid), groups, model.model)
            self.assertTrue(
                all(access.group_id for access in model.access_ids),
                "%s grants access to every user" % model.model,
            )

    def test_company_models_have_multi_company_rules(self):
        for model in self._module_models():
            Model = self.env[model.model]
            if "company_id" not in Model._fields or Model._transient:
                continue
            rules = model.rule_ids.filtered(lambda r: "company_ids" in r.domain_force)
            self.assertTrue(rules, "%s has no multi-company rule" % model.model)

    def _company_a_history(self):
        """An account shared by both companies (no company of its own) whose
        deal, touches and neglect belong to company A."""
        self.request(self.lead_b, self.ago(days=40))
        self.done(self.lead_b, self.ago(days=2))
        self.with_won_deal()
        with self.at(NOW):
            self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()

    def with_won_deal(self):
        with self.at(NOW):
            won = self.env["crm.lead"].create(
                {
                    "name": "Acme won deal",
                    "type": "opportunity",
                    "partner_id": self.contact_a.id,
                    "user_id": self.salesman.id,
                    "company_id": self.company_a.id,
                    "expected_revenue": 1000,
                }
            )
            won.action_set_won()
            won._client_value_record_outcome("improved", "Faster invoicing")
            self.env.flush_all()
        return won

    def test_company_b_sees_nothing_of_company_a(self):
        self._company_a_history()
        for model in self._module_models():
            Model = self.env[model.model]
            if "company_id" not in Model._fields or Model._transient:
                continue
            mine = Model.with_user(self.manager_a).search_count([])
            theirs = Model.with_user(self.user_b).search_count(
                [("company_id", "!=", False)]
            )
            self.assertEqual(theirs, 0, model.model)
            self.assertTrue(mine or model.model == "client_value.neglect.event")

    def test_account_summaries_do_not_leak_across_companies(self):
        self._company_a_history()
        with self.at(NOW):
            as_a = self.account.with_user(self.manager_a)
            as_b = self.account.with_user(self.user_b)
            self.assertGreater(as_a.touch_count, 0)
            self.assertEqual(as_b.touch_count, 0)
            self.assertEqual(as_b.waiting_request_count, 0)
            self.assertEqual(as_a.outcome_improved_count, 1)
            self.assertEqual(as_b.outcome_improved_count, 0)
            self.assertTrue(as_a.account_touch_ids)
            self.env.invalidate_all()
            self.assertFalse(as_b.account_touch_ids)
            self.assertFalse(as_b.touch_ids)

    def test_own_documents_salesman_cannot_read_a_colleagues_items(self):
        colleague_lead = self.env["crm.lead"].create(
            {
                "name": "Olga's deal",
                "type": "opportunity",
                "partner_id": self.stranger.id,
                "user_id": self.other_salesman.id,
            }
        )
        self.done(colleague_lead, self.ago(days=1), user=self.other_salesman)
        Touch = self.env["client_value.touch"]
        self.assertTrue(Touch.search_count([("lead_id", "=", colleague_lead.id)]))
        self.assertFalse(
            Touch.with_user(self.salesman).search_count(
                [("lead_id", "=", colleague_lead.id)]
            )
        )
        event = self.env["client_value.neglect.event"].create(
            {
                "partner_id": self.stranger.id,
                "kind": "flagged",
                "user_id": self.other_salesman.id,
                "reason": "test",
            }
        )
        with self.assertRaises(AccessError):
            event.with_user(self.salesman).check_access("read")

    def test_outcome_review_of_a_colleagues_deal_is_refused(self):
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": self.stranger.id,
                    "user_id": user.id,
                }
                for name, user in (
                    ("Own deal", self.salesman),
                    ("Olga's deal", self.other_salesman),
                )
            ]
        )
        leads.action_set_won()
        Wizard = self.env["client_value.outcome.wizard"].with_user(self.salesman)
        own, colleagues = leads
        wizard = Wizard.create({"lead_id": own.id, "outcome_state": "improved"})
        wizard.action_record_outcome()
        self.assertEqual(own.outcome_state, "improved")
        with self.assertRaises(AccessError):
            Wizard.create({"lead_id": colleagues.id, "outcome_state": "worsened"})
        self.assertEqual(colleagues.outcome_state, "pending")

    def test_impact_areas_and_settings_are_for_administrators(self):
        Area = self.env["client_value.impact.area"]
        self.assertTrue(Area.with_user(self.salesman).search_count([]))
        with self.assertRaises(AccessError):
            Area.with_user(self.salesman).create({"name": "Morale"})
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.manager_a).create({})
