"""End-to-end tests in the real web client (headless Chromium).

The tours live in client_value/static/tests/tours/ and are loaded through the
``web.assets_tests`` bundle. The feature tours and the screenshots of the app
page are in test_browser_features.py.
"""

from odoo.tests import new_test_user, tagged

from .browser_common import BrowserCase


@tagged("post_install", "-at_install", "client_value")
class TestBrowser(BrowserCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="cv_tour_salesman",
            password="cv_tour_salesman",
            name="Mia Salesman",
            groups="sales_team.group_sale_salesman",
        )
        colleague = new_test_user(
            cls.env,
            login="cv_tour_colleague",
            groups="sales_team.group_sale_salesman",
        )
        Partner = cls.env["res.partner"]
        bakery = Partner.create({"name": "Corner Bakery", "is_company": True})
        clinic = Partner.create({"name": "Riverside Clinic", "is_company": True})
        school = Partner.create({"name": "Hillside School", "is_company": True})
        new, qualified, proposition = (
            cls.env.ref("crm.stage_lead%d" % sequence).id for sequence in (1, 2, 3)
        )
        opportunity = {"type": "opportunity", "team_id": False}
        cls.env["crm.lead"].create(
            [
                {
                    **opportunity,
                    "name": "Bakery ovens",
                    "partner_id": bakery.id,
                    "user_id": cls.salesman.id,
                    "stage_id": qualified,
                    "expected_revenue": 18000,
                    "priority": "2",
                },
                {
                    **opportunity,
                    "name": "Clinic scheduling",
                    "partner_id": clinic.id,
                    "user_id": cls.salesman.id,
                    "stage_id": new,
                    "expected_revenue": 7500,
                    "priority": "3",
                },
                {
                    **opportunity,
                    "name": "School laptops",
                    "partner_id": school.id,
                    "user_id": cls.salesman.id,
                    "stage_id": proposition,
                    "expected_revenue": 42000,
                    "priority": "1",
                },
                {
                    **opportunity,
                    "name": "Delivery van",
                    "partner_id": bakery.id,
                    "user_id": cls.salesman.id,
                    "stage_id": new,
                    "expected_revenue": 26000,
                    "priority": "1",
                },
                {
                    **opportunity,
                    "name": "Warehouse shelving",
                    "partner_id": school.id,
                    "user_id": colleague.id,
                    "stage_id": qualified,
                    "expected_revenue": 99000,
                },
            ]
        )

    def test_salesman_opens_pipeline(self):
        self.start_tour(
            "/odoo", "client_value_salesman_pipeline", login=self.salesman.login
        )
