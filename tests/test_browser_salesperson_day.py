"""A salesperson's day in the real web client: from a waiting request to
its document and back, Client Tasks holding only what needs action, the
scheduling dialog after a refused *Requested On*, and the manager's
Neglected Accounts, longest waiting first.

The client's email arrives as a raw RFC 822 message through Odoo's mail
gateway (``message_process``).
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .browser_common import BrowserCase

SERVICE = "client_value.mail_activity_type_service_request"
TOUR_TIMEOUT = 300


@tagged("post_install", "-at_install", "client_value")
class TestBrowserSalespersonDay(BrowserCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._setup_client_care(
            "cv_day_salesman", "sales_team.group_sale_salesman"
        )
        cls.clinic, cls.alice, cls.deal = cls._setup_clinic("Day", cls.salesman)

    def request(self, summary, days_ago, deadline_days_ago, record=None):
        now = fields.Datetime.now().replace(microsecond=0)
        return (record or self.alice).activity_schedule(
            SERVICE,
            user_id=self.salesman.id,
            summary=summary,
            date_requested=now - timedelta(days=days_ago),
            date_deadline=(now - timedelta(days=deadline_days_ago)).date(),
        )

    def test_from_waiting_to_the_document_and_back(self):
        self.receive(self.deal, self.alice, "Which plan fits us?", "Could you help?", 2)
        self.assertEqual(self.clinic.waiting_request_count, 1)
        self.start_tour(
            "/odoo/action-base.action_partner_form/%d" % self.clinic.id,
            "client_value_waiting_to_document",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )

    def test_client_tasks_list_what_needs_action(self):
        # One request on the deal, still waiting; one on Alice, answered.
        self.request("Replacement badge reader", 3, 1, record=self.deal)
        answered = self.request("Copy of the contract", 4, 2)
        self.alice.with_user(self.salesman).message_post(
            body="Here it is.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.env.flush_all()
        answered.invalidate_recordset()
        self.assertTrue(answered.date_answered)
        self.assertTrue(answered.active)
        self.start_tour(
            "/odoo",
            "client_value_client_tasks",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )
        path, switches = self.take_screenshot(
            "client_tasks",
            "/odoo/action-client_value.mail_activity_action_client_tasks",
            ".o_list_view .o_group_header",
            login=self.salesman.login,
            click=".o_list_view .o_group_header",
            shown=".o_list_view .o_data_row",
        )
        self.assertScreenshot(path, switches)

    def test_the_dialog_still_schedules_after_a_refused_requested_on(self):
        self.start_tour(
            "/odoo/action-base.action_partner_form/%d" % self.alice.id,
            "client_value_schedule_after_refusal",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )
        request = self.alice.activity_ids.filtered(
            lambda a: a.summary == "Spare cables"
        )
        self.assertEqual(len(request), 1)
        self.assertTrue(request.is_service_request)
        self.assertLess(request.date_requested, fields.Datetime.now())

    def test_neglected_accounts_longest_waiting_first(self):
        manager = new_test_user(
            self.env,
            login="cv_day_manager",
            password="cv_day_manager",
            name="Max Manager",
            groups="sales_team.group_sale_manager",
            tz="UTC",
        )
        now = fields.Datetime.now().replace(microsecond=0)
        # Created in alphabetical order, so the name order is not the answer.
        for name, days in (("CV Order A", 35), ("CV Order B", 60), ("CV Order C", 45)):
            account = self.env["res.partner"].create({"name": name, "is_company": True})
            account.activity_schedule(
                SERVICE,
                user_id=self.salesman.id,
                summary=f"Question of {name}",
                date_requested=now - timedelta(days=days),
            )
        self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        self.env.flush_all()
        self.start_tour(
            "/odoo/action-client_value.res_partner_action_neglected",
            "client_value_neglected_order",
            login=manager.login,
            timeout=TOUR_TIMEOUT,
        )
        path, switches = self.take_screenshot(
            "neglected_accounts",
            "/odoo/action-client_value.res_partner_action_neglected",
            ".o_list_view .o_data_row",
            login=manager.login,
        )
        self.assertScreenshot(path, switches)
        # Odoo's graph of the trend draws flagged red and cleared green, as
        # the dashboard does (static/src/colors/).
        path, switches = self.take_screenshot(
            "neglect_trend",
            "/odoo/action-client_value.client_value_neglect_event_action",
            ".o_graph_renderer canvas",
            login=manager.login,
            # The bars have grown: Chart.js animates them for a second.
            until_js="new Promise((resolve) => setTimeout(() => resolve(true), 1500))",
        )
        self.assertScreenshot(path, switches)

    def test_waiting_requests_screenshot(self):
        self.receive(self.deal, self.alice, "Which plan fits us?", "Could you help?", 2)
        self.request("Replacement badge reader", 3, 1)
        self.env.flush_all()
        action = self.clinic.action_view_waiting_requests()
        self.assertEqual(
            len(self.env["client_value.touch"].search(action["domain"])), 2
        )
        path, switches = self.take_screenshot(
            "waiting_requests",
            "/odoo/action-base.action_partner_form/%d" % self.clinic.id,
            ".oe_stat_button[name='action_view_waiting_requests']",
            login=self.salesman.login,
            click=".oe_stat_button[name='action_view_waiting_requests']",
            shown=".o_list_view .o_data_row",
        )
        self.assertScreenshot(path, switches)
