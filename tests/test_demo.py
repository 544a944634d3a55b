"""The demo data: a believable company that ``make demo`` opens on."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.client_value.demo.generate import ACCOUNTS, NEGLECTED


@tagged("post_install", "-at_install", "client_value")
class TestDemoData(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts = cls.env["res.partner"].search(
            [
                ("name", "in", [name for name, _city, _n in ACCOUNTS]),
                ("is_company", "=", True),
            ]
        )

    def test_demo_accounts_and_opportunities(self):
        self.assertEqual(len(self.accounts), len(ACCOUNTS))
        contacts = self.env["res.partner"].search(
            [("parent_id", "in", self.accounts.ids)]
        )
        self.assertGreaterEqual(len(contacts), len(ACCOUNTS))
        self.assertTrue(any(len(a.child_ids) > 1 for a in self.accounts))
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("partner_id", "in", contacts.ids)])
        )
        self.assertEqual(len(leads), 60)
        won = leads.filtered(lambda lead: lead.stage_id.is_won and lead.active)
        self.assertTrue(won)
        self.assertTrue(leads.filtered(lambda lead: not lead.active))
        self.assertTrue(leads.filtered(lambda lead: lead.client_fit == "poor"))
        self.assertTrue(leads.filtered("is_small_big_impact"))
        outcomes = set(won.mapped("outcome_state"))
        self.assertTrue({"improved", "unchanged", "worsened", "pending"} <= outcomes)
        self.assertTrue(won.filtered(lambda lead: lead.rating_last_value >= 1))
        # Never an impossible state.
        for lead in leads:
            if lead.outcome_state in ("improved", "unchanged", "worsened"):
                self.assertTrue(lead.stage_id.is_won, lead.name)
            if lead.client_fit == "poor":
                self.assertTrue(lead.client_fit_reason, lead.name)

    def test_every_touch_kind_and_answered_requests(self):
        touches = self.env["client_value.touch"].search(
            [("account_id", "in", self.accounts.ids)]
        )
        self.assertEqual(set(touches.mapped("kind")), {"sales", "service", "admin"})
        answered = touches.filtered(
            lambda t: t.is_request and t.state == "answered" and t.response_hours > 0
        )
        self.assertTrue(answered.filtered(lambda t: t.source == "activity"))
        self.assertTrue(answered.filtered(lambda t: t.source == "email_in"))

    def test_the_neglect_watch_flagged_the_prepared_accounts(self):
        flagged = self.env["res.partner"].search(
            [("client_neglected", "=", True), ("id", "in", self.accounts.ids)]
        )
        # Exactly the prepared accounts among ours (crm's own demo partners
        # may qualify too, by the same rule).
        self.assertEqual(set(flagged.mapped("name")), set(NEGLECTED))
        for account in flagged:
            self.assertEqual(account.waiting_request_count, 1)
            self.assertTrue(account.client_neglect_reason)
        events = self.env["client_value.neglect.event"].search(
            [("partner_id", "in", flagged.ids)]
        )
        self.assertEqual(set(events.mapped("kind")), {"flagged"})
