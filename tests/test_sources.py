"""The account's whole relationship: touches and requests on its orders,
invoices, tasks and tickets, and the response target on a working calendar.

Runs on the database with Sales, Invoicing, Project and OCA Helpdesk
installed next to CRM (``make test``)."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.client_value.tools import response_target

from .common import CALL, SERVICE, ClientValueCase

# A Friday evening, then the next Monday morning and Wednesday morning.
FRIDAY_EVENING = datetime(2026, 3, 6, 18, 0)
MONDAY_MORNING = datetime(2026, 3, 9, 9, 0)
WEDNESDAY_MORNING = datetime(2026, 3, 11, 10, 0)


@tagged("post_install", "-at_install", "client_value")
class SourceCase(ClientValueCase):
    """A working week of 8-12 and 13-17, Monday to Friday, in UTC, and a
    response target of 2 working days."""

    SOURCES = ("sale.order", "account.move", "project.task", "helpdesk.ticket")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "CV office hours",
                "tz": "UTC",
                "hours_per_day": 8,
                "attendance_ids": [
                    (0, 0, {"name": f"{day} {start}", "dayofweek": str(day),
                            "hour_from": start, "hour_to": start + 4,
                            "day_period": period})
                    for day in range(5)
                    for start, period in ((8, "morning"), (13, "afternoon"))
                ],
            }
        )  # fmt: skip
        cls.company.resource_calendar_id = cls.calendar
        cls.company_b = cls.env["res.company"].create({"name": "CV Sources B"})
        cls.env["account.journal"].create(
            {
                "name": "CV Sales B",
                "code": "CVB",
                "type": "sale",
                "company_id": cls.company_b.id,
            }
        )
        cls.user_a = new_test_user(
            cls.env,
            login="cv_sources_a",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice,"
            "project.group_project_user,helpdesk_mgmt.group_helpdesk_user,"
            "base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
            tz="UTC",
        )
        cls.project = cls.env["project.project"].create({"name": "CV Rollout"})
        cls.project_b = cls.env["project.project"].create(
            {"name": "CV Rollout B", "company_id": cls.company_b.id}
        )
        cls.Watch = cls.env["client_value.neglect.watch"]

    def fresh_account(self, name):
        """A company of its own and its contact."""
        Partner = self.env["res.partner"]
        account = Partner.create({"name": name, "is_company": True})
        contact = Partner.create({"name": f"{name} buyer", "parent_id": account.id})
        return account, contact

    def document(self, model, company=None, partner=None):
        """A document of ``model`` for ``partner`` (default: Alice)."""
        company = company or self.company
        partner = (partner or self.contact_a).id
        values = {
            "sale.order": {"partner_id": partner, "company_id": company.id},
            "account.move": {
                "move_type": "out_invoice",
                "partner_id": partner,
                "company_id": company.id,
            },
            "project.task": {
                "name": "Install the scanners",
                "partner_id": partner,
                "project_id": (
                    self.project if company == self.company else self.project_b
                ).id,
                "company_id": company.id,
            },
            "helpdesk.ticket": {
                "name": "Scanner down",
                "description": "<p>It does not start</p>",
                "partner_id": partner,
                "company_id": company.id,
            },
        }[model]
        with freeze_time(datetime(2026, 3, 1, 9, 0)):
            return self.env[model].with_company(company).create(values)

    def run_watch(self, when, account=None):
        with self.at(when):
            self.Watch._cron_flag_neglected_accounts()
            self.env.flush_all()
        self.env.invalidate_all()
        return (account or self.account).client_neglected


@tagged("post_install", "-at_install", "client_value")
class TestSourceTouches(SourceCase):
    def test_client_email_flags_once_late_and_a_reply_answers(self):
        for model in self.SOURCES:
            with self.subTest(model=model):
                account, contact = self.fresh_account(f"Client of {model}")
                document = self.document(model, partner=contact)
                email = self.client_email(document, FRIDAY_EVENING, author=contact)
                self.assertEqual(email.client_touch, "incoming")
                self.assertFalse(self.run_watch(MONDAY_MORNING, account), "not late")
                self.assertTrue(self.run_watch(WEDNESDAY_MORNING, account), "late")
                # A note on the document answers nothing.
                self.reply(document, WEDNESDAY_MORNING, user=self.user_a, note=True)
                self.assertFalse(email.date_answered)
                self.assertTrue(account.client_neglected)
                # A reply to the client on the document answers it, and the
                # account is cleared at once.
                self.reply(document, WEDNESDAY_MORNING, user=self.user_a)
                self.assertEqual(email.date_answered, WEDNESDAY_MORNING)
                self.env.invalidate_all()
                self.assertFalse(account.client_neglected)
                figures = self.summary(account, WEDNESDAY_MORNING)
                self.assertEqual(figures["open"], 0)
                self.assertEqual(account.last_touch_date, WEDNESDAY_MORNING)

    def test_a_done_activity_on_the_document_is_a_recent_touch(self):
        for model in self.SOURCES:
            with self.subTest(model=model):
                account, contact = self.fresh_account(f"Touched via {model}")
                document = self.document(model, partner=contact)
                self.request(contact, FRIDAY_EVENING)
                self.done(document, MONDAY_MORNING, xmlid=CALL, user=self.user_a)
                self.assertFalse(self.run_watch(WEDNESDAY_MORNING, account))
                touches = self.env["client_value.touch"].search(
                    [("res_model", "=", model), ("res_id", "=", document.id)]
                )
                self.assertEqual(touches.mapped("state"), ["done"])
                self.assertEqual(touches.account_id, account)
                # the request still waits, and is late
                figures = self.summary(account, WEDNESDAY_MORNING)
                self.assertEqual(figures["open"], 1)

    def test_a_few_accounts_read_through_their_records_as_every_account(self):
        """The frequent run and an account just touched decide a few
        accounts through their records; the daily run reads the touches of
        every account: both give each account the same first due moment and
        latest touch, on every kind of document."""
        accounts = self.env["res.partner"]
        for index, model in enumerate(self.SOURCES):
            account, contact = self.fresh_account(f"Moments of {model}")
            document = self.document(model, partner=contact)
            # Our email (it answers nothing yet), the client's email and
            # request, and a call that answers neither: the latest touch is
            # the call on every other account, our email on the others.
            self.reply(document, FRIDAY_EVENING - timedelta(hours=1), user=self.user_a)
            self.client_email(document, FRIDAY_EVENING, author=contact)
            self.request(document, FRIDAY_EVENING, user=self.user_a)
            call = MONDAY_MORNING if index % 2 else FRIDAY_EVENING - timedelta(days=7)
            self.done(document, call, xmlid=CALL, user=self.user_a)
            accounts |= account
        quiet, contact = self.fresh_account("Only a request")
        self.request(contact, FRIDAY_EVENING)
        accounts |= quiet
        self.env.flush_all()

        def moments(account_ids):
            watch = self.Watch.sudo()
            with self.at(WEDNESDAY_MORNING):
                rows = self.env.execute_query(
                    SQL(
                        "WITH %s SELECT 'due', account_id, due FROM waiting_all "
                        "UNION ALL SELECT 'touch', account_id, moment FROM contact",
                        watch._moment_ctes(account_ids),
                    )
                )
            return sorted(row for row in rows if row[1] in accounts.ids)

        every = moments(None)
        self.assertEqual(moments(accounts.ids), every)
        self.assertEqual(
            {(kind, account_id) for kind, account_id, _moment in every},
            {("due", account.id) for account in accounts}
            | {("touch", account.id) for account in accounts - quiet},
        )

    def test_kinds_follow_the_document(self):
        kinds = {}
        for model in self.SOURCES:
            document = self.document(model)
            self.reply(document, MONDAY_MORNING, user=self.user_a)
            touch = self.env["client_value.touch"].search(
                [("res_model", "=", model), ("res_id", "=", document.id)]
            )
            kinds[model] = touch.kind
        self.assertEqual(
            kinds,
            {
                "sale.order": "sales",
                "account.move": "admin",
                "project.task": "service",
                "helpdesk.ticket": "service",
            },
        )

    def test_vendor_bills_are_not_client_documents(self):
        bill = self.env["account.move"].create(
            {"move_type": "in_invoice", "partner_id": self.contact_a.id}
        )
        self.client_email(bill, FRIDAY_EVENING)
        self.assertFalse(
            self.env["client_value.touch"].search(
                [("res_model", "=", "account.move"), ("res_id", "=", bill.id)]
            )
        )
        self.assertFalse(self.run_watch(WEDNESDAY_MORNING))

    def test_documents_of_another_company_are_not_counted(self):
        for model in self.SOURCES:
            with self.subTest(model=model):
                theirs = self.document(model, company=self.company_b)
                self.done(theirs, MONDAY_MORNING, xmlid=CALL)
                mine = self.document(model)
                self.done(mine, MONDAY_MORNING, xmlid=CALL, user=self.user_a)
                Touch = self.env["client_value.touch"].with_user(self.user_a)
                seen = Touch.search([("res_model", "=", model)])
                self.assertIn(mine.id, seen.mapped("res_id"))
                self.assertNotIn(theirs.id, seen.mapped("res_id"))
                figures = self.summary(
                    self.account.with_user(self.user_a), WEDNESDAY_MORNING
                )
                everything = self.summary(self.account, WEDNESDAY_MORNING)
                self.assertLess(figures["touches"], everything["touches"])


@tagged("post_install", "-at_install", "client_value")
class TestResponseTarget(SourceCase):
    def test_friday_evening_request_on_the_working_calendar(self):
        request = self.request(self.contact_a, FRIDAY_EVENING)
        # 2 working days of 8 hours: Monday and Tuesday, due Tuesday 17:00.
        self.assertEqual(request.answer_due, datetime(2026, 3, 10, 17, 0))
        self.assertFalse(self.run_watch(MONDAY_MORNING))
        figures = self.summary(self.account, MONDAY_MORNING)
        self.assertEqual(figures["open"], 1)
        self.assertEqual(self.account.with_context(tz="UTC").late_request_count, 0)
        self.assertTrue(self.run_watch(WEDNESDAY_MORNING))
        with self.at(WEDNESDAY_MORNING):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.late_request_count, 1)

    def test_planning_many_requests_at_once_gives_the_same_due_moments(self):
        """History is planned in one pass per calendar (install, a changed
        target); each due moment is the one Odoo's planning gives, on
        working hours, weekends, a public holiday and another company's
        calendar (Odoo's standard 40 hours, in Brussels time)."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "CV public holiday",
                "calendar_id": False,
                "date_from": datetime(2026, 3, 10, 0, 0),
                "date_to": datetime(2026, 3, 10, 23, 59),
                "time_type": "leave",
            }
        )
        self.company_b.resource_calendar_id = self.env.ref(
            "resource.resource_calendar_std"
        ).copy({"tz": "Europe/Brussels"})
        moments = [
            FRIDAY_EVENING,
            MONDAY_MORNING,
            WEDNESDAY_MORNING,
            datetime(2026, 3, 7, 11, 30),  # Saturday
            datetime(2026, 3, 9, 12, 30),  # lunch
            datetime(2026, 3, 9, 17, 0),  # the end of a day
            datetime(2026, 3, 10, 9, 0),  # the holiday
            datetime(2026, 3, 27, 16, 59, 30),
            datetime(2026, 1, 2, 3, 4, 5),
        ]
        requests = [
            (company, moment)
            for company in (self.company, self.company_b)
            for moment in moments
        ]
        for days in (1, 2, 5):
            with self.subTest(days=days):
                self.env.ref("client_value.response_target_normal").duration = days
                # Odoo's own planning, one request at a time.
                one_by_one = [
                    company.resource_calendar_id.plan_hours(
                        days * company.resource_calendar_id.hours_per_day,
                        moment,
                        compute_leaves=True,
                    )
                    for company, moment in requests
                ]
                self.assertEqual(
                    [
                        plan.due
                        for plan in response_target.plan_many(
                            self.env,
                            [
                                response_target.Request(company, moment)
                                for company, moment in requests
                            ],
                        )
                    ],
                    one_by_one,
                )

    def test_changing_the_target_replans_the_waiting_requests(self):
        request = self.request(self.contact_a, FRIDAY_EVENING)
        normal = self.env.ref("client_value.response_target_normal")
        with self.at(MONDAY_MORNING):
            normal.with_user(self.manager).duration = 1
        request.invalidate_recordset()
        self.assertEqual(request.answer_due, datetime(2026, 3, 9, 17, 0))

    def test_sources_can_be_left_out_in_the_settings(self):
        order = self.document("sale.order")
        self.client_email(order, FRIDAY_EVENING)
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.client_value_source_sale_order)
        settings.client_value_source_sale_order = False
        settings.execute()
        self.assertNotIn(
            "sale.order", self.env["client_value.touch"]._sources_signature()
        )
        self.assertFalse(self.run_watch(WEDNESDAY_MORNING))
        later = self.client_email(order, WEDNESDAY_MORNING)
        self.assertFalse(later.client_touch, "not classified while left out")
        # Back in: its history is read again, as at install.
        settings = self.env["res.config.settings"].create({})
        settings.client_value_source_sale_order = True
        settings.execute()
        later.invalidate_recordset()
        self.assertEqual(later.client_touch, "incoming")
        self.assertTrue(self.run_watch(datetime(2026, 3, 16, 10, 0)))

    def test_a_request_done_while_left_out_is_answered_when_read_back(self):
        """A service request on an order done while orders were left out is
        answered at the moment it was done once they count again: the
        history reader answers done requests, not only by replies."""
        order = self.document("sale.order")
        service = self.env.ref(SERVICE)
        if "keep_done" in service._fields:
            # Odoo 19 keeps every done activity; 18 when the type says so.
            service.keep_done = True
        settings = self.env["res.config.settings"].create({})
        settings.client_value_source_sale_order = False
        settings.execute()
        request = self.request(order, FRIDAY_EVENING)
        with self.at(FRIDAY_EVENING + timedelta(hours=3)):
            request.action_done()
            self.env.flush_all()
        self.assertFalse(request.touch_kind, "not a touch while left out")
        settings = self.env["res.config.settings"].create({})
        settings.client_value_source_sale_order = True
        settings.execute()
        request.invalidate_recordset()
        self.assertTrue(request.is_service_request)
        self.assertTrue(request.date_answered)
        self.assertFalse(self.run_watch(datetime(2026, 3, 16, 10, 0)))
