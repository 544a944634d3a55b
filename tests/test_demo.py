"""The demo data: a believable company that ``make demo`` opens on.

``make test`` installs the module with demo data next to Sales, Invoicing,
Project and OCA Helpdesk, so the demo's orders, invoices and tasks are here."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.client_value.demo.generate import (
    ACCOUNTS,
    NEGLECTED,
    NEGLECTED_THROUGH,
)

SOURCES = ("sale.order", "account.move", "project.task")


def months(moments):
    """The distinct (year, month) of ``moments`` (dates or datetimes)."""
    return {(moment.year, moment.month) for moment in moments if moment}


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
        cls.contacts = cls.env["res.partner"].search(
            [("commercial_partner_id", "in", cls.accounts.ids)]
        )
        cls.leads = (
            cls.env["crm.lead"]
            .with_context(active_test=False)
            .search([("partner_id", "in", cls.contacts.ids)])
        )
        cls.won = cls.leads.filtered(lambda lead: lead.stage_id.is_won and lead.active)
        cls.touches = cls.env["client_value.touch"].search(
            [("account_id", "in", cls.accounts.ids)]
        )

    def test_demo_accounts_and_opportunities(self):
        self.assertEqual(len(self.accounts), len(ACCOUNTS))
        self.assertGreaterEqual(len(self.contacts - self.accounts), len(ACCOUNTS))
        self.assertTrue(any(len(a.child_ids) > 1 for a in self.accounts))
        leads = self.leads
        # Two current deals per account, and earlier deals of the year.
        current = leads.filtered(
            lambda lead: lead.name.endswith((": Pilot", ": Rollout"))
        )
        self.assertEqual(len(current), 60)
        self.assertGreater(len(leads), 60)
        won = self.won
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
                self.assertGreaterEqual(lead.outcome_date, lead.date_closed.date())
            if lead.client_fit == "poor":
                self.assertTrue(lead.client_fit_reason, lead.name)

    def test_every_touch_kind_and_answered_requests(self):
        touches = self.touches
        self.assertEqual(set(touches.mapped("kind")), {"sales", "service", "admin"})
        answered = touches.filtered(
            lambda t: t.is_request and t.state == "answered" and t.response_hours > 0
        )
        self.assertTrue(answered.filtered(lambda t: t.source == "activity"))
        self.assertTrue(answered.filtered(lambda t: t.source == "email_in"))

    def test_touches_on_orders_invoices_and_tasks(self):
        for model in SOURCES:
            touches = self.touches.filtered(lambda t, model=model: t.res_model == model)
            self.assertTrue(
                touches.filtered(
                    lambda t: t.source == "activity" and t.state == "done"
                ),
                model,
            )
            self.assertTrue(
                touches.filtered(
                    lambda t: t.source == "email_in" and t.state == "answered"
                ),
                model,
            )
        # Requests on tasks are answered by a reply or by marking them done.
        self.assertTrue(
            self.touches.filtered(
                lambda t: t.res_model == "project.task"
                and t.source == "activity"
                and t.state == "answered"
            )
        )
        # The documents: orders confirmed and quoted, invoices posted, tasks
        # of the accounts' contacts.
        orders = self.env["sale.order"].search(
            [("partner_id", "in", self.contacts.ids)]
        )
        self.assertEqual(set(orders.mapped("state")), {"draft", "sale"})
        invoices = self.env["account.move"].search(
            [("partner_id", "in", self.contacts.ids), ("move_type", "=", "out_invoice")]
        )
        self.assertIn("posted", invoices.mapped("state"))
        tasks = self.env["project.task"].search(
            [("partner_id", "in", self.contacts.ids)]
        )
        self.assertGreaterEqual(len(tasks), len(ACCOUNTS))

    def test_the_neglect_watch_flagged_the_prepared_accounts(self):
        flagged = self.env["res.partner"].search(
            [("client_neglected", "=", True), ("id", "in", self.accounts.ids)]
        )
        # Exactly the prepared accounts among ours (crm's own demo partners
        # may qualify too, by the same rule).
        self.assertEqual(
            set(flagged.mapped("name")),
            set(NEGLECTED) | set(NEGLECTED_THROUGH.values()),
        )
        for account in flagged:
            self.assertEqual(account.waiting_request_count, 1)
            self.assertTrue(account.client_neglect_reason)
        events = self.env["client_value.neglect.event"].search(
            [("partner_id", "in", flagged.ids)]
        )
        self.assertEqual(set(events.mapped("kind")), {"flagged"})

    def test_accounts_flagged_through_an_order_an_invoice_and_a_task(self):
        now = fields.Datetime.now()
        window_start = self.env["client_value.care"]._day_start(30)
        for model, name in NEGLECTED_THROUGH.items():
            account = self.accounts.filtered(lambda a, name=name: a.name == name)
            self.assertTrue(account.client_neglected, name)
            touches = self.touches.filtered(lambda t, a=account: t.account_id == a)
            waiting = touches.filtered(lambda t: t.state == "waiting")
            # One email from the client on the document, late...
            self.assertEqual(len(waiting), 1, name)
            self.assertEqual(
                (waiting.res_model, waiting.source), (model, "email_in"), name
            )
            self.assertLessEqual(waiting.answer_due, now, name)
            # ...and no other touch in the window: the history is older.
            recent = touches.filtered(
                lambda t: t.date >= window_start
                or (t.date_answered and t.date_answered >= window_start)
            )
            self.assertEqual(recent, waiting, name)
            self.assertGreater(len(touches), len(waiting), name)
            event = self.env["client_value.neglect.event"].search(
                [("partner_id", "=", account.id), ("kind", "=", "flagged")]
            )
            self.assertEqual(event.request_message_id, waiting.message_id, name)

    def test_a_year_of_history(self):
        """Every monthly and weekly chart has a trend: wins, outcomes,
        ratings, requests and neglect events over the last twelve months."""
        year_ago = fields.Datetime.now() - timedelta(days=366)
        won = self.won
        self.assertGreaterEqual(len(months(won.mapped("date_closed"))), 11)
        self.assertGreaterEqual(len(won), 3 * 12, "several wins a month")
        self.assertTrue(all(lead.date_closed >= year_ago for lead in won))
        recorded = won.filtered(
            lambda lead: lead.outcome_state in ("improved", "unchanged", "worsened")
        )
        self.assertGreaterEqual(len(months(recorded.mapped("outcome_date"))), 11)
        ratings = self.env["rating.rating"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "in", self.leads.ids),
                ("consumed", "=", True),
            ]
        )
        self.assertGreaterEqual(len(months(ratings.mapped("create_date"))), 11)
        requests = self.touches.filtered("is_request")
        self.assertGreaterEqual(len(months(requests.mapped("date"))), 11)
        self.assertGreaterEqual(len(months(requests.mapped("date_answered"))), 11)
        events = self.env["client_value.neglect.event"].search(
            [("partner_id", "in", self.accounts.ids)]
        )
        self.assertGreaterEqual(len(months(events.mapped("date"))), 11)
        self.assertEqual(set(events.mapped("kind")), {"flagged", "cleared"})
        for kind in ("flagged", "cleared"):
            dated = events.filtered(lambda e, kind=kind: e.kind == kind)
            self.assertGreaterEqual(len(months(dated.mapped("date"))), 10, kind)
        # Each past episode: flagged once the request was late, cleared by
        # the answer, in that order.
        past = events.filtered(lambda e: e.partner_id.name not in NEGLECTED)
        by_account = {}
        for event in past.sorted("date"):
            by_account.setdefault(event.partner_id, []).append(event.kind)
        for account, kinds in by_account.items():
            if account.client_neglected:
                kinds = kinds[:-1]
            self.assertEqual(
                kinds, ["flagged", "cleared"] * (len(kinds) // 2), account.name
            )
