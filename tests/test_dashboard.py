"""The Client Impact dashboard and the CRM › Reporting views behind it."""

import base64
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import NOW, ClientValueCase
from .compat import readonly_dashboard


def _charts(dashboard):
    data = json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))
    return [
        figure["data"]
        for sheet in data["sheets"]
        for figure in sheet["figures"]
        if figure["tag"] == "chart"
    ], data


@tagged("post_install", "-at_install", "client_value")
class TestDashboard(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="cv_dash_manager",
            groups="sales_team.group_sale_manager",
        )
        cls.dashboard = cls.env.ref("client_value.spreadsheet_dashboard_client_impact")

    def test_dashboard_sits_in_the_sales_section(self):
        self.assertEqual(
            self.dashboard.dashboard_group_id,
            self.env.ref("spreadsheet_dashboard.spreadsheet_dashboard_group_sales"),
        )
        self.assertTrue(self.dashboard.is_published)

    def test_every_chart_reads_live_fields_with_a_valid_domain(self):
        charts, data = _charts(self.dashboard)
        self.assertGreaterEqual(len(charts), 10)
        models = {chart["metaData"]["resModel"] for chart in charts}
        self.assertTrue(
            {
                "crm.lead",
                "rating.rating",
                "res.partner",
                "client_value.neglect.event",
                "client_value.touch",
                "client_value.care.report",
            }
            <= models
        )
        for chart in charts:
            meta = chart["metaData"]
            model = self.env[meta["resModel"]].with_user(self.manager)
            field_names = model.fields_get()
            if meta["measure"] != "__count":
                self.assertIn(meta["measure"], field_names, meta)
                self.assertTrue(field_names[meta["measure"]]["aggregator"], meta)
            for group_by in meta["groupBy"]:
                fname = group_by.split(":")[0]
                self.assertIn(fname, field_names, meta)
            domain = chart["searchParams"]["domain"]
            # The same read_group the chart runs when the dashboard opens.
            model._read_group(domain, [g for g in meta["groupBy"]], ["__count"])
        for xmlid in data["chartOdooMenusReferences"].values():
            self.assertTrue(self.env.ref(xmlid)._name == "ir.ui.menu", xmlid)

    def test_manager_loads_it_and_a_salesman_does_not_see_it(self):
        dashboard = self.dashboard.with_user(self.manager)
        loaded = readonly_dashboard(dashboard)
        self.assertTrue(loaded["snapshot"]["sheets"])
        visible = self.env["spreadsheet.dashboard"].with_user(self.salesman).search([])
        self.assertNotIn(self.dashboard, visible)
        with self.assertRaises(AccessError):
            self.dashboard.with_user(self.salesman).check_access("read")

    def test_care_index_counts_touches_after_each_win_by_size(self):
        company = self.env["res.company"].create({"name": "Care Index Co"})
        self.env.user.company_ids |= company
        self.salesman.company_ids |= company
        Partner = self.env["res.partner"]
        leads = self.env["crm.lead"]
        for revenue in (500, 5000, 50000):
            account = Partner.create({"name": f"Care {revenue}", "is_company": True})
            leads |= self.env["crm.lead"].create(
                {
                    "name": f"Deal {revenue}",
                    "type": "opportunity",
                    "partner_id": account.id,
                    "user_id": self.salesman.id,
                    "company_id": company.id,
                    "expected_revenue": revenue,
                }
            )
        # Before the wins: not care after the sale.
        self.done(leads[0].partner_id, NOW - timedelta(days=200))
        with self.at(NOW):
            leads.action_set_won()
            self.env.flush_all()
        small, medium, large = leads
        self.done(small.partner_id, NOW + timedelta(days=1))
        self.done(small.partner_id, NOW + timedelta(days=2))
        self.done(small.partner_id, NOW + timedelta(days=120))  # after 90 days
        self.done(large.partner_id, NOW + timedelta(days=3))
        rows = self.env["client_value.care.report"].search(
            [("company_id", "=", company.id)]
        )
        by_lead = {row.lead_id: row for row in rows}
        self.assertEqual(by_lead[small].size_bucket, "small")
        self.assertEqual(by_lead[medium].size_bucket, "medium")
        self.assertEqual(by_lead[large].size_bucket, "large")
        self.assertEqual(by_lead[small].touch_count, 2)
        self.assertEqual(by_lead[medium].touch_count, 0)
        self.assertEqual(by_lead[large].touch_count, 1)
        groups = dict(
            self.env["client_value.care.report"]._read_group(
                [("company_id", "=", company.id)], ["size_bucket"], ["touch_count:avg"]
            )
        )
        self.assertEqual(groups, {"small": 2.0, "medium": 0.0, "large": 1.0})
        self.assertEqual(by_lead[small].date_closed, fields.Datetime.to_datetime(NOW))

    def test_reporting_actions_load_for_a_manager(self):
        for xmlid in (
            "client_value.crm_lead_action_client_impact_report",
            "client_value.crm_lead_action_outcome_report",
            "client_value.client_value_care_report_action",
        ):
            action = self.env.ref(xmlid)
            model = self.env[action.res_model].with_user(self.manager)
            views = model.get_views(
                [(False, mode) for mode in action.view_mode.split(",")]
            )
            self.assertTrue(views["views"], xmlid)
            model.search_count(safe_eval(action.domain or "[]"))
