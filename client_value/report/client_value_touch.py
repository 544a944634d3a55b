from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import create_index, drop_view_if_exists

from ..tools import history, settings, touch_rule
from ..tools.touch_rule import TOUCH_KINDS, active_sources, sql

# The care summary's average response time looks this many days back.
RESPONSE_DAYS = 90
# Queries over many accounts that PostgreSQL prices high enough to
# JIT-compile: compiling takes longer than running them. Off for the rest
# of the transaction only.
NO_JIT = SQL("SET LOCAL jit = off;")

# One branch per table holding touches (activities, messages) and per source
# holding them (see tools/touch_rule.py). ``p`` is the customer contact.
_ACTIVITY_BRANCH = """
    SELECT a.id * 2 AS id,
           'activity' AS source,
           a.touch_kind AS kind,
           %(moment)s AS date,
           a.date_answered AS date_answered,
           CASE WHEN a.date_answered IS NOT NULL
                THEN a.response_hours END AS response_hours,
           CASE WHEN NOT (%(request)s) THEN 'done'
                WHEN a.date_answered IS NULL THEN 'waiting'
                ELSE 'answered' END AS state,
           %(request)s AS is_request,
           CASE WHEN %(request)s THEN %(due)s END AS answer_due,
           a.summary AS summary,
           a.activity_type_id AS activity_type_id,
           a.id AS activity_id,
           NULL::integer AS message_id,
           a.user_id AS user_id,
           u.partner_id AS author_id,
           CASE WHEN %(request)s THEN p.id END AS requester_id,
           a.answered_by_id AS answered_by_id,
           a.res_model AS res_model,
           a.res_id AS res_id,
           p.id AS partner_id,
           p.commercial_partner_id AS account_id,
           %(lead)s AS lead_id,
           %(company)s AS company_id
      FROM mail_activity a
      %(record)s
      LEFT JOIN res_users u ON u.id = a.user_id
     WHERE a.res_model = %(model)s AND %(touch)s
"""

# ``incoming``: an email from the client; ``request``: one that counts as a
# request, per the setting (touch_rule.message_request).
_MESSAGE_BRANCH = """
    SELECT m.id * 2 + 1 AS id,
           CASE WHEN %(incoming)s THEN 'email_in' ELSE 'email_out' END AS source,
           CASE WHEN %(incoming)s THEN %(request_kind)s
                ELSE %(sent_kind)s END AS kind,
           %(moment)s AS date,
           m.date_answered AS date_answered,
           CASE WHEN m.date_answered IS NOT NULL AND %(request)s
                THEN GREATEST(EXTRACT(EPOCH FROM m.date_answered - %(moment)s), 0)
                     / 3600.0 END AS response_hours,
           CASE WHEN NOT (%(incoming)s) THEN 'done'
                WHEN m.date_answered IS NOT NULL THEN 'answered'
                WHEN %(request)s THEN 'waiting'
                ELSE 'received' END AS state,
           %(request)s AS is_request,
           CASE WHEN %(request)s THEN %(due)s END AS answer_due,
           m.subject AS summary,
           NULL::integer AS activity_type_id,
           NULL::integer AS activity_id,
           m.id AS message_id,
           (SELECT min(u.id) FROM res_users u
             WHERE u.partner_id = m.author_id AND u.share IS NOT TRUE) AS user_id,
           m.author_id AS author_id,
           CASE WHEN %(incoming)s THEN m.author_id END AS requester_id,
           m.answered_by_id AS answered_by_id,
           m.model AS res_model,
           m.res_id AS res_id,
           p.id AS partner_id,
           p.commercial_partner_id AS account_id,
           %(lead)s AS lead_id,
           %(company)s AS company_id
      FROM mail_message m
      %(record)s
     WHERE m.model = %(model)s AND %(touch)s
"""


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
        ],
        help="Received: an email from the client that is not counted as a "
        "request (see the Unanswered Emails Are Requests setting).",
        readonly=True,
    )
    is_request = fields.Boolean(string="Client Request", readonly=True)
    answer_due = fields.Datetime(
        readonly=True,
        help="When the request becomes late: the response target, in working "
        "days of the company's calendar.",
    )
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

    def init(self):
        self._create_indexes()
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
    def _settings_changed(self, old_sources, old_target):
        """Sources added in the settings have their history read; the views
        follow the sources; a new response target re-plans when the waiting
        requests become late."""
        new_sources = touch_rule.touch_models(self.env)
        if set(new_sources) != set(old_sources):
            # The module's own history reader, as at install.
            history.read_history(self.env, set(new_sources) - set(old_sources))
            self._rebuild_views()
            self._refresh_last_touch()
        if settings.get(self.env, "response_target_days") != old_target:
            history.replan_answer_due(self.env)

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
    def _touch_query(self):
        """The UNION ALL of one branch per table and per source."""
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
                SQL(
                    _ACTIVITY_BRANCH,
                    record=touch_rule.record_join(source, "a", "a.res_id"),
                    moment=sql(touch_rule.ACTIVITY_MOMENT, "a"),
                    due=sql(touch_rule.ACTIVITY_DUE, "a"),
                    request=sql(touch_rule.ACTIVITY_REQUEST, "a"),
                    touch=sql(touch_rule.ACTIVITY_TOUCH, "a"),
                    **common,
                )
            )
            branches.append(
                SQL(
                    _MESSAGE_BRANCH,
                    record=touch_rule.record_join(source, "m", "m.res_id"),
                    moment=sql(touch_rule.MESSAGE_MOMENT, "m"),
                    due=sql(touch_rule.MESSAGE_DUE, "m"),
                    incoming=sql(touch_rule.MESSAGE_REQUEST, "m"),
                    request=sql(touch_rule.message_request(emails_are_requests), "m"),
                    touch=sql(touch_rule.MESSAGE_TOUCH, "m"),
                    request_kind=source.request_kind,
                    sent_kind=source.sent_kind,
                    **common,
                )
            )
        return SQL("\nUNION ALL\n").join(branches)

    @api.model
    def _create_indexes(self):
        """The partial indexes the rule reads, built from the rule's own
        pieces; those of an earlier definition of the rule are dropped."""
        cr = self.env.cr
        wanted = touch_rule.indexes()
        names = [name for name, *_rest in wanted]
        cr.execute(
            SQL(
                "SELECT indexname FROM pg_indexes WHERE tablename IN %s "
                "AND (indexname LIKE %s OR indexname LIKE %s)",
                ("mail_activity", "mail_message"),
                *(prefix + "%" for prefix in touch_rule.INDEX_PREFIXES),
            )
        )
        for (stale,) in cr.fetchall():
            if stale not in names:
                cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(stale)))
        for name, table, columns, where in wanted:
            create_index(cr, name, table, columns, where=where)

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
        return expression.OR(
            [
                ["&", ("res_model", "=", model), ("res_id", "in", query)]
                for model, query in readable.items()
            ]
            or [expression.FALSE_DOMAIN]
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        domain = expression.AND([domain or [], self._readable_domain()])
        return super()._search(domain, offset=offset, limit=limit, order=order)

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

    # ------------------------------------------------------------------
    # The care summary and the last touch
    # ------------------------------------------------------------------

    @api.model
    def _account_records(self, account_ids, readable=None):
        """The records holding the touches of ``account_ids`` (ids, or an SQL
        query of ids): (account_id, model, res_id), limited to ``readable``
        ({model: Query}) unless None."""
        if isinstance(account_ids, SQL):
            accounts = SQL("IN (%s)", account_ids)
        else:
            accounts = SQL("= ANY(%s)", list(account_ids))
        branches = []
        for source in active_sources(self.env):
            if readable is not None and source.model not in readable:
                continue
            alias = source.record_alias()
            if source.customer is None:
                from_ = SQL("res_partner p")
            else:
                from_ = SQL(
                    "%s d JOIN res_partner p ON p.id = %s",
                    SQL.identifier(source.table),
                    SQL(source.contact_sql("d")),
                )
            condition = SQL()
            if readable is not None:
                condition = SQL(
                    "AND %s IN %s",
                    SQL(f"{alias}.id"),
                    readable[source.model].subselect(),
                )
            branches.append(
                SQL(
                    "SELECT p.commercial_partner_id AS account_id, "
                    "%s::varchar AS model, %s AS res_id FROM %s "
                    "WHERE p.commercial_partner_id %s %s",
                    source.model,
                    SQL(f"{alias}.id"),
                    from_,
                    accounts,
                    condition,
                )
            )
        if not branches:
            return SQL("SELECT NULL::integer, NULL::varchar, NULL::integer WHERE FALSE")
        return SQL(" UNION ALL ").join(branches)

    @api.model
    def _account_summary(self, account_ids):
        """Care figures of ``account_ids`` as the user sees them, in one
        aggregate query: only the touches of records they may read.

        Returns {account_id: {figure: value}}; accounts without any touch
        are absent.
        """
        account_ids = [aid for aid in account_ids if aid]
        if not account_ids:
            return {}
        window_days = settings.get(self.env, "neglect_window_days")
        self._flush_sources()
        # The records holding the accounts' touches come first; each is then
        # looked up in the view through the sources' indexes (OFFSET 0 keeps
        # the lookup per record, which the planner would otherwise turn into
        # scans of whole tables), so a batch of accounts costs the same
        # whatever the database's size.
        query = SQL(
            """
            %(no_jit)s
            WITH records AS MATERIALIZED (%(records)s)
            SELECT r.account_id,
                   max(t.date) FILTER (WHERE t.kind = 'sales'),
                   count(*) FILTER (WHERE t.state = 'waiting' AND %(requests)s),
                   count(*) FILTER (WHERE t.state = 'waiting' AND %(requests)s
                                      AND t.answer_due <= %(now)s),
                   avg(t.response_hours) FILTER (
                       WHERE t.date_answered >= %(response_start)s AND %(requests)s),
                   count(*) FILTER (WHERE t.date >= %(window_start)s),
                   count(*) FILTER (WHERE t.date >= %(window_start)s
                                      AND t.kind = 'sales'),
                   count(*) FILTER (WHERE t.date >= %(window_start)s
                                      AND t.kind = 'service'),
                   count(*) FILTER (WHERE t.date >= %(window_start)s
                                      AND t.kind = 'admin')
              FROM records r
             CROSS JOIN LATERAL (
                    SELECT * FROM client_value_touch v
                     WHERE v.res_model = r.model AND v.res_id = r.res_id
                    OFFSET 0) t
             WHERE t.company_id IS NULL OR t.company_id = ANY(%(company_ids)s)
          GROUP BY r.account_id
            """,
            no_jit=NO_JIT,
            company_ids=self.env.companies.ids,
            records=self._account_records(account_ids, self._readable_records()),
            requests=SQL("t.is_request"),
            response_start=self._day_start(RESPONSE_DAYS),
            now=fields.Datetime.now(),
            window_start=self._day_start(window_days),
        )
        names = (
            "last_sales_touch_date",
            "waiting_requests",
            "late_requests",
            "avg_response_hours",
            "touch_count",
            "sales_touch_count",
            "service_touch_count",
            "admin_touch_count",
        )
        return {
            row[0]: dict(zip(names, row[1:], strict=True))
            for row in self.env.execute_query(query)
        }

    @api.model
    def _refresh_last_touch(self, account_ids=None):
        """Store the last touch of ``account_ids`` (ids or an SQL query of
        ids; every account when None) on the account and its contacts, from
        the view, whoever reads it.

        The last touch is the latest moment of a touch or of an answer to
        one. Returns the ids of the accounts among them that are flagged as
        neglected, so a caller can reconsider them.
        """
        self._flush_sources()
        moment = SQL("GREATEST(t.date, t.date_answered)")
        # Accounts that have no touch (any more) have no last touch.
        if account_ids is None:
            untouched = SQL("TRUE")
        elif isinstance(account_ids, SQL):
            untouched = SQL("p.commercial_partner_id IN (%s)", account_ids)
        else:
            untouched = SQL("p.commercial_partner_id = ANY(%s)", list(account_ids))
        if account_ids is None:
            latest = SQL(
                "SELECT DISTINCT ON (t.account_id) t.account_id, %(moment)s AS moment,"
                " t.kind FROM client_value_touch t WHERE %(moment)s IS NOT NULL"
                " ORDER BY t.account_id, %(moment)s DESC, t.id DESC",
                moment=moment,
            )
        else:
            if not isinstance(account_ids, SQL):
                account_ids = [aid for aid in account_ids if aid]
                if not account_ids:
                    return []
            latest = SQL(
                """
                SELECT DISTINCT ON (r.account_id) r.account_id,
                       %(moment)s AS moment, t.kind
                  FROM (%(records)s) r
                 CROSS JOIN LATERAL (
                        SELECT * FROM client_value_touch v
                         WHERE v.res_model = r.model AND v.res_id = r.res_id
                        OFFSET 0) t
                 WHERE %(moment)s IS NOT NULL
              ORDER BY r.account_id, %(moment)s DESC, t.id DESC
                """,
                moment=moment,
                records=self._account_records(account_ids),
            )
        rows = self.env.execute_query(
            SQL(
                """
                %(no_jit)s
                WITH latest AS MATERIALIZED (%(latest)s),
                updated AS (
                    UPDATE res_partner p
                       SET last_touch_date = l.moment,
                           last_touch_kind = l.kind
                      FROM latest l
                     WHERE p.commercial_partner_id = l.account_id
                       AND (p.last_touch_date IS DISTINCT FROM l.moment
                            OR p.last_touch_kind IS DISTINCT FROM l.kind)
                ),
                untouched AS (
                    UPDATE res_partner p
                       SET last_touch_date = NULL,
                           last_touch_kind = NULL
                     WHERE p.last_touch_date IS NOT NULL
                       AND %(untouched)s
                       AND p.commercial_partner_id NOT IN (
                               SELECT account_id FROM latest)
                )
                SELECT acc.id FROM res_partner acc
                 WHERE acc.id IN (SELECT account_id FROM latest)
                   AND acc.client_neglected
                """,
                no_jit=NO_JIT,
                latest=latest,
                untouched=untouched,
            )
        )
        self.env["res.partner"].invalidate_model(["last_touch_date", "last_touch_kind"])
        return [row[0] for row in rows]

    @api.model
    def _day_start(self, days_back):
        return self.env["res.partner"]._client_value_day_start(days_back)
