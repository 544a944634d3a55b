"""What managers and salespeople see without hunting: the digest KPIs, the
team cards, Requested On in the scheduling dialog."""

from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import NOW, SERVICE, ClientValueCase

START = datetime(2020, 3, 1)
END = datetime(2020, 3, 31)


@tagged("post_install", "-at_install", "client_value")
class TestDigest(ClientValueCase):
    """Odoo's periodic digest carries the client-value KPIs, computed per
    company over the digest's period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.env["res.company"].create({"name": "CV Digest B"})
        both = cls.company_a | cls.company_b
        cls.manager = new_test_user(
            cls.env,
            login="cv_digest_manager",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, both.ids)],
            tz="UTC",
        )
        cls.env.ref("client_value.response_target_normal").duration = 0
        cls.digest = cls.env.ref("digest.digest_digest_default")

    def company_data(self, company, impact_level, response_hours, flagged):
        """In March: a deal won and rated improved (or not), a request
        answered after ``response_hours``, another still waiting, and
        ``flagged`` neglect events; all of ``company``."""
        Partner = self.env["res.partner"]
        account = Partner.create(
            {
                "name": f"{company.name} client",
                "is_company": True,
                "company_id": company.id,
            }
        )
        with self.at(datetime(2020, 3, 5, 10)):
            won = self.env["crm.lead"].create(
                {
                    "name": f"{company.name} deal",
                    "type": "opportunity",
                    "partner_id": account.id,
                    "company_id": company.id,
                    "impact_level": impact_level,
                }
            )
            won.action_set_won()
            if impact_level == "4":
                won._client_value_record_outcome("improved")
            self.env.flush_all()
        lead = self.env["crm.lead"].create(
            {
                "name": f"{company.name} request",
                "partner_id": account.id,
                "company_id": company.id,
            }
        )
        self.request(lead, datetime(2020, 3, 10, 9))
        self.reply(lead, datetime(2020, 3, 10, 9) + timedelta(hours=response_hours))
        self.request(lead, datetime(2020, 3, 20, 9))
        # sudo: neglect events are a log written by the watch
        self.env["client_value.neglect.event"].sudo().create(
            [
                {
                    "partner_id": account.id,
                    "kind": "flagged",
                    "date": datetime(2020, 3, 12 + i),
                    "company_id": company.id,
                }
                for i in range(flagged)
            ]
        )

    def kpis(self, company):
        self.digest.company_id = company
        digest = (
            self.digest.with_user(self.manager)
            .with_company(company)
            .with_context(
                start_datetime=START,
                end_datetime=END,
                allowed_company_ids=(self.company_a | self.company_b).ids,
            )
        )
        digest.invalidate_recordset()
        return {
            "neglected": digest.kpi_client_value_neglected_value,
            "late": digest.kpi_client_value_late_requests_value,
            "hours": digest.kpi_client_value_response_hours_value,
            "impact": digest.kpi_client_value_impact_won_value,
            "improved": digest.kpi_client_value_improved_value,
        }

    def test_kpis_per_company(self):
        self.assertTrue(self.digest.kpi_client_value_neglected, "on by default")
        self.assertTrue(self.digest.kpi_client_value_improved)
        self.company_data(self.company_a, "4", response_hours=4, flagged=2)
        self.company_data(self.company_b, "2", response_hours=10, flagged=1)
        self.assertEqual(
            self.kpis(self.company_a),
            {"neglected": 2, "late": 1, "hours": 4.0, "impact": 100.0, "improved": 1},
        )
        self.assertEqual(
            self.kpis(self.company_b),
            {"neglected": 1, "late": 1, "hours": 10.0, "impact": 50.0, "improved": 0},
        )

    def test_users_outside_sales_get_no_client_value_kpi(self):
        employee = new_test_user(
            self.env, login="cv_digest_employee", groups="base.group_user"
        )
        kpis = self.digest.with_user(employee)._compute_kpis(self.company_a, employee)
        names = {kpi["kpi_name"] for kpi in kpis}
        self.assertFalse({n for n in names if n.startswith("kpi_client_value")})


@tagged("post_install", "-at_install", "client_value")
class TestTeamCards(ClientValueCase):
    def test_neglected_accounts_and_late_requests_of_the_team(self):
        self.env.ref("client_value.response_target_normal").duration = 0
        team = self.env["crm.team"].create(
            {"name": "Care Team", "member_ids": [(6, 0, self.salesman.ids)]}
        )
        self.account.user_id = self.salesman
        self.request(self.contact_a, self.ago(days=5))
        other = self.env["res.partner"].create(
            {
                "name": "Not the team's",
                "is_company": True,
                "user_id": self.other_salesman.id,
            }
        )
        self.request(other, self.ago(days=5))
        with self.at(NOW):
            self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
            team.invalidate_recordset()
            self.assertEqual(team.client_neglected_count, 1)
            self.assertEqual(team.client_late_request_count, 1)
            action = team.action_view_client_value_neglected()
            found = self.env["res.partner"].search(action["domain"])
            self.assertEqual(found, self.account)
            action = team.action_view_client_value_late_requests()
            touches = self.env["client_value.touch"].search(action["domain"])
            self.assertEqual(touches.account_id, self.account)


@tagged("post_install", "-at_install", "client_value")
class TestSchedulingDialog(ClientValueCase):
    def scheduler(self, **values):
        return (
            self.env["mail.activity.schedule"]
            .with_user(self.salesman)
            .with_context(active_model="res.partner", active_ids=self.contact_a.ids)
            .create(
                {
                    "activity_type_id": self.env.ref(SERVICE).id,
                    "summary": "Copy of the contract",
                    **values,
                }
            )
        )

    def test_a_request_logged_after_the_fact_keeps_its_date(self):
        asked = datetime.now().replace(microsecond=0) - timedelta(days=3)
        scheduler = self.scheduler(date_requested=asked)
        self.assertEqual(scheduler.client_value_touch_kind, "service")
        scheduler.action_schedule_activities()
        request = self.contact_a.activity_ids.filtered(
            lambda a: a.summary == "Copy of the contract"
        )
        self.assertEqual(request.date_requested, asked)

    def test_a_request_cannot_be_made_in_the_future(self):
        later = datetime.now() + timedelta(days=2)
        with self.assertRaises(ValidationError):
            self.scheduler(date_requested=later).action_schedule_activities()
