from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists

from .mail_activity_type import TOUCH_KINDS

# One branch per source (activities, messages) and per record holding it (a
# contact, or a lead of a contact). ``record`` joins the record and its
# contact ``p``; ``lead`` and ``company`` are the lead and the company.
_ACTIVITY_BRANCH = """
    SELECT a.id * 2 AS id,
           'activity' AS source,
           a.touch_kind AS kind,
           CASE WHEN a.is_service_request IS TRUE
                THEN COALESCE(a.date_requested, a.create_date)
                ELSE a.done_datetime END AS date,
           a.date_answered AS date_answered,
           CASE WHEN a.date_answered IS NOT NULL
                THEN a.response_hours END AS response_hours,
           CASE WHEN a.is_service_request IS NOT TRUE THEN 'done'
                WHEN a.date_answered IS NULL THEN 'waiting'
                ELSE 'answered' END AS state,
           a.is_service_request IS TRUE AS is_request,
           a.summary AS summary,
           a.activity_type_id AS activity_type_id,
           a.id AS activity_id,
           NULL::integer AS message_id,
           a.user_id AS user_id,
           u.partner_id AS author_id,
           a.res_model AS res_model,
           a.res_id AS res_id,
           p.id AS partner_id,
           p.commercial_partner_id AS account_id,
           %(lead)s AS lead_id,
           %(company)s AS company_id
      FROM mail_activity a
      %(record)s
      LEFT JOIN res_users u ON u.id = a.user_id
     WHERE a.res_model = %(model)s
       AND a.touch_kind IS NOT NULL
       AND (a.active IS NOT TRUE OR a.is_service_request IS TRUE)
"""

_MESSAGE_BRANCH = """
    SELECT m.id * 2 + 1 AS id,
           CASE WHEN m.client_touch = 'incoming'
                THEN 'email_in' ELSE 'email_out' END AS source,
           CASE WHEN m.client_touch = 'incoming'
                THEN 'service' ELSE 'sales' END AS kind,
           m.date AS date,
           m.date_answered AS date_answered,
           CASE WHEN m.date_answered IS NOT NULL
                THEN EXTRACT(EPOCH FROM m.date_answered - m.date)::float8 / 3600
                END AS response_hours,
           CASE WHEN m.client_touch = 'outgoing' THEN 'done'
                WHEN m.date_answered IS NULL THEN 'waiting'
                ELSE 'answered' END AS state,
           m.client_touch = 'incoming' AS is_request,
           m.subject AS summary,
           NULL::integer AS activity_type_id,
           NULL::integer AS activity_id,
           m.id AS message_id,
           (SELECT min(u.id) FROM res_users u
             WHERE u.partner_id = m.author_id AND u.share IS NOT TRUE) AS user_id,
           m.author_id AS author_id,
           m.model AS res_model,
           m.res_id AS res_id,
           p.id AS partner_id,
           p.commercial_partner_id AS account_id,
           %(lead)s AS lead_id,
           %(company)s AS company_id
      FROM mail_message m
      %(record)s
     WHERE m.model = %(model)s
       AND m.client_touch IS NOT NULL
       AND m.answers_request IS NOT TRUE
"""

# Where the touch is recorded: (model, join of the contact, lead, company).
_RECORDS = {
    "a": [
        (
            "res.partner",
            "JOIN res_partner p ON p.id = a.res_id",
            "NULL::integer",
            "p.company_id",
        ),
        (
            "crm.lead",
            "JOIN crm_lead l ON l.id = a.res_id "
            "JOIN res_partner p ON p.id = l.partner_id",
            "l.id",
            "l.company_id",
        ),
    ],
    "m": [
        (
            "res.partner",
            "JOIN res_partner p ON p.id = m.res_id",
            "NULL::integer",
            "p.company_id",
        ),
        (
            "crm.lead",
            "JOIN crm_lead l ON l.id = m.res_id "
            "JOIN res_partner p ON p.id = l.partner_id",
            "l.id",
            "l.company_id",
        ),
    ],
}


class ClientValueTouch(models.Model):
    """Every client touch of every account, read-only, newest first.

    A SQL view over done touch activities, service requests and the messages
    exchanged with the client, on the account's contacts and on their leads.
    It backs the touch timeline of the partner form and the dashboards.
    A message that answered a request is part of that request's touch and
    has no row of its own.
    """

    _name = "client_value.touch"
    _inherit = ["client_value.report.mixin"]
    _description = "Client Touch"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "summary"

    source = fields.Selection(
        [
            ("activity", "Activity"),
            ("email_in", "Email from the client"),
            ("email_out", "Message to the client"),
        ],
        readonly=True,
    )
    kind = fields.Selection(TOUCH_KINDS, readonly=True)
    date = fields.Datetime(readonly=True)
    date_answered = fields.Datetime(string="Answered On", readonly=True)
    response_hours = fields.Float(
        string="Response Time (Hours)", aggregator="avg", readonly=True
    )
    state = fields.Selection(
        [
            ("done", "Done"),
            ("answered", "Answered"),
            ("waiting", "Waiting for an answer"),
        ],
        readonly=True,
    )
    is_request = fields.Boolean(string="Client Request", readonly=True)
    summary = fields.Char(readonly=True)
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity Type", readonly=True
    )
    activity_id = fields.Many2one("mail.activity", string="Activity", readonly=True)
    message_id = fields.Many2one("mail.message", string="Message", readonly=True)
    user_id = fields.Many2one("res.users", string="Internal User", readonly=True)
    author_id = fields.Many2one("res.partner", string="Who", readonly=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", readonly=True
    )
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
    account_id = fields.Many2one("res.partner", string="Account", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._touch_query(),
            )
        )

    def _touch_query(self):
        """The UNION ALL of the four branches: activities and messages, on
        contacts and on leads."""
        branches = [
            SQL(
                template,
                model=model,
                record=SQL(join),
                lead=SQL(lead),
                company=SQL(company),
            )
            for template, alias in ((_ACTIVITY_BRANCH, "a"), (_MESSAGE_BRANCH, "m"))
            for model, join, lead, company in _RECORDS[alias]
        ]
        return SQL("\nUNION ALL\n").join(branches)
