"""The features in the real web client: tours in headless Chromium.

Each test drives the UI as a salesperson would (tours in
client_value/static/tests/tours/) and checks the result on the server too.
The screenshots of the app page are taken from the same data.
"""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user, tagged

from .browser_common import BrowserCase

SERVICE = "client_value.mail_activity_type_service_request"
ADMIN = "client_value.mail_activity_type_admin_task"
CALL = "mail.mail_activity_data_call"
CRON = "client_value.ir_cron_flag_neglected_accounts"
# A tour waits up to 30 s per step; the whole tour gets room on a busy machine.
TOUR_TIMEOUT = 300


@tagged("post_install", "-at_install", "client_value")
class TestBrowserFeatures(BrowserCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._setup_client_care(
            "cv_feature_salesman", "sales_team.group_sale_salesman"
        )
        colleague = new_test_user(
            cls.env,
            login="cv_feature_colleague",
            name="Colin Colleague",
            groups="sales_team.group_sale_salesman",
        )
        cls._create_pipeline(colleague)
        cls._create_care_history()
        cls._create_neglected_account()

    @classmethod
    def _create_pipeline(cls, colleague):
        """Open opportunities of the salesperson, one column sum per stage:
        New 25, Qualified 65, Proposition 20 (impact score x probability)."""
        Partner = cls.env["res.partner"]
        riverside, bakery, library, school = (
            Partner.create({"name": name, "is_company": True})
            for name in (
                "Riverside Clinic",
                "Corner Bakery",
                "City Library",
                "Hillside School",
            )
        )
        new, qualified, proposition = (
            cls.env.ref("crm.stage_lead%d" % sequence).id for sequence in (1, 2, 3)
        )
        area = cls.env.ref
        base = {"type": "opportunity", "team_id": False, "user_id": cls.salesman.id}
        leads = cls.env["crm.lead"].create(
            [
                {
                    **base,
                    "name": "Clinic scheduling",
                    "partner_id": riverside.id,
                    "stage_id": new,
                    "expected_revenue": 7500,
                    "probability": 20,
                    "impact_level": "4",
                    "impact_area_ids": [
                        area("client_value.client_value_impact_area_time_saved").id,
                        area(
                            "client_value.client_value_impact_area_customer_experience"
                        ).id,
                    ],
                    "client_fit": "good",
                    "client_fit_reason": "Our scheduling module handles the "
                    "three sites and their shared doctors out of the box.",
                    "client_need": "Patients wait three weeks for an appointment "
                    "while doctors have empty slots on other sites.",
                    "expected_outcome": "Appointments within two days; no slot "
                    "left empty because the agenda is split by site.",
                },
                {
                    **base,
                    "name": "Delivery van",
                    "partner_id": bakery.id,
                    "stage_id": new,
                    "expected_revenue": 26000,
                    "probability": 20,
                    "impact_level": "1",
                },
                {
                    **base,
                    "name": "Bakery ovens",
                    "partner_id": bakery.id,
                    "stage_id": qualified,
                    "expected_revenue": 18000,
                    "probability": 40,
                    "impact_level": "2",
                },
                {
                    **base,
                    "name": "Library kiosks",
                    "partner_id": library.id,
                    "stage_id": qualified,
                    "expected_revenue": 12000,
                    "probability": 60,
                    "impact_level": "3",
                    "impact_area_ids": [
                        area("client_value.client_value_impact_area_time_saved").id
                    ],
                },
                {
                    **base,
                    "name": "School laptops",
                    "partner_id": school.id,
                    "stage_id": proposition,
                    "expected_revenue": 42000,
                    "probability": 80,
                    "impact_level": "1",
                },
                {
                    **base,
                    "name": "Warehouse shelving",
                    "partner_id": school.id,
                    "user_id": colleague.id,
                    "stage_id": qualified,
                    "expected_revenue": 99000,
                    "probability": 50,
                    "impact_level": "4",
                },
            ]
        )
        cls.clinic_scheduling = leads[0]
        cls.bakery_ovens = leads[2]
        # Planned, due and late activities colour the column progress bars.
        today = fields.Date.context_today(cls.salesman)
        for lead, xmlid, days, summary in (
            (leads[0], "mail.mail_activity_data_call", 2, "Demo for the doctors"),
            (leads[3], "mail.mail_activity_data_email", 0, "Send the kiosk layout"),
            (leads[4], "mail.mail_activity_data_meeting", -3, "Pilot review"),
        ):
            lead.activity_schedule(
                xmlid,
                date_deadline=today + timedelta(days=days),
                summary=summary,
                user_id=cls.salesman.id,
            )

    @classmethod
    def _create_care_history(cls):
        """Harbour Clinic: a month of touches, one request still waiting."""
        Partner = cls.env["res.partner"]
        cls.harbour = Partner.create(
            {"name": "Harbour Clinic", "is_company": True, "user_id": cls.salesman.id}
        )
        ana, cls.ben = Partner.create(
            [
                {"name": name, "parent_id": cls.harbour.id}
                for name in ("Ana Harbour", "Ben Harbour")
            ]
        )
        booking = cls.env["crm.lead"].create(
            {
                "name": "Online booking",
                "type": "opportunity",
                "team_id": False,
                "partner_id": ana.id,
                "user_id": cls.salesman.id,
                "stage_id": cls.env.ref("crm.stage_lead4").id,
                "expected_revenue": 9000,
                "probability": 100,
                "impact_level": "3",
            }
        )
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        as_salesman = {"user_id": cls.salesman.id}
        with freeze_time(now - timedelta(days=18, hours=3)):
            booking.activity_schedule(
                CALL, summary="Discovery call: the booking flow", **as_salesman
            ).action_done()
            cls.env.flush_all()
        with freeze_time(now - timedelta(days=9, hours=6)):
            ana.activity_schedule(
                SERVICE, summary="Copy of the March invoice", **as_salesman
            )
            cls.env.flush_all()
        with freeze_time(now - timedelta(days=9, hours=2)):
            ana.with_user(cls.salesman).message_post(
                body="Here is the copy of the March invoice.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            cls.env.flush_all()
        with freeze_time(now - timedelta(days=5, hours=4)):
            ana.activity_schedule(
                ADMIN, summary="Update the billing address", **as_salesman
            ).action_done()
            cls.env.flush_all()
        with freeze_time(now - timedelta(days=2, hours=5)):
            cls.ben.activity_schedule(
                SERVICE, summary="Access for two new receptionists", **as_salesman
            )
            cls.env.flush_all()

    @classmethod
    def _create_neglected_account(cls):
        """Lakeside Dental: a request waiting for 20 days, nothing else."""
        Partner = cls.env["res.partner"]
        cls.lakeside = Partner.create(
            {"name": "Lakeside Dental", "is_company": True, "user_id": cls.salesman.id}
        )
        nora = Partner.create({"name": "Nora Lakeside", "parent_id": cls.lakeside.id})
        nora.activity_schedule(
            SERVICE,
            summary="Invoice sent to the wrong address",
            user_id=cls.salesman.id,
            date_requested=fields.Datetime.now() - timedelta(days=20, hours=1),
        )

    def column_sums(self):
        """Weighted impact per stage of the salesperson's open opportunities."""
        groups = (
            self.env["crm.lead"]
            .with_user(self.salesman)
            ._read_group(
                [("type", "=", "opportunity"), ("probability", "<", 100)],
                ["stage_id"],
                ["weighted_impact:sum"],
            )
        )
        return {stage.name: total for stage, total in groups}

    # -- tours --------------------------------------------------------------

    def test_salesman_opens_impact_pipeline(self):
        self.assertEqual(
            self.column_sums(), {"New": 25.0, "Qualified": 65.0, "Proposition": 20.0}
        )
        self.start_tour(
            "/odoo",
            "client_value_impact_pipeline",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )

    def test_stars_change_the_column_sum(self):
        self.start_tour(
            "/odoo/action-client_value.crm_lead_action_impact_pipeline",
            "client_value_impact_stars",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )
        self.env.invalidate_all()
        # Four stars on the card, then one star on the form, both saved.
        self.assertEqual(self.bakery_ovens.impact_level, "1")
        self.assertEqual(self.bakery_ovens.weighted_impact, 10.0)
        self.assertEqual(self.column_sums()["Qualified"], 55.0)
        tracked = self.bakery_ovens.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "impact_level"
        )
        self.assertEqual(
            sorted(tracked.mapped("new_value_char")), ["Minor", "Transformational"]
        )

    def test_service_request_on_a_contact(self):
        self.assertEqual(self.harbour.waiting_request_count, 1)
        self.start_tour(
            "/odoo",
            "client_value_service_request",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )
        self.env.invalidate_all()
        request = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.ben.id),
                ("summary", "=", "Replacement badge reader"),
            ]
        )
        self.assertEqual(request.activity_type_id, self.env.ref(SERVICE))
        self.assertEqual(request.user_id, self.salesman)
        self.assertTrue(request.is_service_request)
        self.assertFalse(request.date_answered)
        # Requested On, set in the scheduling dialog: five days ago, 9:00.
        asked = fields.Datetime.now() - timedelta(days=5)
        self.assertEqual(request.date_requested.date(), asked.date())
        self.assertEqual(self.harbour.waiting_request_count, 2)

    def test_neglected_accounts_after_the_cron(self):
        self.assertFalse(self.lakeside.client_neglected)
        self.env.ref(CRON).method_direct_trigger()
        self.env.invalidate_all()
        self.assertTrue(self.lakeside.client_neglected)
        self.assertFalse(self.harbour.client_neglected)
        self.start_tour(
            "/odoo",
            "client_value_neglected_accounts",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )

    def test_manager_opens_the_team_neglected_accounts(self):
        manager = new_test_user(
            self.env,
            login="cv_feature_manager",
            password="cv_feature_manager",
            name="Max Manager",
            groups="sales_team.group_sale_manager",
            tz="UTC",
        )
        Team = self.env["crm.team"]
        lakeside_team = Team.create(
            {
                "name": "Lakeside Care",
                "user_id": manager.id,
                "member_ids": [(6, 0, self.salesman.ids)],
            }
        )
        other = new_test_user(
            self.env, login="cv_feature_other", groups="sales_team.group_sale_salesman"
        )
        Team.create({"name": "Harbour Care", "member_ids": [(6, 0, other.ids)]})
        elsewhere = self.env["res.partner"].create(
            {"name": "Elsewhere Ltd", "is_company": True, "user_id": other.id}
        )
        elsewhere.activity_schedule(
            SERVICE,
            user_id=other.id,
            date_requested=fields.Datetime.now() - timedelta(days=15),
        )
        self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        self.env.invalidate_all()
        self.assertTrue(self.lakeside.client_neglected)
        self.assertTrue(elsewhere.client_neglected)
        self.assertEqual(lakeside_team.with_user(manager).client_neglected_count, 1)
        self.start_tour(
            "/odoo",
            "client_value_team_neglected",
            login=manager.login,
            timeout=TOUR_TIMEOUT,
        )

    # -- screenshots of the app page ------------------------------------------

    def test_pipeline_screenshot(self):
        path, switches = self.take_screenshot(
            "pipeline",
            "/odoo/action-client_value.crm_lead_action_impact_pipeline",
            ".o_opportunity_kanban .o_kanban_record .o_priority_star",
            login=self.salesman.login,
        )
        self.assertScreenshot(path, switches)

    def test_opportunity_impact_screenshot(self):
        path, switches = self.take_screenshot(
            "opportunity_impact",
            "/odoo/action-client_value.crm_lead_action_impact_pipeline/%d"
            % self.clinic_scheduling.id,
            ".o_form_view .o_notebook .nav-link[name='client_impact']",
            login=self.salesman.login,
            click=".o_form_view .o_notebook .nav-link[name='client_impact']",
            shown=".o_notebook:has(.nav-link.active[name='client_impact'])"
            ":has(.o_field_widget[name='client_need'])",
        )
        self.assertScreenshot(path, switches)

    def test_partner_care_in_french_screenshot(self):
        """The Client Care page as a French salesperson sees it."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mail", "contacts", "calendar", "sales_team", "crm", "sale"]
            + ["client_value"],
            ["fr_FR"],
            overwrite=True,
        )
        french = new_test_user(
            self.env,
            login="cv_feature_vendeur",
            password="cv_feature_vendeur",
            name="Lucie Vendeuse",
            groups="sales_team.group_sale_salesman",
            tz="UTC",
            lang="fr_FR",
        )
        path, switches = self.take_screenshot(
            "partner_care_fr",
            "/odoo/action-base.action_partner_form/%d" % self.harbour.id,
            ".o_form_view .o_notebook .nav-link[name='client_care']",
            login=french.login,
            click=".o_form_view .o_notebook .nav-link[name='client_care']",
            shown=".o_notebook:has(.nav-link.active[name='client_care'])"
            ":has(.o_field_widget[name='account_touch_ids'] .o_data_row)",
            # The page speaks French: the tab's label is translated.
            until_js="document.querySelector(\".nav-link[name='client_care']\")"
            ".textContent.includes('Suivi client')",
        )
        self.assertScreenshot(path, switches)

    def test_partner_care_screenshot(self):
        path, switches = self.take_client_care_screenshot(
            "partner_care", self.harbour, self.salesman
        )
        self.assertScreenshot(path, switches)


@tagged("post_install", "-at_install", "client_value")
class TestBrowserSourcesScreenshot(BrowserCase):
    """The Client Care page of an account looked after through its order,
    its invoice and its project task (Sales, Invoicing and Project are
    installed in the test database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._setup_client_care(
            "cv_sources_salesman",
            "sales_team.group_sale_salesman_all_leads,"
            "account.group_account_invoice,project.group_project_user",
        )
        Partner = cls.env["res.partner"]
        cls.seaside = Partner.create(
            {
                "name": "Seaside Opticians",
                "is_company": True,
                "user_id": cls.salesman.id,
            }
        )
        lena, tom = Partner.create(
            [
                {
                    "name": name,
                    "parent_id": cls.seaside.id,
                    "email": "%s@seaside.example.com" % name.split()[0].lower(),
                }
                for name in ("Lena Seaside", "Tom Seaside")
            ]
        )
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        with freeze_time(now - timedelta(days=25)):
            product = cls.env["product.product"].create(
                {
                    "name": "Display unit",
                    "type": "service",
                    "invoice_policy": "order",
                    "list_price": 1800,
                }
            )
            order = cls.env["sale.order"].create(
                {
                    "partner_id": lena.id,
                    "user_id": cls.salesman.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "product_uom_qty": 4})
                    ],
                }
            )
            order.action_confirm()
            invoice = order._create_invoices()
            invoice.action_post()
            project = cls.env["project.project"].create({"name": "Store fit-out"})
            task = cls.env["project.task"].create(
                {
                    "name": "Display fitting",
                    "project_id": project.id,
                    "partner_id": tom.id,
                }
            )
            cls.env.flush_all()

        def at(days, hours):
            return freeze_time(now - timedelta(days=days, hours=hours))

        def client_email(record, author, subject):
            record.message_post(
                body="<p>%s</p>" % subject,
                subject=subject,
                message_type="email",
                author_id=author.id,
                subtype_xmlid="mail.mt_comment",
            )
            cls.env.flush_all()

        def reply(record, body):
            record.message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=cls.salesman.partner_id.id,
            )
            cls.env.flush_all()

        def done(record, xmlid, summary):
            record.activity_schedule(
                xmlid, summary=summary, user_id=cls.salesman.id
            ).action_done()
            cls.env.flush_all()

        with at(19, 6):
            client_email(order, lena, "%s: delivery before the opening?" % order.name)
        with at(19, 2):
            reply(order, "Yes: delivery is booked for the 12th.")
        with at(13, 4):
            done(invoice, ADMIN, "%s: copy to accounts payable" % invoice.name)
        with at(8, 7):
            client_email(invoice, lena, "%s: VAT number missing" % invoice.name)
        with at(8, 5):
            reply(invoice, "Here is the corrected invoice.")
        with at(5, 5):
            done(task, CALL, "%s: measure the wall" % task.name)
        with at(2, 6):
            task.activity_schedule(
                SERVICE,
                summary="%s: one more unit" % task.name,
                user_id=cls.salesman.id,
            )
            cls.env.flush_all()

    def test_partner_care_sources_screenshot(self):
        touches = self.env["client_value.touch"].search(
            [("account_id", "=", self.seaside.id)]
        )
        self.assertEqual(
            set(touches.mapped("res_model")),
            {"sale.order", "account.move", "project.task"},
        )
        self.assertEqual(
            sorted(touches.mapped("state")),
            ["answered", "answered", "done", "done", "waiting"],
        )
        path, switches = self.take_client_care_screenshot(
            "partner_care_sources", self.seaside, self.salesman
        )
        self.assertScreenshot(path, switches)
