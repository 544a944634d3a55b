"""Shared fixtures for the client care tests: one account (a company with two
contacts), a salesperson and helpers that create touches at a given time."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user, tagged

SERVICE = "client_value.mail_activity_type_service_request"
ADMIN = "client_value.mail_activity_type_admin_task"
CALL = "mail.mail_activity_data_call"

# A fixed "now" for the scenarios: a Tuesday, mid-day UTC.
NOW = datetime(2026, 3, 10, 12, 0, 0)


@tagged("post_install", "-at_install", "client_value")
class ClientCareCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, tz="UTC")
        )
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("client_value.neglect_window_days", "30")
        params.set_param("client_value.count_incoming_email", "True")
        cls.company = cls.env.company
        cls.salesman = new_test_user(
            cls.env,
            login="cv_salesman",
            name="Sam Sales",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
            tz="UTC",
        )
        cls.other_salesman = new_test_user(
            cls.env,
            login="cv_other_salesman",
            name="Olga Other",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
            tz="UTC",
        )
        Partner = cls.env["res.partner"]
        cls.account = Partner.create({"name": "Acme Corp", "is_company": True})
        cls.contact_a = Partner.create(
            {"name": "Alice Acme", "parent_id": cls.account.id}
        )
        cls.contact_b = Partner.create(
            {"name": "Bob Acme", "parent_id": cls.account.id}
        )
        cls.stranger = Partner.create({"name": "Stranger Ltd", "is_company": True})
        cls.lead_b = cls.env["crm.lead"].create(
            {
                "name": "Acme renewal",
                "type": "opportunity",
                "partner_id": cls.contact_b.id,
                "user_id": cls.salesman.id,
                "company_id": cls.company.id,
            }
        )

    # -- helpers -----------------------------------------------------------

    def at(self, moment):
        """Freeze the clock at ``moment`` (naive UTC)."""
        return freeze_time(moment)

    def request(self, record, when, user=None, xmlid=SERVICE, **values):
        """A service request (or another activity) created at ``when``."""
        with self.at(when):
            activity = record.activity_schedule(
                xmlid, user_id=(user or self.salesman).id, **values
            )
            self.env.flush_all()
        return activity

    def done(self, record, when, xmlid=CALL, user=None):
        """An activity of ``xmlid`` marked done at ``when``."""
        with self.at(when):
            activity = record.activity_schedule(
                xmlid, user_id=(user or self.salesman).id
            )
            activity.action_done()
            self.env.flush_all()
        return activity

    def reply(self, record, when, user=None, note=False):
        """A message from an internal user: a discussion, or a log note."""
        with self.at(when):
            message = record.with_user(user or self.salesman).message_post(
                body="About your request",
                message_type="comment",
                subtype_xmlid="mail.mt_note" if note else "mail.mt_comment",
            )
            self.env.flush_all()
        return message

    def client_email(self, record, when, author=None):
        """An email received from the client on ``record``."""
        with self.at(when):
            message = record.message_post(
                body="Could you help us?",
                subject="Help needed",
                message_type="email",
                author_id=(author or self.contact_a).id,
                subtype_xmlid="mail.mt_comment",
            )
            self.env.flush_all()
        return message

    def summary(self, partner, when=NOW, **context):
        """Care summary of ``partner`` as seen at ``when``."""
        with self.at(when):
            partner = partner.with_context(**context)
            partner.invalidate_recordset()
            return {
                "last_touch_date": partner.last_touch_date,
                "last_touch_kind": partner.last_touch_kind,
                "last_sales_touch_date": partner.last_sales_touch_date,
                "open": partner.waiting_request_count,
                "avg_hours": partner.avg_response_hours,
                "touches": partner.touch_count,
                "sales": partner.sales_touch_count,
                "service": partner.service_touch_count,
                "admin": partner.admin_touch_count,
            }

    @staticmethod
    def ago(days=0, hours=0, minutes=0):
        return NOW - timedelta(days=days, hours=hours, minutes=minutes)
