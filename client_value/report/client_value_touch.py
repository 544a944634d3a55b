from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists

from ..tools import machine_mail, response_target, touch_rule
from ..tools.compat import FALSE_DOMAIN, domain_and, domain_or
from ..tools.touch_rule import TOUCH_KINDS, active_sources, sql

# One branch per table holding touches (activities, messages) and per source
# holding them (see tools/touch_rule.py). ``p`` is the customer contact.
_ACTIVITY_COLUMNS = (
    ("id", "a.id * 2"),
    ("source", "'activity'"),
    ("kind", "a.touch_kind"),
    ("date", "%(moment)s"),
    ("date_answered", "a.date_answered"),
    (
        "response_hours",
        "CASE WHEN a.date_answered IS NOT NULL THEN a.response_hours END",
    ),
    (
        "state",
        "CASE WHEN NOT (%(request)s) THEN 'done' "
        "WHEN a.date_answered IS NULL THEN 'waiting' "
        "WHEN NOT %(contact)s THEN 'closed' ELSE 'answered' END",
    ),
    ("is_request", "%(request)s"),
    ("answer_due", "CASE WHEN %(request)s THEN %(due)s END"),
    (
        "priority",
        "CASE WHEN %(request)s THEN COALESCE(a.client_value_priority, '0') END",
    ),
    ("warn_at", "CASE WHEN %(request)s THEN a.client_value_warn_at END"),
    ("escalate_at", "CASE WHEN %(request)s THEN a.client_value_escalate_at END"),
    ("escalated", "%(request)s AND a.client_value_escalated IS TRUE"),
    ("summary", "a.summary"),
    ("activity_type_id", "a.activity_type_id"),
    ("activity_id", "a.id"),
    ("message_id", "NULL::integer"),
    ("user_id", "a.user_id"),
    ("author_id", "u.partner_id"),
    ("requester_id", "CASE WHEN %(request)s THEN p.id END"),
    ("answered_by_id", "a.answered_by_id"),
    ("no_reply_reason", "a.client_value_no_reply_reason"),
    (
        "no_reply_by_id",
        "CASE WHEN a.client_value_no_reply_reason IS NOT NULL "
        "THEN a.answered_by_id END",
    ),
    ("automatic", "NULL"),
    ("res_model", "a.res_model"),
    ("res_id", "a.res_id"),
    ("partner_id", "p.id"),
    ("account_id", "p.commercial_partner_id"),
    ("lead_id", "%(lead)s"),
    ("company_id", "%(company)s"),
)
_ACTIVITY_FROM = """
      FROM mail_activity a
      %(record)s
      LEFT JOIN res_users u ON u.id = a.user_id
     WHERE a.res_model = %(model)s AND %(touch)s
"""

# ``incoming``: an email from the client; ``request``: one that counts as a
# request, per the setting (touch_rule.message_request).
_MESSAGE_COLUMNS = (
    ("id", "m.id * 2 + 1"),
    ("source", "CASE WHEN %(incoming)s THEN 'email_in' ELSE 'email_out' END"),
    ("kind", "CASE WHEN %(incoming)s THEN %(request_kind)s ELSE %(sent_kind)s END"),
    ("date", "%(moment)s"),
    ("date_answered", "m.date_answered"),
    (
        "response_hours",
        "CASE WHEN m.date_answered IS NOT NULL AND %(request)s AND %(contact)s "
        "THEN GREATEST(EXTRACT(EPOCH FROM m.date_answered - %(moment)s), 0) "
        "/ 3600.0 END",
    ),
    (
        "state",
        "CASE WHEN NOT (%(incoming)s) THEN 'done' "
        "WHEN m.date_answered IS NOT NULL AND NOT %(contact)s THEN 'closed' "
        "WHEN m.date_answered IS NOT NULL THEN 'answered' "
        "WHEN %(request)s THEN 'waiting' ELSE 'received' END",
    ),
    ("is_request", "%(request)s"),
    ("answer_due", "CASE WHEN %(request)s THEN %(due)s END"),
    (
        "priority",
        "CASE WHEN %(request)s THEN COALESCE(m.client_value_priority, '0') END",
    ),
    ("warn_at", "CASE WHEN %(request)s THEN m.client_value_warn_at END"),
    ("escalate_at", "CASE WHEN %(request)s THEN m.client_value_escalate_at END"),
    ("escalated", "%(request)s AND m.client_value_escalated IS TRUE"),
    ("summary", "m.subject"),
    ("activity_type_id", "NULL::integer"),
    ("activity_id", "NULL::integer"),
    ("message_id", "m.id"),
    (
        "user_id",
        "(SELECT min(u.id) FROM res_users u "
        "WHERE u.partner_id = m.author_id AND u.share IS NOT TRUE)",
    ),
    ("author_id", "m.author_id"),
    ("requester_id", "CASE WHEN %(incoming)s THEN m.author_id END"),
    ("answered_by_id", "m.answered_by_id"),
    ("no_reply_reason", "m.client_value_no_reply_reason"),
    (
        "no_reply_by_id",
        "CASE WHEN m.client_value_no_reply_reason IS NOT NULL "
        "THEN m.answered_by_id END",
    ),
    ("automatic", "NULL"),
    ("res_model", "m.model"),
    ("res_id", "m.res_id"),
    ("partner_id", "p.id"),
    ("account_id", "p.commercial_partner_id"),
    ("lead_id", "%(lead)s"),
    ("company_id", "%(company)s"),
)
_MESSAGE_FROM = """
      FROM mail_message m
      %(record)s
     WHERE m.model = %(model)s AND %(touch)s
"""


# An email a machine sent (tools/machine_mail.py): no touch, shown in the
# timeline for what it is. It has no kind: the figures count touches only.
_AUTOMATIC_COLUMNS = (
    ("id", "m.id * 2 + 1"),
    ("source", "'email_auto'"),
    ("kind", "NULL"),
    ("date", "m.date"),
    ("date_answered", "NULL::timestamp"),
    ("response_hours", "NULL::float8"),
    ("state", "'automatic'"),
    ("is_request", "FALSE"),
    ("answer_due", "NULL::timestamp"),
    ("priority", "NULL"),
    ("warn_at", "NULL::timestamp"),
    ("escalate_at", "NULL::timestamp"),
    ("escalated", "FALSE"),
    ("summary", "m.subject"),
    ("activity_type_id", "NULL::integer"),
    ("activity_id", "NULL::integer"),
    ("message_id", "m.id"),
    ("user_id", "NULL::integer"),
    ("author_id", "m.author_id"),
    ("requester_id", "NULL::integer"),
    ("answered_by_id", "NULL::integer"),
    ("no_reply_reason", "NULL"),
    ("no_reply_by_id", "NULL::integer"),
    ("automatic", "m.client_value_automatic"),
    ("res_model", "m.model"),
    ("res_id", "m.res_id"),
    ("partner_id", "p.id"),
    ("account_id", "p.commercial_partner_id"),
    ("lead_id", "%(lead)s"),
    ("company_id", "%(company)s"),
)
_AUTOMATIC_FROM = """
      FROM mail_message m
      %(record)s
     WHERE m.model = %(model)s AND %(automatic)s
"""


def _branch(columns, from_, names, **params):
    """One branch of the view: its ``columns`` ((name, SQL) pairs), all of
    them or only ``names``, then its FROM and WHERE ``from_``."""
    select = ",\n           ".join(
        f"{expr} AS {name}" for name, expr in columns if names is None or name in names
    )
    return SQL(f"SELECT {select}{from_}", **params)


class ClientValueTouch(models.Model):
    """Every client touch of every account, read-only, newest first.

    A SQL view built from the one touch rule (``tools/touch_rule.py``) over
    the activities and messages of every source. It backs the touch
    timeline, the care summary, the last touch of each account and the
    dashboards. A message that answered a request is part of that request's
    touch and has no row of its own.

    Each reader sees the touches of the records they can open: their
    record rules on the source models apply (see ``_search``).
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
            ("email_auto", "Automatic email"),
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
            ("received", "Received"),
            ("closed", "Closed: no reply needed"),
            ("automatic", "Automatic email"),
        ],
        help="Received: an email from the client that is not counted as a "
        "request (see the Unanswered Emails Are Requests setting). Closed: a "
        "request closed without a reply. Automatic email: an auto-reply, a "
        "mailing list or a delivery report, which is no touch.",
        readonly=True,
    )
    is_request = fields.Boolean(string="Client Request", readonly=True)
    answer_due = fields.Datetime(
        readonly=True,
        help="When the request becomes late: the response target of its "
        "priority, in working time of the company's calendar.",
    )
    priority = fields.Selection(
        response_target.PRIORITIES, string="Request Priority", readonly=True
    )
    warn_at = fields.Datetime(string="Due Soon From", readonly=True)
    escalate_at = fields.Datetime(string="Escalated From", readonly=True)
    escalated = fields.Boolean(readonly=True)
    summary = fields.Char(readonly=True)
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity Type", readonly=True
    )
    activity_id = fields.Many2one("mail.activity", string="Activity", readonly=True)
    message_id = fields.Many2one("mail.message", string="Message", readonly=True)
    user_id = fields.Many2one("res.users", string="Internal User", readonly=True)
    author_id = fields.Many2one("res.partner", string="By", readonly=True)
    requester_id = fields.Many2one(
        "res.partner",
        string="Asked By",
        readonly=True,
        help="The client contact who made the request.",
    )
    answered_by_id = fields.Many2one("res.partner", string="Answered By", readonly=True)
    no_reply_reason = fields.Selection(
        touch_rule.NO_REPLY_REASONS, string="No Reply Needed", readonly=True
    )
    no_reply_by_id = fields.Many2one(
        "res.partner",
        string="Closed By",
        readonly=True,
        help="Who closed the request without a reply.",
    )
    automatic = fields.Selection(
        machine_mail.AUTOMATIC_REASONS, string="Automatic Email", readonly=True
    )
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", readonly=True
    )
    document_ref = fields.Reference(
        string="Document",
        selection="_selection_document_ref",
        compute="_compute_document_ref",
        help="The contact, opportunity, order, invoice, task or ticket the "
        "touch is on.",
    )
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
    account_id = fields.Many2one("res.partner", string="Account", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)

    @api.model
    def _selection_document_ref(self):
        return [
            (model, self.env["ir.model"]._get(model).name)
            for model in touch_rule.touch_models(self.env)
        ]

    @api.depends("res_model", "res_id")
    def _compute_document_ref(self):
        for touch in self:
            touch.document_ref = (
                f"{touch.res_model},{touch.res_id}" if touch.res_model else False
            )

    def action_open_document(self):
        """Open the document the touch is on (a row's click), as the user:
        Odoo's access rules decide, and the breadcrumb leads back."""
        self.ensure_one()
        document = self.env[self.res_model].browse(self.res_id)
        document.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "views": [(False, "form")],
            "view_mode": "form",
            "target": "current",
            "name": document.display_name,
        }

    def action_no_reply_needed(self):
        """Close this waiting request without a reply (a wizard: why)."""
        self.ensure_one()
        if self.activity_id:
            request = ("mail.activity", self.activity_id.id)
        else:
            request = ("mail.message", self.message_id.id)
        return self.env["client_value.no.reply.wizard"]._action_open(*request)

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self._create_view()

    def _create_view(self):
        """(Re)create the view over the sources installed and kept in the
        settings; its comment names them, so a later change is noticed."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._touch_query(),
            )
        )
        cr.execute(
            SQL(
                "COMMENT ON VIEW %s IS %s",
                SQL.identifier(self._table),
                self._sources_signature(),
            )
        )

    @api.model
    def _sources_signature(self):
        """What the view is built from: the sources, and which requests count."""
        return "sources: %s; emails are requests: %s" % (
            ",".join(touch_rule.touch_models(self.env)),
            touch_rule.emails_are_requests(self.env),
        )

    def _register_hook(self):
        """An app that carries touches (Sales, Invoicing, Project, OCA
        Helpdesk) installed or removed after client_value: rebuild the view
        so its documents count, or stop counting."""
        res = super()._register_hook()
        cr = self.env.cr
        cr.execute(
            "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c "
            "WHERE c.relname = %s AND c.relkind = 'v'",
            [self._table],
        )
        row = cr.fetchone()
        if row is not None or self.env["ir.module.module"].sudo().search_count(
            [("name", "=", "client_value"), ("state", "=", "installed")]
        ):
            self._rebuild_views()
        return res

    @api.model
    def _rebuild_views(self):
        """The touch view and the reports built on it, for the current
        sources and setting, unless they are built for them already."""
        self.env.cr.execute(
            "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c "
            "WHERE c.relname = %s AND c.relkind = 'v'",
            [self._table],
        )
        row = self.env.cr.fetchone()
        if row is not None and row[0] == self._sources_signature():
            return
        self._create_view()
        self.env["client_value.care.report"].init()

    @api.model
    def _touch_query(self, names=None, automatic=True):
        """The UNION ALL of one branch per table and per source: every
        column of the view, or only ``names`` (the care figures read a few,
        and skip the automatic emails with ``automatic=False``, which are no
        touch)."""
        emails_are_requests = touch_rule.emails_are_requests(self.env)
        branches = []
        for source in active_sources(self.env):
            record = source.record_alias()
            common = {
                "model": source.model,
                "lead": SQL("d.id" if source.model == "crm.lead" else "NULL::integer"),
                "company": SQL(f"{record}.{source.company}"),
            }
            branches.append(
                _branch(
                    _ACTIVITY_COLUMNS,
                    _ACTIVITY_FROM,
                    names,
                    record=touch_rule.record_join(source, "a", "a.res_id"),
                    moment=sql(touch_rule.ACTIVITY_MOMENT, "a"),
                    due=sql(touch_rule.ACTIVITY_DUE, "a"),
                    request=sql(touch_rule.ACTIVITY_REQUEST, "a"),
                    touch=sql(touch_rule.ACTIVITY_TOUCH, "a"),
                    contact=sql(touch_rule.ANSWER_CONTACTS, "a"),
                    **common,
                )
            )
            branches.append(
                _branch(
                    _MESSAGE_COLUMNS,
                    _MESSAGE_FROM,
                    names,
                    record=touch_rule.record_join(source, "m", "m.res_id"),
                    moment=sql(touch_rule.MESSAGE_MOMENT, "m"),
                    due=sql(touch_rule.MESSAGE_DUE, "m"),
                    incoming=sql(touch_rule.MESSAGE_REQUEST, "m"),
                    request=sql(touch_rule.message_request(emails_are_requests), "m"),
                    touch=sql(touch_rule.MESSAGE_TOUCH, "m"),
                    request_kind=source.request_kind,
                    sent_kind=source.sent_kind,
                    contact=sql(touch_rule.ANSWER_CONTACTS, "m"),
                    **common,
                )
            )
            if automatic:
                branches.append(
                    _branch(
                        _AUTOMATIC_COLUMNS,
                        _AUTOMATIC_FROM,
                        names,
                        record=touch_rule.record_join(source, "m", "m.res_id"),
                        automatic=sql(touch_rule.MESSAGE_AUTOMATIC, "m"),
                        **common,
                    )
                )
        return SQL("\nUNION ALL\n").join(branches)

    # ------------------------------------------------------------------
    # Access: the reader's record rules on the documents
    # ------------------------------------------------------------------

    @api.model
    def _readable_records(self):
        """{model: Query of the records the user may read}, for the sources
        the user may read at all; None for the superuser."""
        if self.env.su:
            return None
        readable = {}
        for source in active_sources(self.env):
            # Lost (archived) deals and archived contacts keep their touches.
            Model = self.env[source.model].with_context(active_test=False)
            if Model.has_access("read"):
                readable[source.model] = Model._search([])
        return readable

    @api.model
    def _readable_domain(self):
        readable = self._readable_records()
        if readable is None:
            return []
        return domain_or(
            [
                ["&", ("res_model", "=", model), ("res_id", "in", query)]
                for model, query in readable.items()
            ]
            or [FALSE_DOMAIN]
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        # 19.0 passes active_test= and bypass_access= (the caller reads as
        # the superuser would); 18.0 neither.
        if not kwargs.get("bypass_access"):
            domain = domain_and(
                [domain if domain is not None else [], self._readable_domain()]
            )
        return super()._search(
            domain, offset=offset, limit=limit, order=order, **kwargs
        )

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or not self._ids:
            return result
        allowed = self.browse(self._search([("id", "in", self.ids)]))
        forbidden = self - allowed
        if forbidden:
            return forbidden, lambda: self.env["ir.rule"]._make_access_error(
                operation, forbidden
            )
        return None
