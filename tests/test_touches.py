from datetime import datetime
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.client_value.models import client_value_care, res_partner_care

from .common import ADMIN, CALL, NOW, SERVICE, ClientValueCase
from .compat import add_group, keep_done_field


@tagged("post_install", "-at_install", "client_value")
class TestTouchKinds(ClientValueCase):
    def test_stock_types_defaults(self):
        ref = self.env.ref
        for xmlid in (
            "mail_activity_data_email",
            "mail_activity_data_call",
            "mail_activity_data_meeting",
        ):
            activity_type = ref("mail." + xmlid)
            self.assertEqual(activity_type.touch_kind, "sales", xmlid)
            # Odoo's own flag is left as Odoo set it (18.0; 19.0 has none).
            if keep_done_field(self.env):
                self.assertFalse(activity_type.keep_done, xmlid)
        for xmlid in ("mail_activity_data_todo", "mail_activity_data_upload_document"):
            self.assertFalse(ref("mail." + xmlid).touch_kind, xmlid)
        self.assertEqual(ref(SERVICE).touch_kind, "service")
        self.assertEqual(ref(ADMIN).touch_kind, "admin")

    def test_done_touches_are_kept_whatever_keep_done(self):
        """Keep Done keeps its meaning in Odoo (showing done activities in the
        activity view); the touch history does not depend on it."""
        values = {"name": "Quick chat", "touch_kind": "sales"}
        if keep_done_field(self.env):  # 18.0; 19.0 keeps every done activity
            values["keep_done"] = False
        chat = self.env["mail.activity.type"].create(values)
        done = self.done(self.contact_a, self.ago(days=1), xmlid=CALL)
        self.assertTrue(done.exists())
        self.assertFalse(done.active)
        with self.at(self.ago(days=1)):
            quick = self.contact_a.activity_schedule(
                activity_type_id=chat.id, user_id=self.salesman.id
            )
            quick.action_done()
        self.assertTrue(quick.exists(), "done touches are history")
        self.assertEqual(quick.done_datetime, self.ago(days=1))
        # Activities that are no touch are deleted when done, as in Odoo 18.0
        # (19.0 archives every done activity).
        todo = self.done(
            self.contact_a, self.ago(days=1), xmlid="mail.mail_activity_data_todo"
        )
        self.assertEqual(bool(todo.exists()), not keep_done_field(self.env))

    def test_unknown_touch_kind_is_refused(self):
        with self.assertRaisesRegex(ValueError, "Wrong value"):
            self.env["mail.activity.type"].create(
                {"name": "Gossip", "touch_kind": "gossip"}
            )
        with self.assertRaisesRegex(ValueError, "Wrong value"):
            self.env.ref(CALL).write({"touch_kind": "gossip"})

    def test_activity_touch_kind_follows_type(self):
        request = self.request(self.contact_a, NOW)
        self.assertEqual(request.touch_kind, "service")
        self.assertTrue(request.is_service_request)
        self.assertEqual(request.date_requested, NOW)
        call = self.request(self.contact_a, NOW, xmlid=CALL)
        self.assertEqual(call.touch_kind, "sales")
        self.assertFalse(call.is_service_request)
        todo = self.request(self.contact_a, NOW, xmlid="mail.mail_activity_data_todo")
        self.assertFalse(todo.touch_kind)


@tagged("post_install", "-at_install", "client_value")
class TestServiceRequests(ClientValueCase):
    def test_keep_done_history(self):
        call = self.done(self.contact_b, self.ago(days=1), xmlid=CALL)
        self.assertTrue(call.exists(), "done touch activities are kept")
        self.assertFalse(call.active)
        self.assertEqual(call.date_done, self.ago(days=1).date())
        self.assertEqual(call.done_datetime, self.ago(days=1))
        touch = self.env["client_value.touch"].search([("activity_id", "=", call.id)])
        self.assertEqual(touch.state, "done")
        self.assertEqual(touch.kind, "sales")
        self.assertEqual(touch.date, self.ago(days=1))
        self.assertEqual(touch.account_id, self.account)
        # A type without touch kind still loses its done activities (18.0).
        todo = self.done(
            self.contact_b, self.ago(days=1), xmlid="mail.mail_activity_data_todo"
        )
        self.assertEqual(bool(todo.exists()), not keep_done_field(self.env))

    def test_answered_by_done(self):
        request = self.request(self.contact_a, self.ago(days=2))
        self.assertFalse(request.date_answered)
        with self.at(self.ago(days=1, hours=12)):
            request.action_done()
            self.env.flush_all()
        self.assertEqual(request.date_answered, self.ago(days=1, hours=12))
        self.assertAlmostEqual(request.response_hours, 12.0)
        self.assertEqual(self.summary(self.account)["open"], 0)

    def test_answered_by_email_reply(self):
        request = self.request(self.contact_a, self.ago(days=2))
        message = self.reply(self.contact_a, self.ago(days=2, hours=-3))
        self.assertEqual(message.client_touch, "outgoing")
        self.assertTrue(message.answers_request)
        self.assertTrue(request.active, "a reply answers, it does not close")
        self.assertEqual(request.date_answered, self.ago(days=2, hours=-3))
        self.assertAlmostEqual(request.response_hours, 3.0)
        # A later reply does not move the answer date.
        self.reply(self.contact_a, self.ago(days=1))
        self.assertEqual(request.date_answered, self.ago(days=2, hours=-3))

    def test_note_does_not_answer(self):
        request = self.request(self.contact_a, self.ago(days=2))
        note = self.reply(self.contact_a, self.ago(days=1), note=True)
        self.assertFalse(note.client_touch)
        self.assertFalse(request.date_answered)
        self.assertEqual(self.summary(self.account)["open"], 1)

    def test_reply_elsewhere_or_before_does_not_answer(self):
        self.reply(self.contact_a, self.ago(days=3))
        request = self.request(self.contact_a, self.ago(days=2))
        self.assertFalse(request.date_answered, "a message older than the request")
        self.reply(self.contact_b, self.ago(days=1))
        self.assertFalse(request.date_answered, "a message on another record")

    def test_request_on_lead_answered_on_lead(self):
        request = self.request(self.lead_b, self.ago(days=2))
        self.reply(self.lead_b, self.ago(days=1))
        self.assertEqual(request.date_answered, self.ago(days=1))

    def test_incoming_email_without_reply(self):
        email = self.client_email(self.lead_b, self.ago(days=2))
        self.assertEqual(email.client_touch, "incoming")
        self.assertFalse(email.date_answered)
        summary = self.summary(self.account)
        self.assertEqual(summary["open"], 1)
        # The client's email is the client's request, not a touch of ours.
        self.assertEqual(summary["service"], 0)
        self.assertEqual(summary["last_touch_kind"], "service")
        touch = self.env["client_value.touch"].search([("message_id", "=", email.id)])
        self.assertEqual(touch.state, "waiting")
        self.assertEqual(touch.partner_id, self.contact_b)
        self.assertEqual(touch.lead_id, self.lead_b)
        # The setting off: still the client's touch, no longer a pending
        # request; never one of ours.
        self.env["ir.config_parameter"].sudo().set_param(
            "client_value.count_incoming_email", "False"
        )
        summary = self.summary(self.account)
        self.assertEqual(summary["open"], 0)
        self.assertEqual(summary["service"], 0)
        self.assertEqual(summary["last_touch_kind"], "service")

    def test_incoming_email_with_reply(self):
        email = self.client_email(self.account, self.ago(days=2))
        self.assertEqual(email.client_touch, "incoming", "posted on the account itself")
        reply = self.reply(self.account, self.ago(days=2, hours=-4))
        self.assertEqual(email.date_answered, self.ago(days=2, hours=-4))
        self.assertTrue(reply.answers_request)
        summary = self.summary(self.account)
        self.assertEqual(summary["open"], 0)
        self.assertAlmostEqual(summary["avg_hours"], 4.0)
        self.assertEqual(
            summary["touches"], 1, "the reply is part of the email's touch"
        )

    def test_email_from_outside_the_account_is_no_touch(self):
        email = self.client_email(self.lead_b, self.ago(days=1), author=self.stranger)
        self.assertFalse(email.client_touch)
        self.assertEqual(self.summary(self.account)["touches"], 0)


@tagged("post_install", "-at_install", "client_value")
class TestCareSummary(ClientValueCase):
    def test_must_show(self):
        request = self.request(self.contact_a, self.ago(days=3))
        self.reply(self.contact_a, self.ago(days=3, hours=-5))
        self.done(self.contact_b, self.ago(days=1), xmlid=CALL)
        self.assertAlmostEqual(request.response_hours, 5.0)
        summary = self.summary(self.account)
        self.assertEqual(summary["touches"], 2)
        self.assertEqual(summary["open"], 0)
        self.assertAlmostEqual(summary["avg_hours"], 5.0)
        self.assertEqual(summary["last_touch_kind"], "sales")
        self.assertEqual(summary["last_touch_date"], self.ago(days=1))
        self.assertEqual(summary["last_sales_touch_date"], self.ago(days=1))
        self.assertEqual(
            (summary["sales"], summary["service"], summary["admin"]), (1, 1, 0)
        )

    def test_aggregation_across_contacts(self):
        self.request(self.contact_a, self.ago(days=5))
        self.done(self.contact_b, self.ago(days=4), xmlid=ADMIN)
        self.done(self.lead_b, self.ago(days=3), xmlid=CALL)
        self.done(self.account, self.ago(days=2), xmlid=CALL)
        self.reply(self.contact_a, self.ago(days=1, hours=2))  # answers the request
        self.reply(self.lead_b, self.ago(days=1))  # a plain outgoing message
        expected = {
            "touches": 5,
            "sales": 3,
            "service": 1,
            "admin": 1,
            "open": 0,
            "last_touch_kind": "sales",
            "last_touch_date": self.ago(days=1),
        }
        for partner in (self.account, self.contact_a, self.contact_b):
            summary = self.summary(partner)
            self.assertEqual(
                {key: summary[key] for key in expected}, expected, partner.name
            )
        self.assertEqual(self.summary(self.stranger)["touches"], 0)

    def test_window_and_response_period(self):
        old = self.request(self.contact_a, self.ago(days=120))
        self.reply(self.contact_a, self.ago(days=119))
        self.assertAlmostEqual(old.response_hours, 24.0)
        self.request(self.contact_a, self.ago(days=40))
        summary = self.summary(self.account)
        self.assertEqual(
            summary["touches"], 0, "both requests are older than the window"
        )
        self.assertEqual(summary["open"], 1, "an old request still waits")
        self.assertEqual(summary["avg_hours"], 0.0, "answered more than 90 days ago")

    def test_timezone_around_midnight(self):
        # 2026-03-01 00:30 in Brussels (UTC+1) is still 2026-02-28 in UTC.
        self.done(self.contact_b, datetime(2026, 2, 28, 23, 30), xmlid=CALL)
        self.done(self.contact_b, datetime(2026, 2, 28, 22, 30), xmlid=CALL)
        # On 2026-03-31 (UTC+2 after the switch to summer time) the 30-day
        # window starts on March 1st, midnight, in the user's timezone.
        now = datetime(2026, 3, 31, 10, 0)
        self.assertEqual(
            self.summary(self.account, now, tz="Europe/Brussels")["touches"], 1
        )
        self.assertEqual(self.summary(self.account, now, tz="UTC")["touches"], 0)
        # 22:30 UTC on the 31st is already April 1st in Brussels: the window
        # moved by one day there, not in UTC.
        late = datetime(2026, 3, 31, 22, 30)
        self.assertEqual(
            self.summary(self.account, late, tz="Europe/Brussels")["touches"], 0
        )
        self.assertEqual(self.summary(self.account, late, tz="UTC")["touches"], 0)
        # 22:30 UTC on the 30th: the 31st in Brussels, the 30th in UTC.
        day_before = datetime(2026, 3, 30, 22, 30)
        self.assertEqual(self.summary(self.account, day_before, tz="UTC")["touches"], 2)
        self.assertEqual(
            self.summary(self.account, day_before, tz="Europe/Brussels")["touches"], 1
        )
        # Without context timezone, the user's own timezone applies.
        self.salesman.tz = "Europe/Brussels"
        account = self.account.with_user(self.salesman).with_context(tz=False)
        self.assertEqual(self.summary(account, now)["touches"], 1)

    def test_a_long_list_reads_the_figures_at_once_and_the_same(self):
        """A list of many accounts (an export) reads their figures in one
        query over the touches; they are the figures read a batch at a
        time."""
        Partner = self.env["res.partner"]
        accounts = Partner.create(
            [{"name": f"Long list {i}", "is_company": True} for i in range(6)]
        )
        for i, account in enumerate(accounts):
            self.request(account, self.ago(days=2 + i))
            if i % 2:
                self.done(account, self.ago(days=1), xmlid=CALL)
            if i % 3 == 0:
                self.reply(account, self.ago(days=1, hours=i))
        fields = [
            "waiting_request_count",
            "late_request_count",
            "avg_response_hours",
            "touch_count",
            "sales_touch_count",
            "service_touch_count",
        ]
        with self.at(NOW):
            one_by_one = [account.read(fields)[0] for account in accounts]
            self.env.invalidate_all()
            with (
                patch.object(client_value_care, "BULK_ACCOUNTS", 2),
                patch.object(res_partner_care, "BULK_ACCOUNTS", 2),
                patch.object(
                    type(self.env["client_value.care"]),
                    "_summary",
                    autospec=True,
                    side_effect=type(self.env["client_value.care"])._summary,
                ) as summary,
            ):
                # The first figure read computes those of the whole list.
                listed = accounts.with_context(prefetch_fields=False)
                for account in listed:
                    account.touch_count  # noqa: B018
                self.assertEqual(summary.call_count, 1)
                self.assertTrue(summary.call_args.kwargs["bulk"])
            at_once = listed.read(fields)
        self.assertEqual(at_once, one_by_one)

    def test_an_export_of_more_than_a_thousand_accounts_reads_them_at_once(self):
        """Odoo computes a field a thousand records at a time, and exports a
        thousand at a time: an export of more accounts still reads their
        figures in one query over the touches, with the same figures."""
        accounts = self.env["res.partner"].create(
            [{"name": f"Export {i:04d}", "is_company": True} for i in range(1100)]
        )
        self.request(accounts[-1], self.ago(days=2))
        Care = type(self.env["client_value.care"])
        with self.at(NOW):
            self.env.invalidate_all()
            with (
                patch.object(res_partner_care, "BULK_ACCOUNTS", 500),
                patch.object(
                    Care, "_summary", autospec=True, side_effect=Care._summary
                ) as summary,
            ):
                rows = accounts.export_data(["name", "waiting_request_count"])
            self.assertEqual(summary.call_count, 1)
            self.assertTrue(summary.call_args.kwargs["bulk"])
            self.assertEqual(rows["datas"][-1], ["Export 1099", 1])
            self.assertEqual({row[1] for row in rows["datas"][:-1]}, {0})
            self.env.invalidate_all()
            self.assertEqual(accounts[-1].waiting_request_count, 1)

    def test_summary_query_count_does_not_grow_with_partners(self):
        Partner = self.env["res.partner"]

        def make_accounts(count):
            accounts = Partner.create(
                [{"name": f"Account {i}", "is_company": True} for i in range(count)]
            )
            contacts = Partner.create(
                [
                    {"name": f"Contact {i}", "parent_id": a.id}
                    for i, a in enumerate(accounts)
                ]
            )
            for contact in contacts:
                self.request(contact, self.ago(days=2))
                self.done(contact, self.ago(days=1), xmlid=CALL)
            return accounts | contacts

        fields = [
            "last_touch_date",
            "last_touch_kind",
            "last_sales_touch_date",
            "waiting_request_count",
            "avg_response_hours",
            "touch_count",
            "sales_touch_count",
            "service_touch_count",
            "admin_touch_count",
        ]
        few, many = make_accounts(2), make_accounts(20)
        with self.at(NOW):
            few.read(fields)  # warm the parameter caches
            for partners in (few, many):
                partners.invalidate_recordset()
                # The partners, their internal-only stored fields (fetched
                # apart, as Odoo fetches fields restricted to groups), and
                # the summary.
                with self.assertQueryCount(3):
                    values = partners.read(fields)
                self.assertTrue(
                    all(
                        v["touch_count"] == 1 and v["waiting_request_count"] == 1
                        for v in values
                    )
                )

    def test_search_waiting_for_an_answer(self):
        self.request(self.contact_a, self.ago(days=2))
        Partner = self.env["res.partner"]
        waiting = Partner.search([("waiting_request_count", ">", 0)])
        self.assertIn(self.account, waiting)
        self.assertIn(self.contact_b, waiting, "contacts follow their account")
        self.assertNotIn(self.stranger, waiting)
        quiet = Partner.search([("waiting_request_count", "=", 0)])
        self.assertIn(self.stranger, quiet)
        self.assertNotIn(self.account, quiet)

    def test_timeline_newest_first(self):
        self.request(self.contact_a, self.ago(days=3))
        self.done(self.lead_b, self.ago(days=2), xmlid=ADMIN)
        email = self.client_email(
            self.contact_b, self.ago(days=1), author=self.contact_b
        )
        timeline = self.contact_a.account_touch_ids
        self.assertEqual(timeline.mapped("kind"), ["service", "admin", "service"])
        self.assertEqual(timeline.mapped("state"), ["waiting", "done", "waiting"])
        self.assertEqual(timeline[0].message_id, email)
        self.assertEqual(timeline[1].lead_id, self.lead_b)
        self.assertEqual(timeline[1].user_id, self.salesman)
        self.assertEqual(timeline[2].partner_id, self.contact_a)
        action = self.contact_a.action_view_waiting_requests()
        self.assertEqual(
            self.env["client_value.touch"].search(action["domain"]),
            timeline[0] | timeline[2],
        )


@tagged("post_install", "-at_install", "client_value")
class TestTouchAccess(ClientValueCase):
    def test_salesman_sees_touches_of_own_leads_and_contacts(self):
        other_lead = self.env["crm.lead"].create(
            {
                "name": "Acme side deal",
                "partner_id": self.contact_a.id,
                "user_id": self.other_salesman.id,
                "company_id": self.company.id,
            }
        )
        self.done(other_lead, self.ago(days=1), xmlid=CALL, user=self.other_salesman)
        self.done(self.lead_b, self.ago(days=1), xmlid=CALL)
        self.done(
            self.contact_a, self.ago(days=1), xmlid=CALL, user=self.other_salesman
        )
        touches = (
            self.env["client_value.touch"]
            .with_user(self.salesman)
            .search([("account_id", "=", self.account.id)])
        )
        self.assertEqual(touches.lead_id, self.lead_b)
        self.assertEqual(len(touches), 2, "own lead and contact, not the other's lead")
        with self.assertRaises(AccessError):
            touches.with_user(self.salesman).write({"summary": "x"})
        manager = self.env["client_value.touch"].with_user(self.other_salesman)
        add_group(self.other_salesman, "sales_team.group_sale_salesman_all_leads")
        self.assertEqual(len(manager.search([("account_id", "=", self.account.id)])), 3)

    def test_other_company_leads_are_not_counted(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign_lead = self.env["crm.lead"].create(
            {
                "name": "Foreign deal",
                "partner_id": self.contact_a.id,
                "company_id": other_company.id,
            }
        )
        self.done(foreign_lead, self.ago(days=1), xmlid=CALL)
        self.done(self.lead_b, self.ago(days=1), xmlid=CALL)
        account = self.account.with_context(allowed_company_ids=[self.company.id])
        self.assertEqual(self.summary(account)["touches"], 1)
        both = self.account.with_context(
            allowed_company_ids=[self.company.id, other_company.id]
        )
        self.assertEqual(self.summary(both)["touches"], 2)
        self.salesman.company_ids = self.company
        touches = (
            self.env["client_value.touch"]
            .with_user(self.salesman)
            .search([("account_id", "=", self.account.id)])
        )
        self.assertEqual(touches.lead_id, self.lead_b)


@tagged("post_install", "-at_install", "client_value")
class TestLastTouch(ClientValueCase):
    """The last touch is stored on every account and its contacts, kept
    current by each touch, and lists sort, filter and group on it."""

    def test_sort_filter_and_group_accounts_by_last_touch(self):
        Partner = self.env["res.partner"]
        recent = Partner.create(
            {"name": "Recent Ltd", "is_company": True, "user_id": self.salesman.id}
        )
        stale = Partner.create(
            {"name": "Stale Ltd", "is_company": True, "user_id": self.salesman.id}
        )
        quiet = Partner.create(
            {"name": "Quiet Ltd", "is_company": True, "user_id": self.other_salesman.id}
        )
        self.done(recent, self.ago(days=2), xmlid=CALL)
        self.request(stale, self.ago(days=40))
        self.reply(self.contact_a, self.ago(days=10))
        accounts = recent | stale | quiet | self.account
        self.assertEqual(recent.last_touch_date, self.ago(days=2))
        self.assertEqual(recent.last_touch_kind, "sales")
        self.assertEqual(stale.last_touch_kind, "service")
        self.assertFalse(quiet.last_touch_date)
        # Contacts show their account's last touch.
        self.assertEqual(self.contact_b.last_touch_date, self.ago(days=10))

        ordered = Partner.search(
            [("id", "in", accounts.ids)], order="last_touch_date desc nulls last"
        )
        self.assertEqual(ordered, recent | self.account | stale | quiet)
        month_ago = self.ago(days=30)
        not_touched = Partner.search(
            [
                ("id", "in", accounts.ids),
                "|",
                ("last_touch_date", "=", False),
                ("last_touch_date", "<", month_ago),
            ]
        )
        self.assertEqual(not_touched, stale | quiet)
        groups = dict(
            Partner._read_group(
                [("id", "in", accounts.ids)], ["user_id"], ["last_touch_date:max"]
            )
        )
        self.assertEqual(groups[self.salesman], self.ago(days=2))
        self.assertFalse(groups[self.other_salesman])
        kinds = dict(
            Partner._read_group(
                [("id", "in", accounts.ids)], ["last_touch_kind"], ["__count"]
            )
        )
        self.assertEqual(kinds, {"sales": 2, "service": 1, False: 1})

    def test_search_filters_of_the_customer_list(self):
        view = self.env.ref("client_value.res_partner_view_search_inherit_client_value")
        names = {
            node.get("name") for node in etree.fromstring(view.arch).iter("filter")
        }
        self.assertLessEqual({"not_touched_30", "not_touched_90"}, names)

    def test_a_contact_that_changes_account_takes_its_last_touch(self):
        Partner = self.env["res.partner"]
        other = Partner.create({"name": "Other Corp", "is_company": True})
        self.done(other, self.ago(days=3), xmlid=CALL)
        self.done(self.contact_a, self.ago(days=1), xmlid=CALL)
        self.assertEqual(self.account.last_touch_date, self.ago(days=1))
        self.contact_a.parent_id = other
        self.env.invalidate_all()
        self.assertEqual(self.contact_a.last_touch_date, self.ago(days=1))
        self.assertEqual(other.last_touch_date, self.ago(days=1))
        self.assertFalse(self.account.last_touch_date, "Acme has no touch left")
        newcomer = Partner.create({"name": "New at Other", "parent_id": other.id})
        self.assertEqual(newcomer.last_touch_date, self.ago(days=1))


@tagged("post_install", "-at_install", "client_value")
class TestTouchCost(ClientValueCase):
    """What the touch rule adds to posting a message or scheduling an
    activity: nothing on documents that carry no touches, a constant number
    of queries on contacts and opportunities."""

    # Extra queries of a message on a contact or an opportunity: classifying
    # it; an email from the client also plans when it is due soon, late and
    # escalated on the company's calendar (its leaves, whether the account
    # is a key account, the update) and refreshes the account's last touch
    # and neglect moment; a message sent to the client answers the waiting
    # requests and refreshes the last touch and the neglect moment (the flag
    # is reconsidered only when the account is flagged:
    # tests/test_neglect.py).
    EXTRA_NOTE = 1
    EXTRA_EMAIL_IN = 7
    EXTRA_SENT = 4

    def queries(self, post, hook=True):
        """Queries of ``post()``, with or without the module's hook."""
        Message = type(self.env["mail.message"])
        self.env.flush_all()
        with self.at(NOW):
            if hook:
                start = self.cr.sql_log_count
                post()
                self.env.flush_all()
                return self.cr.sql_log_count - start
            with patch.object(Message, "_client_value_candidate", return_value=False):
                start = self.cr.sql_log_count
                post()
                self.env.flush_all()
                return self.cr.sql_log_count - start

    def extra(self, record, **kwargs):
        def post():
            record.message_post(body="Hello", **kwargs)

        post()  # warm the caches
        without = self.queries(post, hook=False)
        with_hook = self.queries(post)
        return with_hook - without

    def test_extra_queries_of_a_message(self):
        sent = {
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "author_id": self.salesman.partner_id.id,
        }
        note = dict(sent, subtype_xmlid="mail.mt_note")
        email_in = dict(sent, message_type="email", author_id=self.contact_a.id)
        for record in (self.contact_a, self.lead_b):
            with self.subTest(record=record._name):
                self.assertEqual(self.extra(record, **note), self.EXTRA_NOTE)
                self.assertEqual(self.extra(record, **email_in), self.EXTRA_EMAIL_IN)
                self.assertEqual(self.extra(record, **sent), self.EXTRA_SENT)

    def test_no_extra_query_elsewhere(self):
        meeting = self.env["calendar.event"].create(
            {"name": "Not a client document", "start": NOW, "stop": NOW}
        )
        for kwargs in (
            {"message_type": "comment", "subtype_xmlid": "mail.mt_comment"},
            {"message_type": "comment", "subtype_xmlid": "mail.mt_note"},
            {"message_type": "email", "author_id": self.contact_a.id},
        ):
            with self.subTest(**kwargs):
                self.assertEqual(self.extra(meeting, **kwargs), 0)


@tagged("post_install", "-at_install", "client_value")
class TestOneReaderOfRequests(ClientValueCase):
    """*Unanswered Emails Are Requests* is read the same way by every figure:
    the contact's card, the team card, the digest, the timeline and the
    neglect watch; its default is written once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["crm.team"].create(
            {"name": "CV One Reader", "member_ids": [(6, 0, cls.salesman.ids)]}
        )
        cls.account.user_id = cls.salesman
        cls.digest = cls.env.ref("digest.digest_digest_default")

    def setUp(self):
        super().setUp()
        self.email = self.client_email(self.contact_a, self.ago(days=10))

    def figures(self):
        with self.at(NOW):
            self.env.invalidate_all()
            digest = self.digest.with_context(
                start_datetime=self.ago(days=30), end_datetime=NOW
            )
            touch = self.env["client_value.touch"].search(
                [("message_id", "=", self.email.id)]
            )
            return {
                "card_waiting": self.account.waiting_request_count,
                "card_late": self.account.late_request_count,
                "team_late": self.team.client_late_request_count,
                "digest_late": digest.kpi_client_value_late_requests_value,
                "timeline_waiting": touch.state == "waiting",
                "waiting_filter": self.env["res.partner"].search_count(
                    [("id", "=", self.account.id), ("waiting_request_count", ">", 0)]
                ),
                "waiting_list": self.env["client_value.touch"].search_count(
                    self.account.action_view_waiting_requests()["domain"]
                ),
            }

    def test_off_every_figure_ignores_the_email(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "client_value.count_incoming_email", "False"
        )
        self.assertEqual(
            self.figures(),
            {
                "card_waiting": 0,
                "card_late": 0,
                "team_late": 0,
                "digest_late": 0,
                "timeline_waiting": False,
                "waiting_filter": 0,
                "waiting_list": 0,
            },
        )

    def test_on_every_figure_counts_the_email(self):
        self.assertEqual(
            self.figures(),
            {
                "card_waiting": 1,
                "card_late": 1,
                "team_late": 1,
                "digest_late": 1,
                "timeline_waiting": True,
                "waiting_filter": 1,
                "waiting_list": 1,
            },
        )

    def test_one_default(self):
        from odoo.addons.client_value.tools import settings

        params = self.env["ir.config_parameter"].sudo()
        params.search([("key", "=", "client_value.count_incoming_email")]).unlink()
        self.assertIs(settings.SETTINGS["count_incoming_email"].default, True)
        self.assertIs(settings.get(self.env, "count_incoming_email"), True)
        self.assertEqual(self.figures()["card_waiting"], 1)
        form = self.env["res.config.settings"].create({})
        self.assertTrue(form.client_value_count_incoming_email)
        # Unticked in the form, the setting is off, and stays off.
        form.client_value_count_incoming_email = False
        form.execute()
        self.assertIs(settings.get(self.env, "count_incoming_email"), False)
        self.assertFalse(
            self.env["res.config.settings"].create({}).client_value_count_incoming_email
        )
        self.assertEqual(self.figures()["card_waiting"], 0)
