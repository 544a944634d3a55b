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
from .test_browser_noise import raw_email

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
        Partner = cls.env["res.partner"]
        cls.clinic = Partner.create(
            {"name": "Day Clinic", "is_company": True, "user_id": cls.salesman.id}
        )
        cls.alice = Partner.create(
            {
                "name": "Alice Day",
                "parent_id": cls.clinic.id,
                "email": "alice@day-clinic.example.com",
            }
        )
        cls.deal = cls.env["crm.lead"].create(
            {
                "name": "Day Clinic booking",
                "type": "opportunity",
                "partner_id": cls.alice.id,
                "user_id": cls.salesman.id,
                "team_id": False,
            }
        )

    def receive(self, record, subject, days_ago):
        when = fields.Datetime.now().replace(microsecond=0) - timedelta(days=days_ago)
        raw = raw_email(
            f"{self.alice.name} <{self.alice.email}>", subject, "Could you help?", when
        )
        self.env["mail.thread"].message_process(record._name, raw, thread_id=record.id)
        self.env.flush_all()

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
        self.receive(self.deal, "Which plan fits us?", 2)
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
