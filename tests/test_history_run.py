"""The client history, read after install a batch of accounts at a time:
install takes seconds whatever the history, a run stopped halfway resumes
where it was, and until an account is read its figures say so and the
neglect watch leaves it alone."""

from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.client_value.models import client_value_history_run

from .common import CALL, NOW
from .test_neglect import NeglectCommon

RUN = "client_value.history.run"


class HistoryCase(NeglectCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.accounts = Partner.create(
            [
                {"name": f"History {i}", "is_company": True, "user_id": cls.salesman.id}
                for i in range(5)
            ]
        )
        cls.contacts = Partner.create(
            [
                {"name": f"Client {i}", "parent_id": account.id}
                for i, account in enumerate(cls.accounts)
            ]
        )
        # A history as users made it: requests, some answered by a reply,
        # client emails, calls.
        for i, (account, contact) in enumerate(
            zip(cls.accounts, cls.contacts, strict=True)
        ):
            cls.request(contact, cls.ago(days=40 - i))
            cls.client_email(contact, cls.ago(days=20 - i), author=contact)
            if i % 2:
                cls.reply(contact, cls.ago(days=19 - i))
            if i == 4:
                cls.done(account, cls.ago(days=3), xmlid=CALL)

    def records(self):
        """The module's reading of the accounts' history."""
        ids = (self.accounts | self.contacts).ids
        self.env.flush_all()
        return {
            "messages": self.env.execute_query(
                SQL(
                    "SELECT id, client_touch, client_touch_date, date_answered, "
                    "answer_due, client_value_warn_at FROM mail_message "
                    "WHERE model = 'res.partner' AND res_id = ANY(%s) ORDER BY id",
                    ids,
                )
            ),
            "activities": self.env.execute_query(
                SQL(
                    "SELECT id, touch_kind, is_service_request, date_answered, "
                    "answer_due, client_value_escalate_at FROM mail_activity "
                    "WHERE res_model = 'res.partner' AND res_id = ANY(%s) "
                    "ORDER BY id",
                    ids,
                )
            ),
            "accounts": self.env.execute_query(
                SQL(
                    "SELECT id, last_touch_date, client_value_neglect_at "
                    "FROM res_partner WHERE id = ANY(%s) ORDER BY id",
                    ids,
                )
            ),
        }

    def forget(self):
        """As before install: the module has read nothing of the accounts."""
        ids = (self.accounts | self.contacts).ids
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """
                UPDATE mail_message SET client_touch = NULL,
                       client_touch_date = NULL, date_answered = NULL,
                       answered_by_id = NULL, answers_request = NULL,
                       answer_due = NULL, client_value_warn_at = NULL,
                       client_value_escalate_at = NULL
                 WHERE model = 'res.partner' AND res_id = ANY(%(ids)s);
                UPDATE mail_activity SET touch_kind = NULL,
                       is_service_request = NULL, date_answered = NULL,
                       answered_by_id = NULL, response_hours = NULL,
                       answer_due = NULL, client_value_warn_at = NULL,
                       client_value_escalate_at = NULL, done_datetime = NULL
                 WHERE res_model = 'res.partner' AND res_id = ANY(%(ids)s);
                UPDATE res_partner SET last_touch_date = NULL,
                       last_touch_kind = NULL, client_value_neglect_at = NULL
                 WHERE id = ANY(%(ids)s);
                """,
                ids=ids,
            )
        )
        self.env.invalidate_all()

    def new_run(self, kind="install"):
        """A run over the accounts of the test only (the database's others
        were read at install)."""
        return (
            self.env[RUN]
            .sudo()
            .create(
                {
                    "kind": kind,
                    "source_models": "res.partner,crm.lead",
                    "cursor": min(self.accounts.ids) - 1,
                    "last_account_id": max(self.accounts.ids),
                    "total": len(self.accounts),
                }
            )
        )


@tagged("post_install", "-at_install", "client_value")
class TestHistoryRun(HistoryCase):
    def test_a_run_stopped_after_a_batch_resumes_with_the_same_figures(self):
        """The must-show: the job is stopped after its first batch (a
        worker killed); the rerun completes it, and the figures are those
        of an uninterrupted read."""
        with self.at(NOW):
            self.forget()
            self.new_run()._read(commit=False, batch_size=2)
            uninterrupted = self.records()
            self.forget()
            run = self.new_run()
            original = type(run)._read_batch
            calls = []

            def killed_on_second_batch(records, batch):
                calls.append(batch)
                if len(calls) == 2:
                    raise RuntimeError("worker killed")
                return original(records, batch)

            with (
                patch.object(type(run), "_read_batch", killed_on_second_batch),
                self.assertRaisesRegex(RuntimeError, "worker killed"),
            ):
                run._read(commit=False, batch_size=2)
            self.assertEqual((run.state, run.done), ("running", 2))
            self.assertEqual(run.cursor, self.accounts[1].id)
            self.assertNotEqual(self.records(), uninterrupted, "half read")
            # The next run of the scheduled action resumes after the cursor.
            self.env[RUN]._cron_read_history(batch_size=2)
            self.assertEqual((run.state, run.done), ("done", 5))
            self.assertEqual(self.records(), uninterrupted)
        self.assertTrue(any(row[1] for row in uninterrupted["messages"]))
        self.assertTrue(any(row[1] for row in uninterrupted["activities"]))

    def test_unread_accounts_say_so_and_are_not_flagged(self):
        with self.at(NOW):
            self.forget()
            run = self.new_run()
            run._read(commit=False, batch_size=1)
            self.forget()
            # Reading again, stopped after the first account.
            run = self.new_run()
            run.write({"state": "running"})
            run.write({"cursor": self.accounts[0].id, "done": 1})
            self.env.registry.clear_cache()
            # Read the first account only.
            type(run)._read_batch(run, self.accounts[:1].ids)
            self.env.invalidate_all()
            # The first account is read; the third, as neglected, is not yet.
            first, second = self.accounts[0], self.accounts[2]
            self.assertFalse(first.client_value_history_pending)
            self.assertTrue(second.client_value_history_pending)
            self.assertTrue(self.contacts[2].client_value_history_pending)
            self.Watch._cron_flag_neglected_accounts()
            self.env.invalidate_all()
            self.assertTrue(first.client_neglected)
            self.assertFalse(second.client_neglected, "not read yet: left alone")
            banner = self.env["res.config.settings"].create({})
            self.assertIn("20%", banner.client_value_history_banner)
            self.assertIn("1 of 5 accounts", banner.client_value_history_banner)
            self.env[RUN]._cron_read_history()
            self.Watch._cron_flag_neglected_accounts()
            self.env.invalidate_all()
            self.assertTrue(second.client_neglected)
            self.assertFalse(second.client_value_history_pending)

    def test_a_large_database_is_read_in_the_background(self):
        """Install reads nothing itself when the database is large: the run
        waits for its scheduled action, which is triggered."""
        cron = self.env.ref(client_value_history_run.CRON)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with patch.object(client_value_history_run, "INLINE_ACCOUNTS", 2):
            run = self.env[RUN]._start("install", ["res.partner"])
        self.assertEqual(run.state, "pending")
        self.assertGreater(run.total, 2)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers + 1,
        )
        self.assertIn("Reading the client history: 0%", self.env[RUN]._banner())

    def test_a_run_gathers_the_planner_statistics_before_its_first_batch(self):
        """A database filled in bulk, with autovacuum behind or off, has no
        statistics for the planner, and the columns install adds have none
        anywhere: the first batch then compared every message with every
        record of the batch (more than 27 minutes at 200,000 accounts). The
        run gathers the statistics of the tables it reads before its first
        batch."""
        tables = ("res_partner", "crm_lead", "mail_message", "mail_activity")

        def analyzed():
            self.env.cr.execute("SELECT pg_stat_clear_snapshot()")
            return dict(
                self.env.execute_query(
                    SQL(
                        "SELECT relname, analyze_count FROM pg_stat_user_tables "
                        "WHERE relname IN %s",
                        tables,
                    )
                )
            )

        with patch.object(client_value_history_run, "INLINE_ACCOUNTS", 2):
            run = self.env[RUN]._start("install", ["res.partner", "crm.lead"])
        before = analyzed()
        at_first_batch = []
        history = client_value_history_run.history
        read_history = history.read_history

        def first_batch(*args, **kwargs):
            at_first_batch.append(at_first_batch or analyzed())
            return read_history(*args, **kwargs)

        with patch.object(history, "read_history", first_batch):
            run._read(commit=False)
        self.assertEqual(run.state, "done")
        for table in tables:
            self.assertGreater(at_first_batch[0][table], before[table], table)

    def test_a_small_database_is_read_at_once(self):
        run = self.env[RUN]._start("refresh")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.done, run.total)
        self.assertFalse(self.env[RUN]._banner())

    def test_changing_a_target_replans_through_a_run(self):
        runs = self.env[RUN].search_count([("kind", "=", "targets")])
        request = self.request(self.contacts[0], NOW - timedelta(hours=1))
        due = request.answer_due
        self.env.ref("client_value.response_target_normal").duration = 5
        self.assertEqual(
            self.env[RUN].search_count([("kind", "=", "targets")]), runs + 1
        )
        request.invalidate_recordset()
        self.assertGreater(request.answer_due, due)
