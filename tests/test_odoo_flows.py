"""Odoo's own flows on records client_value keeps data on.

Each flow runs with what the module keeps: a flagged account (Acme, whose
only touch is Alice's unanswered request), a contact with history (Dan, of
Delta, with a call done two days ago) and a reviewed, rated won deal. After
each flow the account figures are right at once, without a run of the watch,
and the trust rules still hold.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import NOW
from .compat import add_group
from .test_neglect import NeglectCommon


@tagged("post_install", "-at_install", "client_value")
class FlowCase(NeglectCommon):
    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        self.request_a = self.request(self.contact_a, self.ago(days=10))
        self.delta = Partner.create({"name": "Delta Inc", "is_company": True})
        self.dan = Partner.create({"name": "Dan Delta", "parent_id": self.delta.id})
        self.call_dan = self.done(self.dan, self.ago(days=2))
        self.won = self.env["crm.lead"].create(
            {
                "name": "Acme onboarding",
                "type": "opportunity",
                "partner_id": self.contact_b.id,
                "user_id": self.salesman.id,
                "impact_level": "3",
                "client_need": "Faster onboarding",
            }
        )
        self.won.action_set_won()
        self.won.with_user(self.salesman)._client_value_record_outcome(
            "improved", "Much faster"
        )
        # sudo: the client's answer, as the rating page applies it
        self.won.sudo().rating_apply(
            4, token=self.link_token(self.won), feedback="Good"
        )
        self.run_cron()

    def settle(self):
        """The transaction's end: the accounts a flow touched follow (once,
        before commit)."""
        with self.at(NOW):
            self.env.cr.flush()
        self.env.invalidate_all()

    def figures(self, partner):
        self.settle()
        return {
            "last_touch": partner.last_touch_date,
            "waiting": partner.waiting_request_count,
            "late": partner.late_request_count,
            "neglected": partner.client_neglected,
        }

    def merge_contacts(self, partners, destination, user=None):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(user or self.salesman)
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"partner_ids": [Command.set(partners.ids)]})
        )
        wizard.dst_partner_id = destination
        with self.at(NOW):
            wizard.action_merge()
        self.settle()


@tagged("post_install", "-at_install", "client_value")
class TestMergeContacts(FlowCase):
    def test_the_fixture(self):
        self.assertTrue(self.account.client_neglected)
        self.assertEqual(self.delta.last_touch_date, self.ago(days=2))
        self.assertEqual(self.won.rating_last_value, 4)

    def test_merging_a_company_with_history_into_a_flagged_account(self):
        """Delta (a call two days ago) merged into Acme: Acme's last touch
        is Dan's call, and the call clears Acme's flag at once. Delta's own
        history (a meeting done on the company) is kept, on Acme."""
        meeting = self.done(self.delta, self.ago(days=3))
        with self.at(NOW):
            self.merge_contacts(self.delta | self.account, self.account)
        self.assertFalse(self.delta.exists())
        self.assertEqual(
            (meeting.exists().res_id, meeting.active), (self.account.id, False)
        )
        self.assertEqual(self.dan.commercial_partner_id, self.account)
        self.assertEqual(
            self.figures(self.account),
            {
                "last_touch": self.ago(days=2),
                "waiting": 1,
                "late": 1,
                "neglected": False,
            },
        )
        self.assertEqual(
            self.events(self.account).mapped("kind"), ["cleared", "flagged"]
        )
        self.assertEqual(self.contact_a.last_touch_date, self.ago(days=2))

    def test_merging_the_contact_who_waits_into_another_account(self):
        """Alice merged into Dan: her request is now Delta's; Acme has no
        waiting request any more and is cleared; Delta, touched two days
        ago, is not flagged."""
        self.contact_a.email = self.dan.email = "alice@example.com"
        self.merge_contacts(self.contact_a | self.dan, self.dan)
        self.assertFalse(self.contact_a.exists())
        self.assertEqual(self.request_a.res_id, self.dan.id)
        self.assertEqual(
            self.figures(self.account),
            {"last_touch": False, "waiting": 0, "late": 0, "neglected": False},
            "the request was Acme's only touch",
        )
        delta = self.figures(self.delta)
        self.assertEqual(
            (delta["waiting"], delta["late"], delta["neglected"]), (1, 1, False)
        )
        self.assertEqual(delta["last_touch"], self.ago(days=2))

    def test_merging_into_an_untouched_account_flags_it_at_once(self):
        """Alice merged into a contact of an account with no touch: the
        request makes it neglected at once; Acme is cleared."""
        beta = self.env["res.partner"].create({"name": "Beta", "is_company": True})
        bea = self.env["res.partner"].create({"name": "Bea", "parent_id": beta.id})
        self.merge_contacts(self.contact_a | bea, bea)
        self.assertTrue(beta.client_neglected)
        self.assertEqual(len(self.followups(beta).filtered("active")), 1)
        self.assertFalse(self.account.client_neglected)
        self.assertEqual(self.figures(beta)["last_touch"], self.ago(days=10))

    def test_a_salesperson_still_cannot_write_the_figures(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.salesman).write({"client_neglected": False})
        with self.assertRaises(AccessError):
            self.account.with_user(self.salesman).write({"last_touch_date": NOW})


@tagged("post_install", "-at_install", "client_value")
class TestOpportunityFlows(FlowCase):
    def test_merge_opportunities_keeps_the_review_and_the_rating(self):
        other = self.env["crm.lead"].create(
            {
                "name": "Acme extension",
                "type": "opportunity",
                "partner_id": self.contact_b.id,
                "user_id": self.salesman.id,
                "client_need": "More seats",
            }
        )
        call = self.done(other, self.ago(days=1))
        wizard = (
            self.env["crm.merge.opportunity"]
            .with_user(self.salesman)
            .with_context(active_ids=(self.won | other).ids, active_model="crm.lead")
            .create({"opportunity_ids": [Command.set((self.won | other).ids)]})
        )
        with self.at(NOW):
            merged = wizard.action_merge()
        lead = self.env["crm.lead"].browse(merged["res_id"])
        self.assertEqual(lead, self.won)
        self.assertFalse(other.exists())
        self.assertEqual(lead.outcome_state, "improved")
        self.assertEqual(lead.rating_last_value, 4)
        self.assertIn("More seats", lead.client_need)
        self.assertIn("Faster onboarding", lead.client_need)
        # the call done on the merged-away deal is kept, on the deal kept
        self.assertEqual(call.res_id, lead.id)
        self.assertEqual(
            self.figures(self.account),
            {
                "last_touch": self.ago(days=1),
                "waiting": 1,
                "late": 1,
                "neglected": False,
            },
        )

    def test_convert_a_lead_to_a_new_customer(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Gamma request",
                "type": "lead",
                "contact_name": "Gina Gamma",
                "partner_name": "Gamma Ltd",
                "email_from": "gina@gamma.example.com",
                "user_id": self.salesman.id,
            }
        )
        call = self.done(lead, self.ago(days=1), user=self.salesman)
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_user(self.salesman)
            .with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
            .create({"name": "convert", "action": "create"})
        )
        wizard.action_apply()
        account = lead.partner_id.commercial_partner_id
        self.assertTrue(account)
        self.assertEqual(self.figures(account)["last_touch"], call.done_datetime)

    def test_convert_a_lead_to_an_existing_customer_clears_its_flag(self):
        lead = self.env["crm.lead"].create(
            {"name": "Acme follow-up", "type": "lead", "user_id": self.salesman.id}
        )
        self.done(lead, self.ago(days=1), user=self.salesman)
        self.assertTrue(self.account.client_neglected)
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_user(self.salesman)
            .with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
            .create(
                {"name": "convert", "action": "exist", "partner_id": self.contact_b.id}
            )
        )
        with self.at(NOW):
            wizard.action_apply()
        self.assertEqual(lead.partner_id, self.contact_b)
        figures = self.figures(self.account)
        self.assertEqual(figures["last_touch"], self.ago(days=1))
        self.assertFalse(figures["neglected"])

    def test_duplicate_a_rated_deal_and_a_contact(self):
        copy = self.won.with_user(self.salesman).copy()
        self.assertFalse(copy.outcome_state)
        self.assertEqual(copy.rating_last_value, 0)
        self.assertFalse(copy.rating_ids)
        self.assertEqual(copy.impact_level, "3")
        contact = self.contact_a.with_user(self.salesman).copy()
        self.assertEqual(contact.commercial_partner_id, self.account)
        self.assertEqual(contact.last_touch_date, self.account.last_touch_date)
        self.assertFalse(contact.client_neglected)


@tagged("post_install", "-at_install", "client_value")
class TestContactFlows(FlowCase):
    def test_archive_and_restore_a_flagged_account(self):
        with self.at(NOW):
            self.account.with_user(self.salesman).action_archive()
        self.settle()
        self.assertFalse(self.account.client_neglected)
        self.assertEqual(
            self.events(self.account).mapped("kind"), ["cleared", "flagged"]
        )
        with self.at(NOW):
            self.account.with_user(self.salesman).action_unarchive()
        self.settle()
        self.assertTrue(self.account.client_neglected)

    def test_delete_the_contact_who_waits(self):
        with self.at(NOW):
            self.contact_a.with_user(self.salesman).unlink()
        self.assertFalse(self.request_a.exists())
        figures = self.figures(self.account)
        self.assertEqual((figures["waiting"], figures["neglected"]), (0, False))

    def test_the_contact_changes_company(self):
        """Alice moves from Acme to Delta with her waiting request: Acme is
        cleared, Delta (touched two days ago) keeps its last touch and now
        waits for her request."""
        with self.at(NOW):
            self.contact_a.with_user(self.salesman).parent_id = self.delta
        self.assertFalse(self.figures(self.account)["neglected"])
        delta = self.figures(self.delta)
        self.assertEqual(
            (delta["waiting"], delta["neglected"], delta["last_touch"]),
            (1, False, self.ago(days=2)),
        )

    def test_import_and_export(self):
        # Odoo's own rule: exports need this group; with Invoicing installed,
        # importing contacts reads their credit limit, for accounting readers.
        add_group(self.salesman, "base.group_allow_export")
        if self.env.ref("account.group_account_readonly", False):
            add_group(self.salesman, "account.group_account_readonly")
        Partner = self.env["res.partner"].with_user(self.salesman)
        exported = Partner.browse(self.contact_a.id).export_data(
            ["name", "parent_id/id", "last_touch_date", "client_neglected"]
        )["datas"]
        self.assertEqual(exported[0][0], "Alice Acme")
        result = Partner.load(
            ["name", "parent_id/.id"], [["Ivy Import", str(self.account.id)]]
        )
        self.assertFalse(result["messages"])
        ivy = Partner.browse(result["ids"])
        self.assertEqual(ivy.last_touch_date, self.account.last_touch_date)
        # The module's figures are not imported: a clear message, nothing written.
        refused = Partner.load(["name", "client_neglected"], [["Mallory", "False"]])
        self.assertFalse(refused["ids"])
        self.assertIn("kept by Client Value", refused["messages"][0]["message"])
        Lead = self.env["crm.lead"].with_user(self.salesman)
        leads = Lead.load(
            ["name", "type", "impact_level", "partner_id/.id"],
            [["Imported deal", "opportunity", "3", str(self.contact_b.id)]],
        )
        self.assertFalse(leads["messages"])
        self.assertEqual(Lead.browse(leads["ids"]).impact_score, 75)
        data = Lead.browse(self.won.id).export_data(
            ["name", "impact_level", "outcome_state", "rating_last_value"]
        )["datas"]
        self.assertEqual(data[0][1:], ["Significant", "Improved", 4.0])
