"""The one test base: ``ClientValueCase`` (``ClientValueHttpCase`` for tests
that talk HTTP) builds one small world for every test class, and its helpers
make touches and deals at a given time. Each helper is a class method, so a
``setUpClass`` uses it as a test does.

The world, built once per class:

- users: ``salesman`` (Sam Sales, *Own Documents*, may create contacts),
  ``other_salesman`` (Olga Other, the same), ``manager`` (a sales manager);
- ``team``, led by the manager with both salespeople, and its stages
  ``stage_new``, ``stage_won``, ``stage_won_2`` (two won stages);
- Acme Corp (``account``), its contacts ``contact_a`` (Alice) and
  ``contact_b`` (Bob), Bob's opportunity ``lead_b``, and ``stranger``, a
  company outside Acme;
- Harbour Clinic (``clinic``), its contacts ``ana`` and ``tom`` with emails:
  the client of the deals whose outcome is reviewed and rated;
- Harbour Bakery (``client``), the client of the impact tests.

Settings: look-back window 30 days, emails are requests, no impact
assessment required, the median as small-deal threshold, reviews 30 days
after the win, no automatic rating request.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.client_value.tools import rating as rating_scale

from .compat import stage_team

SERVICE = "client_value.mail_activity_type_service_request"
ADMIN = "client_value.mail_activity_type_admin_task"
CALL = "mail.mail_activity_data_call"
REVIEW = "client_value.mail_activity_type_impact_review"

# A fixed "now" for the scenarios: a Tuesday, mid-day UTC.
NOW = datetime(2026, 3, 10, 12, 0, 0)

SALESMAN = "sales_team.group_sale_salesman,base.group_partner_manager"


class ClientValueFixtures:
    """The world and its helpers, for TransactionCase and HttpCase alike."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, tz="UTC")
        )
        # The watch counts days in the timezone of its scheduled action's
        # user; the tests' clock is UTC.
        cls.env.ref("base.user_root").tz = "UTC"
        cls.params = cls.env["ir.config_parameter"].sudo()
        for key, value in {
            "neglect_window_days": "30",
            "count_incoming_email": "True",
            "require_impact_assessment": False,
            "small_deal_threshold": False,
            "impact_review_days": "30",
            "auto_rating_request": False,
        }.items():
            cls.params.set_param("client_value." + key, value)
        cls.company = cls.env.company
        cls._build_users()
        cls._build_sales()
        cls._build_accounts()
        cls.review_type = cls.env.ref(REVIEW)

    @classmethod
    def _build_users(cls):
        cls.salesman = new_test_user(
            cls.env,
            login="cv_salesman",
            name="Sam Sales",
            email="salesman@example.com",
            groups=SALESMAN,
            tz="UTC",
        )
        cls.other_salesman = new_test_user(
            cls.env,
            login="cv_other_salesman",
            name="Olga Other",
            email="salesman2@example.com",
            groups=SALESMAN,
            tz="UTC",
        )
        cls.manager = new_test_user(
            cls.env,
            login="cv_manager",
            name="Max Manager",
            email="manager@example.com",
            groups="sales_team.group_sale_manager",
            tz="UTC",
        )

    @classmethod
    def _build_sales(cls):
        cls.team = cls.env["crm.team"].create(
            {
                "name": "CV Team",
                "user_id": cls.manager.id,
                "member_ids": [
                    Command.link(cls.salesman.id),
                    Command.link(cls.other_salesman.id),
                ],
            }
        )
        Stage = cls.env["crm.stage"]
        cls.stage_new = Stage.create(
            {"name": "CV New", "sequence": 1, **stage_team(cls.team)}
        )
        cls.stage_won = Stage.create(
            {"name": "CV Won", "sequence": 90, "is_won": True, **stage_team(cls.team)}
        )
        cls.stage_won_2 = Stage.create(
            {
                "name": "CV Delivered",
                "sequence": 91,
                "is_won": True,
                **stage_team(cls.team),
            }
        )

    @classmethod
    def _build_accounts(cls):
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
        cls.clinic = Partner.create(
            {
                "name": "CV Harbour Clinic",
                "is_company": True,
                "email": "clinic@example.com",
            }
        )
        cls.ana = Partner.create(
            {
                "name": "CV Dr. Ana Reyes",
                "parent_id": cls.clinic.id,
                "email": "ana@example.com",
            }
        )
        cls.tom = Partner.create(
            {
                "name": "CV Tom Hale",
                "parent_id": cls.clinic.id,
                "email": "tom@example.com",
            }
        )
        cls.client = Partner.create({"name": "Harbour Bakery", "is_company": True})

    # -- time ------------------------------------------------------------------

    @classmethod
    def at(cls, moment):
        """Freeze the clock at ``moment`` (naive UTC)."""
        return freeze_time(moment)

    @staticmethod
    def ago(days=0, hours=0, minutes=0):
        return NOW - timedelta(days=days, hours=hours, minutes=minutes)

    # -- touches -----------------------------------------------------------------

    @classmethod
    def request(cls, record, when, user=None, xmlid=SERVICE, **values):
        """A service request (or another activity) created at ``when``."""
        with cls.at(when):
            activity = record.activity_schedule(
                xmlid, user_id=(user or cls.salesman).id, **values
            )
            cls.env.flush_all()
        return activity

    @classmethod
    def done(cls, record, when, xmlid=CALL, user=None):
        """An activity of ``xmlid`` marked done at ``when``."""
        with cls.at(when):
            activity = record.activity_schedule(
                xmlid, user_id=(user or cls.salesman).id
            )
            activity.action_done()
            cls.env.flush_all()
        return activity

    @classmethod
    def reply(cls, record, when, user=None, note=False):
        """A message from an internal user: a discussion, or a log note."""
        with cls.at(when):
            message = record.with_user(user or cls.salesman).message_post(
                body="About your request",
                message_type="comment",
                subtype_xmlid="mail.mt_note" if note else "mail.mt_comment",
            )
            cls.env.flush_all()
        return message

    @classmethod
    def client_email(cls, record, when, author=None):
        """An email received from the client on ``record``."""
        with cls.at(when):
            message = record.message_post(
                body="Could you help us?",
                subject="Help needed",
                message_type="email",
                author_id=(author or cls.contact_a).id,
                subtype_xmlid="mail.mt_comment",
            )
            cls.env.flush_all()
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

    # -- deals -------------------------------------------------------------------

    @classmethod
    def opportunity(cls, name, **values):
        """An opportunity of the team, in its first stage, for Harbour Bakery,
        50 % likely, 10,000 expected; ``values`` override."""
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": cls.team.id,
                "stage_id": cls.stage_new.id,
                "user_id": cls.salesman.id,
                "partner_id": cls.client.id,
                "probability": 50.0,
                "expected_revenue": 10000.0,
                **values,
            }
        )

    @classmethod
    def clinic_deal(cls, name, user=None, partner=None, **values):
        """A deal of Harbour Clinic (Ana's, unless ``partner``), 1,000
        expected, whose outcome and rating the tests follow after the win."""
        values = {
            "user_id": (user or cls.salesman).id,
            "partner_id": (partner or cls.ana).id,
            "expected_revenue": 1000,
            **values,
        }
        return cls.opportunity(name, **values)

    def label(self, fname):
        return self.env["crm.lead"]._fields[fname]._description_string(self.env)

    @staticmethod
    def link_token(lead, partner=None):
        """The token of the rating links the client receives by email."""
        lead._rating_get_access_token(partner=partner)
        rating = lead.rating_ids.sudo().filtered(lambda r: not r.consumed)[:1]
        return rating_scale.link_token(lead.env, rating)

    @staticmethod
    def ask_client(lead, user):
        """*Ask the Client* as ``user``: the composer opens on the rating
        request and the user sends it; returns the notification."""
        lead = lead.with_user(user)
        action = lead.action_ask_client_rating()
        composer = lead.env["mail.compose.message"].with_context(action["context"])
        return composer.create({}).action_send_mail()

    @staticmethod
    def open_reviews(lead):
        return lead.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "in", lead.ids),
                ("activity_type_id", "=", lead.env.ref(REVIEW).id),
            ]
        )


@tagged("post_install", "-at_install", "client_value")
class ClientValueCase(ClientValueFixtures, TransactionCase):
    pass


@tagged("post_install", "-at_install", "client_value")
class ClientValueHttpCase(ClientValueFixtures, HttpCase):
    pass
