from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, new_test_user, tagged

from .common import ADMIN, CALL, NOW, ClientValueCase
from .compat import registry_test_mode

FOLLOWUP = "client_value.mail_activity_type_neglect_followup"
# Queries of a cron run flagging accounts in one batch, and of each batch.
# One query finds the changes, one more the oldest request of the accounts
# to flag; the requests of those accounts, made days ago, are also due soon
# and escalated in the same run: one query finds them, each signal is given
# to all of them at once.
ONE_BATCH_QUERIES = 44
BATCH_QUERIES = 15
# Queries of the daily re-run when nothing changed: taking and releasing the
# run's lock, ending the snoozes whose last day is past, the fallback user,
# the follow-up type, the one query over all accounts (which also checks
# their neglect moments), and the one over the requests' signals.
STEADY_QUERIES = 7
# Extra queries of an answer that clears a flagged account at once (the
# account's neglect moment included).
LIVE_CLEAR_QUERIES = 13


@tagged("post_install", "-at_install", "client_value")
class NeglectCommon(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.user_id = cls.salesman
        cls.Partner = cls.env["res.partner"]
        cls.Watch = cls.env["client_value.neglect.watch"]
        cls.followup_type = cls.env.ref(FOLLOWUP)
        # Settle whatever the database already holds, so each test only
        # sees the changes of its own accounts.
        with freeze_time(NOW):
            cls.Watch._cron_flag_neglected_accounts()
            cls.env.flush_all()

    def run_cron(self, when=NOW, **kwargs):
        with self.at(when):
            result = self.Watch._cron_flag_neglected_accounts(**kwargs)
            self.env.flush_all()
        self.env.invalidate_all()
        return result

    def followups(self, account):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", account.id),
                    ("activity_type_id", "=", self.followup_type.id),
                ]
            )
        )

    def events(self, account):
        return self.env["client_value.neglect.event"].search(
            [("partner_id", "=", account.id)]
        )

    def assertFlagged(self, account):
        self.assertTrue(account.client_neglected, f"{account.name} should be flagged")
        self.assertEqual(len(self.followups(account).filtered("active")), 1)
        self.assertEqual(self.events(account).mapped("kind"), ["flagged"])

    def assertNotFlagged(self, account):
        self.assertFalse(
            account.client_neglected, f"{account.name} should not be flagged"
        )
        self.assertFalse(self.followups(account))
        self.assertFalse(self.events(account))


@tagged("post_install", "-at_install", "client_value")
class TestNeglectRules(NeglectCommon):
    def test_flagged(self):
        request = self.request(self.contact_a, self.ago(days=5), summary="Invoice copy")
        self.run_cron()
        self.assertFlagged(self.account)
        self.assertFalse(self.contact_a.client_neglected, "the flag is on the account")
        self.assertTrue(self.contact_a.account_neglected)
        self.assertEqual(self.account.client_neglected_since, NOW.date())
        self.assertEqual(self.account.client_waiting_since, self.ago(days=5))
        reason = self.account.client_neglect_reason
        for part in ("A client request", "(5 days)", "30 days"):
            self.assertIn(part, reason)
        # The reason is read by whoever reads the account: it names no
        # request, contact or document (the Waiting button lists those the
        # reader may open).
        for part in ("Invoice copy", "Alice Acme"):
            self.assertNotIn(part, reason)
        followup = self.followups(self.account)
        self.assertEqual(followup.user_id, self.salesman)
        self.assertIn("(5 days)", str(followup.note))
        event = self.events(self.account)
        self.assertEqual(event.request_activity_id, request)
        self.assertEqual(event.activity_id, followup)
        self.assertEqual(event.user_id, self.salesman)
        self.assertEqual(event.waiting_since, self.ago(days=5))
        note = self.account.message_ids.filtered(
            lambda m: "Neglected account" in str(m.body)
        )
        self.assertEqual(len(note), 1)
        self.assertIn("(5 days)", str(note.body))
        with self.at(NOW):
            self.account.invalidate_recordset(["client_waiting_days"])
            self.assertEqual(self.account.client_waiting_days, 5)

    def test_not_flagged_after_a_done_sales_call(self):
        self.request(self.contact_a, self.ago(days=5))
        self.done(self.contact_a, self.ago(days=2), xmlid=CALL)
        self.run_cron()
        self.assertNotFlagged(self.account)

    def test_not_flagged_after_a_done_admin_task(self):
        self.request(self.contact_a, self.ago(days=5))
        self.done(self.lead_b, self.ago(days=2), xmlid=ADMIN)
        self.run_cron()
        self.assertNotFlagged(self.account)

    def test_not_flagged_when_answered_by_a_reply(self):
        self.request(self.contact_a, self.ago(days=5))
        self.reply(self.contact_a, self.ago(days=4))
        self.run_cron()
        self.assertNotFlagged(self.account)

    def test_a_note_does_not_rescue(self):
        self.request(self.contact_a, self.ago(days=5))
        self.reply(self.contact_a, self.ago(days=4), note=True)
        self.reply(self.lead_b, self.ago(days=3), note=True)
        self.run_cron()
        self.assertFlagged(self.account)

    def test_request_and_rescue_on_different_contacts(self):
        self.request(self.contact_a, self.ago(days=5))
        self.reply(self.contact_b, self.ago(days=3))
        self.run_cron()
        self.assertNotFlagged(self.account)
        # The reply on Bob did not answer Alice's request: it still waits.
        self.assertEqual(self.account.waiting_request_count, 1)

    def test_request_on_a_lead_rescued_on_a_contact(self):
        self.request(self.lead_b, self.ago(days=5))
        self.done(self.contact_a, self.ago(days=1), xmlid=CALL)
        self.run_cron()
        self.assertNotFlagged(self.account)

    def test_request_older_than_the_window(self):
        self.request(self.contact_a, self.ago(days=60))
        self.done(self.contact_b, self.ago(days=40), xmlid=CALL)
        self.run_cron()
        self.assertFlagged(self.account)
        self.assertIn("(60 days)", self.account.client_neglect_reason)

    def test_touch_exactly_at_the_window_boundary(self):
        # Window of 30 days, UTC: on 10 March it opens on 8 February 00:00.
        boundary = datetime(2026, 2, 8, 0, 0, 0)
        with self.at(NOW):
            self.assertEqual(self.env["client_value.care"]._day_start(30), boundary)
        other = self.Partner.create(
            {"name": "Other Corp", "is_company": True, "user_id": self.salesman.id}
        )
        self.request(self.contact_a, self.ago(days=45))
        self.request(other, self.ago(days=45))
        self.done(self.contact_b, boundary, xmlid=CALL)
        self.done(other, boundary - timedelta(seconds=1), xmlid=CALL)
        self.run_cron()
        self.assertNotFlagged(self.account)
        self.assertFlagged(other)

    def test_archived_partner(self):
        self.request(self.contact_a, self.ago(days=5))
        self.account.action_archive()
        self.run_cron()
        self.assertNotFlagged(self.account)
        # A flagged account that gets archived is cleared.
        other = self.Partner.create({"name": "Other Corp", "is_company": True})
        self.request(other, self.ago(days=5))
        self.run_cron()
        self.assertTrue(other.client_neglected)
        other.action_archive()
        self.run_cron()
        self.assertFalse(other.client_neglected)
        self.assertEqual(self.events(other).mapped("kind"), ["cleared", "flagged"])
        self.assertIn("archived", self.events(other)[0].reason)

    def test_no_salesperson_uses_the_fallback_user(self):
        fallback = new_test_user(
            self.env, login="cv_fallback", groups="sales_team.group_sale_manager"
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "client_value.neglect_fallback_user_id", fallback.id
        )
        lonely = self.Partner.create({"name": "Lonely Ltd", "is_company": True})
        self.request(lonely, self.ago(days=5))
        # Without salesperson, the leader of the account's sales team.
        leader = new_test_user(
            self.env, login="cv_leader", groups="sales_team.group_sale_manager"
        )
        team = self.env["crm.team"].create({"name": "Care Team", "user_id": leader.id})
        teamed = self.Partner.create({"name": "Teamed Ltd", "is_company": True})
        self.env["crm.lead"].create(
            {
                "name": "Teamed deal",
                "partner_id": teamed.id,
                "team_id": team.id,
                "user_id": False,
            }
        )
        self.request(teamed, self.ago(days=5))
        self.run_cron()
        self.assertEqual(self.followups(lonely).user_id, fallback)
        self.assertEqual(self.events(lonely).user_id, fallback)
        self.assertEqual(self.followups(teamed).user_id, leader)

    def test_unanswered_incoming_email(self):
        self.client_email(self.lead_b, self.ago(days=5))
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("client_value.count_incoming_email", "False")
        self.run_cron()
        self.assertNotFlagged(self.account)
        params.set_param("client_value.count_incoming_email", True)
        self.run_cron()
        self.assertFlagged(self.account)
        self.assertIn("(5 days)", self.account.client_neglect_reason)
        self.assertEqual(
            self.events(self.account).request_message_id.subject, "Help needed"
        )

    def test_rerun_is_idempotent(self):
        self.request(self.contact_a, self.ago(days=5))
        self.request(self.contact_b, self.ago(days=3))
        self.assertEqual(self.run_cron(), 1)
        self.assertEqual(self.run_cron(), 0)
        self.run_cron(NOW + timedelta(days=1))
        self.assertFlagged(self.account)
        self.assertIn(
            "2 client requests are waiting", self.account.client_neglect_reason
        )

    def test_existing_open_followup_is_reused(self):
        self.request(self.contact_a, self.ago(days=5))
        manual = self.account.activity_schedule(FOLLOWUP, user_id=self.salesman.id)
        self.run_cron()
        self.assertTrue(self.account.client_neglected)
        self.assertEqual(self.followups(self.account), manual)
        self.assertEqual(self.events(self.account).activity_id, manual)

    def test_recovery_clears_closes_and_logs(self):
        request = self.request(self.contact_a, self.ago(days=5))
        self.run_cron()
        self.assertFlagged(self.account)
        followup = self.followups(self.account)
        # The answer clears the flag at once, without the scheduled action.
        self.reply(self.contact_a, NOW + timedelta(hours=2))
        self.env.invalidate_all()
        self.assertTrue(request.date_answered)
        self.assertFalse(self.account.client_neglected)
        self.assertFalse(self.account.client_neglected_since)
        self.assertFalse(self.account.client_neglect_reason)
        self.assertFalse(followup.active, "the follow-up is marked done")
        self.assertEqual(followup.date_done, NOW.date())
        events = self.events(self.account)
        self.assertEqual(events.mapped("kind"), ["cleared", "flagged"])
        self.assertIn("answered", events[0].reason)
        self.assertEqual(events[0].activity_id, followup)
        self.assertEqual(events[0].date, NOW + timedelta(hours=2))
        note = self.account.message_ids.filtered(
            lambda m: "Follow-up done" in str(m.body)
        )
        self.assertEqual(len(note), 1)
        self.assertEqual(note.mail_activity_type_id, self.followup_type)
        # Recovered for good: the next runs change nothing.
        self.assertEqual(self.run_cron(NOW + timedelta(days=1)), 0)
        self.assertEqual(self.run_cron(NOW + timedelta(days=2)), 0)

    def test_recovery_by_another_touch(self):
        self.request(self.contact_a, self.ago(days=5))
        self.run_cron()
        self.done(self.contact_b, NOW + timedelta(hours=3), xmlid=CALL)
        self.env.invalidate_all()
        self.assertFalse(self.account.client_neglected, "cleared at once")
        self.assertEqual(self.run_cron(NOW + timedelta(days=1)), 0)
        self.assertIn("touched again", self.events(self.account)[0].reason)
        self.assertEqual(
            self.account.waiting_request_count, 1, "the request still waits"
        )


@tagged("post_install", "-at_install", "client_value")
class TestNeglectRobustness(NeglectCommon):
    def make_neglected_accounts(self, count):
        accounts = self.Partner.create(
            [
                {"name": f"Quiet {i}", "is_company": True, "user_id": self.salesman.id}
                for i in range(count)
            ]
        )
        for account in accounts:
            self.request(account, self.ago(days=5))
        return accounts

    def test_crash_between_batches_resumes_without_duplicates(self):
        accounts = self.make_neglected_accounts(3)
        model_class = type(self.Watch)
        original = model_class._apply
        calls = []

        def crash_on_second_batch(records, changes):
            calls.append(len(changes))
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return original(records, changes)

        with patch.object(model_class, "_apply", crash_on_second_batch):
            with self.assertRaisesRegex(RuntimeError, "worker killed"):
                self.run_cron(batch_size=1)
        self.env.invalidate_all()
        self.assertEqual(accounts.mapped("client_neglected"), [True, False, False])
        self.assertEqual(
            len(self.followups(accounts[1])), 0, "the crashed batch left nothing"
        )
        self.assertEqual(self.run_cron(batch_size=1), 2, "the next run resumes")
        for account in accounts:
            self.assertFlagged(account)

    def test_two_workers_with_the_same_changes_flag_once(self):
        self.request(self.contact_a, self.ago(days=5))
        with self.at(NOW):
            # Both workers selected the same changes before either wrote.
            first = self.Watch._changes()
            second = self.Watch._changes()
            self.Watch._apply(first)
            self.Watch._apply(second)
            self.env.flush_all()
        self.env.invalidate_all()
        self.assertFlagged(self.account)
        self.reply(self.contact_a, NOW + timedelta(hours=1))
        with self.at(NOW + timedelta(days=1)):
            first = self.Watch._changes()
            self.Watch._apply(first)
            self.Watch._apply(first)
            self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(
            self.events(self.account).mapped("kind"), ["cleared", "flagged"]
        )

    def count_queries(self, batch_size):
        """Queries of one cron run at NOW, flushes included."""
        self.env.flush_all()
        start = self.cr.sql_log_count
        with self.at(NOW):
            flagged = self.Watch._cron_flag_neglected_accounts(batch_size=batch_size)
            self.env.flush_all()
        return self.cr.sql_log_count - start, flagged

    def test_query_count_grows_with_batches_not_accounts(self):
        self.make_neglected_accounts(2)
        self.count_queries(100)  # warm the caches
        counts = {}
        for size in (3, 30):
            self.make_neglected_accounts(size)
            counts[size], flagged = self.count_queries(100)
            self.assertEqual(flagged, size)
        self.assertEqual(counts[3], counts[30], "one batch, whatever its size")
        self.make_neglected_accounts(30)
        with self.at(NOW), self.assertQueryCount(ONE_BATCH_QUERIES):
            self.Watch._cron_flag_neglected_accounts(batch_size=100)
        # Three batches: the per-batch queries three times, not per account.
        self.make_neglected_accounts(30)
        three, flagged = self.count_queries(10)
        self.assertEqual(flagged, 30)
        self.assertEqual(three - counts[30], 2 * BATCH_QUERIES, (three, counts))

    def test_steady_state_rerun_is_one_query_whatever_the_accounts(self):
        runs = []
        for size in (3, 30):
            self.make_neglected_accounts(size)
            self.assertEqual(self.count_queries(100)[1], size)
            runs.append(self.count_queries(100))
        self.assertEqual(runs, [(STEADY_QUERIES, 0), (STEADY_QUERIES, 0)])

    def test_direct_trigger_from_the_ui(self):
        self.request(self.contact_a, self.ago(days=5))
        cron = self.env.ref("client_value.ir_cron_flag_neglected_accounts")
        self.assertEqual(cron.model_id.model, "client_value.neglect.watch")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        with self.at(NOW), registry_test_mode(self):
            cron.method_direct_trigger()
            self.env.flush_all()
        self.env.invalidate_all()
        self.assertFlagged(self.account)

    def test_check_now_runs_the_watch_and_adds_no_cron_trigger(self):
        self.request(self.contact_a, self.ago(days=5))
        manager = new_test_user(
            self.env, login="cv_check_manager", groups="sales_team.group_sale_manager"
        )
        cron = self.env.ref("client_value.ir_cron_flag_neglected_accounts")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        with self.at(NOW):
            self.Partner.with_user(manager).action_check_neglected_accounts()
            self.env.flush_all()
        self.env.invalidate_all()
        self.assertFlagged(self.account)
        self.assertEqual(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]), triggers
        )


@tagged("post_install", "-at_install", "client_value")
class TestNeglectXmlRpc(HttpCase):
    def test_method_direct_trigger_through_xmlrpc(self):
        partner = self.env["res.partner"].create(
            {"name": "Remote Corp", "is_company": True}
        )
        partner.activity_schedule(
            "client_value.mail_activity_type_service_request",
            user_id=self.env.ref("base.user_admin").id,
            date_requested=datetime.now() - timedelta(days=5),
        )
        cron = self.env.ref("client_value.ir_cron_flag_neglected_accounts")
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, "admin", "admin", {})
        self.assertTrue(uid)
        self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            "admin",
            "ir.cron",
            "method_direct_trigger",
            [[cron.id]],
        )
        partner.invalidate_recordset()
        self.assertTrue(partner.client_neglected)
        events = self.env["client_value.neglect.event"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(events.kind, "flagged")


@tagged("post_install", "-at_install", "client_value")
class TestLiveNeglectState(NeglectCommon):
    """The flag follows the account at once: any answer or touch clears it in
    the same transaction; flagging stays the scheduled action's job."""

    def flagged_account(self, name):
        account = self.Partner.create(
            {"name": name, "is_company": True, "user_id": self.salesman.id}
        )
        contact = self.Partner.create(
            {"name": f"{name} contact", "parent_id": account.id}
        )
        self.request(contact, self.ago(days=5))
        return account, contact

    def reply_queries(self, contact):
        """Queries of a salesperson's reply on ``contact``, flushes included."""
        self.env.flush_all()
        start = self.cr.sql_log_count
        self.reply(contact, NOW + timedelta(hours=1))
        return self.cr.sql_log_count - start

    def test_an_answer_clears_at_once_at_a_constant_cost(self):
        quiet, quiet_contact = self.flagged_account("Quiet Ltd")
        flagged = [self.flagged_account(f"Flagged {i}") for i in range(3)]
        # Accounts whose request waits too, but that a call keeps unflagged.
        others = [self.flagged_account(f"Other {i}") for i in range(2)]
        for _account, contact in others:
            self.done(contact, self.ago(days=1), xmlid=CALL)
        self.run_cron()
        self.assertTrue(all(account.client_neglected for account, _c in flagged))
        self.assertFalse(any(account.client_neglected for account, _c in others))
        # The first reply of each kind warms caches (types, templates): the
        # second is measured.
        baseline = [self.reply_queries(contact) for _account, contact in others][1]
        costs = [self.reply_queries(contact) for _account, contact in flagged][1:]
        self.env.invalidate_all()
        for account, _contact in flagged:
            self.assertFalse(account.client_neglected)
            self.assertFalse(self.followups(account).filtered("active"))
            self.assertEqual(
                self.events(account).mapped("kind"), ["cleared", "flagged"]
            )
        # Clearing costs the same whatever the account, and a fixed number of
        # queries over an answer that clears nothing: re-checking the rule
        # and the waiting requests, the UPDATE, closing the follow-up, the
        # chatter note and the event.
        self.assertEqual(costs[0], costs[1])
        self.assertEqual(costs[0] - baseline, LIVE_CLEAR_QUERIES, (costs, baseline))
        self.assertTrue(quiet.client_neglected, "untouched accounts stay flagged")

    def test_a_new_request_does_not_clear_the_flag(self):
        account, contact = self.flagged_account("Still Quiet")
        self.run_cron()
        self.request(contact, NOW + timedelta(hours=1))
        self.client_email(contact, NOW + timedelta(hours=2))
        self.env.invalidate_all()
        self.assertTrue(account.client_neglected)
        self.assertEqual(self.events(account).mapped("kind"), ["flagged"])

    def test_banner_and_counts_agree(self):
        self.request(self.contact_a, self.ago(days=5))
        self.run_cron()
        figures = self.summary(self.account)
        # Flagged: the only touch of the window is the client's request,
        # still waiting (none of ours), and the reason says so.
        self.assertTrue(self.account.client_neglected)
        self.assertEqual(
            (figures["touches"], figures["service"], figures["open"]), (0, 0, 1)
        )
        self.assertIn("no other touch", self.account.client_neglect_reason)
        # A call: one touch of ours in the window, the request still
        # waiting, and at that same moment no banner any more.
        self.done(self.contact_b, NOW + timedelta(hours=1), xmlid=CALL)
        figures = self.summary(self.account, NOW + timedelta(hours=2))
        self.env.invalidate_all()
        self.assertEqual((figures["touches"], figures["open"]), (1, 1))
        self.assertFalse(self.account.client_neglected)
        self.assertFalse(self.contact_a.account_neglected)
