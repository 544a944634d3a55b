"""A salesperson's day: figures that cannot be misread, lists that lead
somewhere, a to-do list that holds only what needs doing."""

import base64
import json
from datetime import datetime, timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_datetime
from odoo.tools.safe_eval import safe_eval

from .common import NOW, SERVICE, ClientValueCase


@tagged("post_install", "-at_install", "client_value")
class TestFiguresReadRight(ClientValueCase):
    """What we did for the client and what the client asked are never
    confused on one card."""

    def card_node(self, fname):
        arch = self.env["res.partner"].get_view(
            self.env.ref("base.view_partner_form").id, "form"
        )["arch"]
        nodes = etree.fromstring(arch).xpath(
            f"//page[@name='client_care']//field[@name='{fname}']"
        )
        self.assertEqual(len(nodes), 1, fname)
        return nodes[0]

    def test_no_average_response_is_shown_when_nothing_was_answered(self):
        self.request(self.contact_a, self.ago(days=2))
        with self.at(NOW):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.answered_request_count, 0)
        # 0.00 hours would read as instant replies: the card shows the
        # average only when a request was answered.
        node = self.card_node("avg_response_hours")
        self.assertIn("answered_request_count", node.get("invisible", ""))
        self.reply(self.contact_a, self.ago(days=1))
        with self.at(NOW):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.answered_request_count, 1)
            self.assertGreater(self.account.avg_response_hours, 0)

    def test_the_clients_email_on_an_order_is_no_sales_touch_of_ours(self):
        order = self.env["sale.order"].create({"partner_id": self.contact_a.id})
        self.client_email(order, self.ago(days=2))
        summary = self.summary(self.account)
        self.assertFalse(summary["last_sales_touch_date"])
        self.assertEqual(summary["sales"], 0)
        self.assertEqual(summary["touches"], 0)
        self.assertEqual(summary["open"], 1)
        with self.at(NOW):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.client_request_count, 1)
            self.assertEqual(self.account.last_request_date, self.ago(days=2))
            self.assertFalse(self.account.our_last_touch_date)

    def test_a_waiting_request_is_not_a_touch_of_ours(self):
        self.request(self.contact_a, self.ago(days=3))
        summary = self.summary(self.account)
        self.assertEqual((summary["touches"], summary["open"]), (0, 1))
        self.assertEqual(summary["service"], 0)
        with self.at(NOW):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.client_request_count, 1)
        # Once answered, the answer is our touch, at its own moment.
        self.reply(self.contact_a, self.ago(days=1))
        summary = self.summary(self.account)
        self.assertEqual((summary["touches"], summary["open"]), (1, 0))
        self.assertEqual(summary["service"], 1)
        with self.at(NOW):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.our_last_touch_date, self.ago(days=1))
            self.assertEqual(self.account.last_request_date, self.ago(days=3))


@tagged("post_install", "-at_install", "client_value")
class TestDashboardCountsEveryAccount(ClientValueCase):
    def test_neglected_by_salesperson_counts_unowned_accounts(self):
        """The bars add up to the Neglected Accounts list: the accounts
        without a salesperson are the most at risk."""
        self.account.user_id = False
        self.request(self.contact_a, self.ago(days=40))
        owned = self.env["res.partner"].create(
            {"name": "Owned Ltd", "is_company": True, "user_id": self.salesman.id}
        )
        self.request(owned, self.ago(days=40))
        with self.at(NOW):
            self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        dashboard = self.env.ref("client_value.spreadsheet_dashboard_client_impact")
        data = json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))
        [chart] = [
            figure["data"]
            for sheet in data["sheets"]
            for figure in sheet["figures"]
            if figure["tag"] == "chart"
            and figure["data"]["metaData"]["resModel"] == "res.partner"
        ]
        Partner = self.env["res.partner"]
        bars = Partner._read_group(
            chart["searchParams"]["domain"], chart["metaData"]["groupBy"], ["__count"]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.res_partner_action_neglected"
        )
        domain = safe_eval(action["domain"])
        listed = Partner.search_count(domain)
        self.assertEqual(sum(count for _group, count in bars), listed)
        self.assertIn(self.account, Partner.search(domain))


@tagged("post_install", "-at_install", "client_value")
class TestToDoList(ClientValueCase):
    """An answered request is not work for today: it leaves the overdue
    list and the counters, or completes with the reply when the salesperson
    says so."""

    def overdue_request(self):
        request = self.request(self.contact_a, self.ago(days=5))
        request.date_deadline = self.ago(days=3).date()
        return request

    def client_tasks(self, user):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.mail_activity_action_client_tasks"
        )
        self.assertIn("search_default_filter_needs_action", action["context"])
        search = self.env.ref(
            "client_value.mail_activity_view_search_inherit_client_value"
        )
        [needs_action] = etree.fromstring(search.arch).xpath(
            "//filter[@name='filter_needs_action']"
        )
        domain = [
            *safe_eval(action["domain"]),
            *safe_eval(needs_action.get("domain")),
            ("user_id", "=", user.id),
        ]
        return self.env["mail.activity"].with_user(user).search(domain)

    def overdue_count(self, user):
        groups = self.env["res.users"].with_user(user)._get_activity_groups()
        return sum(group["overdue_count"] for group in groups)

    def test_an_answered_request_leaves_the_overdue_list(self):
        request = self.overdue_request()
        self.assertEqual(request.state, "overdue")
        self.assertIn(request, self.client_tasks(self.salesman))
        before = self.overdue_count(self.salesman)
        self.reply(self.contact_a, self.ago(days=4))
        request.invalidate_recordset()
        self.assertTrue(request.active, "the salesperson did not say it is done")
        self.assertTrue(request.date_answered)
        self.assertEqual(request.state, "planned")
        self.assertNotIn(request, self.client_tasks(self.salesman))
        self.assertEqual(self.overdue_count(self.salesman), before - 1)

    def test_the_composers_choice_completes_the_request_and_is_remembered(self):
        request = self.overdue_request()
        self.assertFalse(self.salesman.client_value_complete_on_reply)
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.salesman)
            .with_context(
                default_model="res.partner",
                default_res_ids=self.contact_a.ids,
                default_composition_mode="comment",
            )
            .create({"body": "Here is your copy.", "subject": "Your contract"})
        )
        self.assertTrue(composer.client_value_has_requests)
        self.assertFalse(composer.client_value_complete_requests)
        composer.client_value_complete_requests = True
        composer.action_send_mail()
        self.assertFalse(request.exists() and request.active, "completed")
        self.assertTrue(self.salesman.client_value_complete_on_reply, "remembered")
        # The next reply, from the chatter, follows the remembered choice.
        second = self.request(self.contact_a, self.ago(days=1))
        self.reply(self.contact_a, NOW)
        self.assertFalse(second.exists() and second.active)

    def test_a_refused_requested_on_is_told_in_the_users_time(self):
        self.salesman.tz = "Europe/Brussels"
        later = datetime.now().replace(second=0, microsecond=0) + timedelta(days=2)
        scheduler = self.env["mail.activity.schedule"].with_user(self.salesman)
        with self.assertRaises(ValidationError) as refused:
            scheduler.with_context(
                active_model="res.partner", active_ids=self.contact_a.ids
            ).create(
                {
                    "activity_type_id": self.env.ref(SERVICE).id,
                    "date_requested": later,
                }
            )
        local = format_datetime(
            self.env, later, tz="Europe/Brussels", dt_format="short"
        )
        self.assertIn(local, str(refused.exception))
        self.assertNotIn(fields.Datetime.to_string(later), str(refused.exception))


@tagged("post_install", "-at_install", "client_value")
class TestWhatTheDayLetsUsersDo(ClientValueCase):
    """The row that opens a document, and the remembered choice, as the
    users who call them over RPC."""

    def test_a_row_opens_only_a_document_the_user_may_read(self):
        self.request(self.contact_a, self.ago(days=2))
        colleague_lead = self.env["crm.lead"].create(
            {
                "name": "Olga's own deal",
                "type": "opportunity",
                "partner_id": self.contact_b.id,
                "user_id": self.other_salesman.id,
            }
        )
        self.request(colleague_lead, self.ago(days=1), user=self.other_salesman)
        Touch = self.env["client_value.touch"]
        mine = Touch.search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.contact_a.id)]
        )
        action = mine.with_user(self.salesman).action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("res.partner", self.contact_a.id)
        )
        theirs = Touch.search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", colleague_lead.id)]
        )
        self.assertTrue(theirs)
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).action_open_document()

    def test_the_remembered_choice_is_the_users_own(self):
        self.salesman.with_user(self.salesman).write(
            {"client_value_complete_on_reply": True}
        )
        self.assertTrue(self.salesman.client_value_complete_on_reply)
        with self.assertRaises(AccessError):
            self.salesman.with_user(self.other_salesman).write(
                {"client_value_complete_on_reply": False}
            )
