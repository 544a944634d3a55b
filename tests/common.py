"""The common test base.

``ClientCareCase``: one account (a company with two contacts), salespeople
and helpers that create touches at a given time. The ``_setup_outcome_data``
family: a sales team with won stages, an account, opportunities, and the
client's rating request, for the tests of what happens after the sale."""

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


# -- after the sale ---------------------------------------------------------


def _setup_outcome_data(cls):
    """Users, stages, an account with two contacts and open opportunities."""
    env = cls.env
    cls.salesman = new_test_user(
        env,
        login="cv_outcome_salesman",
        groups="sales_team.group_sale_salesman",
        email="salesman@example.com",
    )
    cls.other_salesman = new_test_user(
        env,
        login="cv_outcome_salesman2",
        groups="sales_team.group_sale_salesman",
        email="salesman2@example.com",
    )
    cls.manager = new_test_user(
        env,
        login="cv_outcome_manager",
        groups="sales_team.group_sale_manager",
        email="manager@example.com",
    )
    cls.team = env["crm.team"].create(
        {"name": "CV Outcome Team", "user_id": cls.manager.id}
    )
    cls.stage_new = env["crm.stage"].create(
        {"name": "CV New", "sequence": 1, "team_id": cls.team.id}
    )
    cls.stage_won = env["crm.stage"].create(
        {"name": "CV Won", "sequence": 90, "is_won": True, "team_id": cls.team.id}
    )
    cls.stage_won_2 = env["crm.stage"].create(
        {"name": "CV Delivered", "sequence": 91, "is_won": True, "team_id": cls.team.id}
    )
    cls.account = env["res.partner"].create(
        {"name": "CV Harbour Clinic", "is_company": True, "email": "clinic@example.com"}
    )
    cls.contact = env["res.partner"].create(
        {
            "name": "CV Dr. Ana Reyes",
            "parent_id": cls.account.id,
            "email": "ana@example.com",
        }
    )
    cls.contact_2 = env["res.partner"].create(
        {
            "name": "CV Tom Hale",
            "parent_id": cls.account.id,
            "email": "tom@example.com",
        }
    )
    env["ir.config_parameter"].sudo().set_param("client_value.impact_review_days", 30)
    env["ir.config_parameter"].sudo().set_param(
        "client_value.auto_rating_request", False
    )
    cls.review_type = env.ref("client_value.mail_activity_type_impact_review")


def _new_lead(cls, name, user=None, partner=None, **values):
    vals = {
        "name": name,
        "type": "opportunity",
        "team_id": cls.team.id,
        "stage_id": cls.stage_new.id,
        "user_id": (user or cls.salesman).id,
        "partner_id": (partner or cls.contact).id,
        "expected_revenue": 1000,
    }
    vals.update(values)
    return cls.env["crm.lead"].create(vals)


def _link_token(lead, partner=None):
    """The token of the rating links the client receives by email."""
    lead._rating_get_access_token(partner=partner)
    rating = lead.rating_ids.sudo().filtered(lambda r: not r.consumed)[:1]
    return lead._client_value_rating_link_token(rating)


def _ask_client(lead, user):
    """*Ask the Client* as ``user``: the composer opens on the rating request
    and the user sends it; returns the notification."""
    lead = lead.with_user(user)
    action = lead.action_ask_client_rating()
    composer = lead.env["mail.compose.message"].with_context(action["context"])
    return composer.create({}).action_send_mail()


def _open_reviews(lead):
    return lead.env["mail.activity"].search(
        [
            ("res_model", "=", "crm.lead"),
            ("res_id", "in", lead.ids),
            (
                "activity_type_id",
                "=",
                lead.env.ref("client_value.mail_activity_type_impact_review").id,
            ),
        ]
    )
