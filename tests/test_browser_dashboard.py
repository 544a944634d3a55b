"""A sales manager opens the Client Impact dashboard in a real browser."""

from odoo.tests import new_test_user, tagged

from .browser_common import BrowserCase, png_size

CHARTS_WITH_DATA = """
window.Chart && Object.values(window.Chart.instances).filter(
    (chart) => chart.data.datasets.some((set) => set.data.some((v) => v))
).length >= 4
"""


@tagged("post_install", "-at_install", "client_value")
class TestBrowserDashboard(BrowserCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="cv_tour_manager",
            password="cv_tour_manager",
            name="Maria Manager",
            groups="sales_team.group_sale_manager",
        )

    def test_manager_opens_the_client_impact_dashboard(self):
        dashboard = self.env.ref("client_value.spreadsheet_dashboard_client_impact")
        # The demo data of the test database fills the charts.
        self.assertTrue(
            self.env["crm.lead"].search_count([("weighted_impact", ">", 0)])
        )
        path, _switches = self.take_screenshot(
            "dashboard",
            "/odoo/dashboards?dashboard_id=%d" % dashboard.id,
            ".o_spreadsheet_dashboard_action .o-figure canvas",
            login=self.manager.login,
            # Chart.js instances hold data once the grouped reads answered.
            until_js=CHARTS_WITH_DATA,
        )
        self.assertEqual(png_size(path.read_bytes()), (1366, 768))

    def test_the_year_of_history_screenshot(self):
        """The trend charts over the demo's twelve months: outcomes per month
        and client satisfaction per month."""
        dashboard = self.env.ref("client_value.spreadsheet_dashboard_client_impact")
        path, _switches = self.take_screenshot(
            "dashboard_history",
            "/odoo/dashboards?dashboard_id=%d" % dashboard.id,
            ".o_spreadsheet_dashboard_action .o-figure canvas",
            login=self.manager.login,
            # Scroll the dashboard to the section "How did the sale change
            # the client's situation?", then wait for its charts' data.
            until_js="(() => { const bar = document.querySelector("
            "'.o_spreadsheet_dashboard_action .o-scrollbar.vertical');"
            " if (!bar) { return false; } bar.scrollTop = 1120;"
            " bar.dispatchEvent(new Event('scroll'));"
            " return bar.scrollTop > 1000 && (%s); })()" % CHARTS_WITH_DATA.strip(),
        )
        self.assertEqual(png_size(path.read_bytes()), (1366, 768))
