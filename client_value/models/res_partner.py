import threading
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, split_every
from odoo.tools.sql import create_index

from .mail_activity_type import TOUCH_KINDS

# Average response time looks this many days back.
RESPONSE_DAYS = 90
# Accounts handled per transaction by the neglect watch.
NEGLECT_BATCH_SIZE = 500
NEGLECT_FOLLOWUP_TYPE = "client_value.mail_activity_type_neglect_followup"
# Queries over all accounts that PostgreSQL prices high enough to JIT-compile:
# compiling takes longer than running them. Off for the rest of the
# transaction only.
NO_JIT = SQL("SET LOCAL jit = off;")


class ResPartner(models.Model):
    """The account's care summary.

    The account is the commercial partner: a company and all its contacts
    count as one. Every figure is computed for the whole recordset with one
    SQL aggregate over ``client_value.touch``, never one query per partner;
    contacts show the figures of their account.
    """

    _inherit = "res.partner"

    last_touch_date = fields.Datetime(
        compute="_compute_care_summary",
        help="Last contact with the account: a touch, or the answer to one.",
    )
    last_touch_kind = fields.Selection(TOUCH_KINDS, compute="_compute_care_summary")
    last_sales_touch_date = fields.Datetime(compute="_compute_care_summary")
    open_service_request_count = fields.Integer(
        string="Open Requests",
        compute="_compute_care_summary",
        search="_search_open_service_request_count",
        help="Service requests of the account nobody answered yet, incoming "
        "emails included when the setting says so.",
    )
    avg_response_hours = fields.Float(
        string="Avg. Response (Hours)",
        compute="_compute_care_summary",
        help="Average time to answer a request, over the requests answered "
        "in the last 90 days.",
    )
    touch_count = fields.Integer(string="Touches", compute="_compute_care_summary")
    sales_touch_count = fields.Integer(
        string="Sales Touches", compute="_compute_care_summary"
    )
    service_touch_count = fields.Integer(
        string="Service Touches", compute="_compute_care_summary"
    )
    admin_touch_count = fields.Integer(
        string="Administrative Touches", compute="_compute_care_summary"
    )
    touch_ids = fields.One2many(
        "client_value.touch", "account_id", string="Touches of the Account"
    )
    # Read as the user (not sudo, as related fields are by default), so the
    # timeline only lists touches the user's record rules allow.
    account_touch_ids = fields.One2many(
        related="commercial_partner_id.touch_ids",
        string="Touch Timeline",
        compute_sudo=False,
    )
    # Set by the neglect watch (scheduled action) on the account only.
    client_neglected = fields.Boolean(
        string="Neglected",
        readonly=True,
        copy=False,
        help="A service request of this account waits for an answer and "
        "nobody touched the account within the look-back window.",
    )
    client_neglected_since = fields.Date(
        string="Neglected Since", readonly=True, copy=False
    )
    client_neglect_reason = fields.Text(
        string="Why Neglected", readonly=True, copy=False
    )
    client_waiting_since = fields.Datetime(
        string="Waiting Since",
        readonly=True,
        copy=False,
        help="When the oldest request still waiting was made.",
    )
    client_waiting_days = fields.Integer(
        string="Waiting (Days)", compute="_compute_client_waiting_days"
    )
    account_neglected = fields.Boolean(
        related="commercial_partner_id.client_neglected", string="Account Neglected"
    )
    account_neglect_reason = fields.Text(
        related="commercial_partner_id.client_neglect_reason",
        string="Why the Account Is Neglected",
    )

    client_satisfaction_avg = fields.Float(
        string="Average Satisfaction",
        compute="_compute_client_outcome_stats",
        digits=(3, 2),
        groups="sales_team.group_sale_salesman",
        help="Average client rating (1-5) of the account's won deals.",
    )
    client_rated_deal_count = fields.Integer(
        string="Rated Won Deals",
        compute="_compute_client_outcome_stats",
        groups="sales_team.group_sale_salesman",
    )
    outcome_improved_count = fields.Integer(
        string="Improved",
        compute="_compute_client_outcome_stats",
        groups="sales_team.group_sale_salesman",
    )
    outcome_unchanged_count = fields.Integer(
        string="Unchanged",
        compute="_compute_client_outcome_stats",
        groups="sales_team.group_sale_salesman",
    )
    outcome_worsened_count = fields.Integer(
        string="Worsened",
        compute="_compute_client_outcome_stats",
        groups="sales_team.group_sale_salesman",
    )

    # Figures depend on who reads them (their companies) and their timezone:
    # without this, one user's cached figures would be served to another.
    @api.depends_context("uid", "allowed_company_ids", "tz")
    def _compute_care_summary(self):
        accounts = self.commercial_partner_id
        summary = self._client_care_summary(accounts.ids)
        for partner in self:
            values = summary.get(partner.commercial_partner_id.id, {})
            partner.last_touch_date = values.get("last_touch_date", False)
            partner.last_touch_kind = values.get("last_touch_kind", False)
            partner.last_sales_touch_date = values.get("last_sales_touch_date", False)
            partner.open_service_request_count = values.get("open_requests", 0)
            partner.avg_response_hours = values.get("avg_response_hours", 0.0)
            partner.touch_count = values.get("touch_count", 0)
            partner.sales_touch_count = values.get("sales_touch_count", 0)
            partner.service_touch_count = values.get("service_touch_count", 0)
            partner.admin_touch_count = values.get("admin_touch_count", 0)

    def _compute_client_waiting_days(self):
        now = fields.Datetime.now()
        for partner in self:
            since = partner.client_waiting_since
            partner.client_waiting_days = (now - since).days if since else 0

    def _search_open_service_request_count(self, operator, value):
        ops = {
            "=": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
        }
        if operator not in ops:
            raise UserError(
                self.env._("Unsupported operator %(operator)s.", operator=operator)
            )
        value = int(value or 0)
        self.env["client_value.touch"]._flush_sources()
        counts = dict(
            self.env.execute_query(
                SQL(
                    "SELECT account_id, count(*) FROM (%s) pending GROUP BY account_id",
                    self._client_value_pending_query(),
                )
            )
        )
        match = ops[operator]
        if match(0, value):
            # Accounts without any pending request match too.
            excluded = [aid for aid, count in counts.items() if not match(count, value)]
            return [("commercial_partner_id", "not in", excluded)]
        included = [aid for aid, count in counts.items() if match(count, value)]
        return [("commercial_partner_id", "in", included)]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_client_outcome_stats(self):
        """Two grouped reads for the whole recordset, whatever its size."""
        commercial_ids = self.commercial_partner_id.ids
        outcomes = defaultdict(lambda: defaultdict(int))
        ratings = defaultdict(lambda: [0.0, 0])
        if commercial_ids:
            Lead = self.env["crm.lead"]
            won_domain = [
                ("partner_id.commercial_partner_id", "in", commercial_ids),
                ("active", "=", True),
                ("stage_id.is_won", "=", True),
            ]
            for partner, state, count in Lead._read_group(
                won_domain
                + [("outcome_state", "in", ("improved", "unchanged", "worsened"))],
                ["partner_id", "outcome_state"],
                ["__count"],
            ):
                outcomes[partner.commercial_partner_id.id][state] += count
            for partner, total, count in Lead._read_group(
                won_domain + [("rating_last_value", ">=", 1)],
                ["partner_id"],
                ["rating_last_value:sum", "__count"],
            ):
                account = ratings[partner.commercial_partner_id.id]
                account[0] += total
                account[1] += count
        for partner in self:
            account_id = partner.commercial_partner_id.id
            total, count = ratings.get(account_id, (0.0, 0))
            partner.client_satisfaction_avg = total / count if count else 0.0
            partner.client_rated_deal_count = count
            states = outcomes.get(account_id, {})
            partner.outcome_improved_count = states.get("improved", 0)
            partner.outcome_unchanged_count = states.get("unchanged", 0)
            partner.outcome_worsened_count = states.get("worsened", 0)

    def action_view_client_touches(self):
        """Touch timeline of the account, newest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.client_value_touch_action"
        )
        action["domain"] = [("account_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_view_open_requests(self):
        """The account's requests still waiting for an answer."""
        action = self.action_view_client_touches()
        action["domain"] += [("state", "=", "waiting")]
        if not self._client_value_settings()["count_incoming_email"]:
            action["domain"] += [("source", "=", "activity")]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _client_value_settings(self):
        """Look-back window (days) and whether incoming emails count as
        requests, from the CRM settings."""
        # sudo: settings are system parameters, readable by administrators only
        params = self.env["ir.config_parameter"].sudo()
        try:
            window = int(params.get_param("client_value.neglect_window_days", 30))
        except ValueError:
            window = 30
        count_incoming = params.get_param("client_value.count_incoming_email")
        return {
            "window_days": max(window, 0),
            "count_incoming_email": count_incoming not in (False, "", "0", "False"),
        }

    @api.model
    def _client_value_day_start(self, days_back):
        """UTC start of the day ``days_back`` days before today, days being
        counted in the user's timezone like the state of activities."""
        tz_name = self.env.context.get("tz") or self.env.user.tz or "UTC"
        try:
            tz = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()
        start = tz.localize(
            datetime.combine(today - timedelta(days=days_back), time.min)
        )
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _client_value_company_ids(self):
        return self.env.companies.ids

    @api.model
    def _client_care_summary(self, account_ids):
        """Care figures of ``account_ids``, one aggregate query.

        Returns {account_id: {figure: value}}; accounts without any touch
        are absent.
        """
        account_ids = [aid for aid in account_ids if aid]
        if not account_ids:
            return {}
        settings = self._client_value_settings()
        self.env["client_value.touch"]._flush_sources()
        # The records holding the accounts' touches (contacts, their leads)
        # come first; each is then looked up in the touch view through the
        # sources' indexes (OFFSET 0 keeps the lookup per record, which the
        # planner would otherwise turn into scans of the whole tables). A
        # batch of accounts so costs the same whatever the database's size.
        # The planner prices those lookups as random reads, high enough to
        # JIT-compile a query that runs in milliseconds (see NO_JIT).
        query = SQL(
            """
            %(no_jit)s
            WITH records AS MATERIALIZED (
                SELECT p.commercial_partner_id AS account_id,
                       'res.partner'::varchar AS model, p.id AS res_id
                  FROM res_partner p
                 WHERE p.commercial_partner_id = ANY(%(account_ids)s)
                UNION ALL
                SELECT p.commercial_partner_id, 'crm.lead', l.id
                  FROM res_partner p
                  JOIN crm_lead l ON l.partner_id = p.id
                 WHERE p.commercial_partner_id = ANY(%(account_ids)s)
            )
            SELECT t.account_id,
                   max(GREATEST(t.date, t.date_answered)),
                   (array_agg(t.kind ORDER BY GREATEST(t.date, t.date_answered)
                                              DESC NULLS LAST, t.id DESC))[1],
                   max(t.date) FILTER (WHERE t.kind = 'sales'),
                   count(*) FILTER (WHERE t.state = 'waiting' AND %(requests)s),
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
          GROUP BY t.account_id
            """,
            requests=self._client_value_request_condition(
                "t", settings["count_incoming_email"]
            ),
            response_start=self._client_value_day_start(RESPONSE_DAYS),
            window_start=self._client_value_day_start(settings["window_days"]),
            no_jit=NO_JIT,
            account_ids=account_ids,
            company_ids=self._client_value_company_ids(),
        )
        names = (
            "last_touch_date",
            "last_touch_kind",
            "last_sales_touch_date",
            "open_requests",
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
    def _client_value_request_condition(self, alias, count_incoming_email):
        """Rows of the touch view that are client requests: service request
        activities, and incoming emails when the setting counts them."""
        if count_incoming_email:
            return SQL("%s.is_request", SQL.identifier(alias))
        return SQL(
            "(%s.is_request AND %s.source = 'activity')",
            SQL.identifier(alias),
            SQL.identifier(alias),
        )

    @api.model
    def _client_value_pending_query(
        self, account_ids=None, company_ids=None, accounts_only=False
    ):
        """Pending client requests, one row each: (account_id, request,
        requested_on, partner_id, company_id), ``request`` being
        ``mail.activity,<id>`` or ``mail.message,<id>``; with
        ``accounts_only``, the distinct accounts that have one.

        Reads the tables through the partial indexes on open requests rather
        than the touch view, so it stays cheap over all accounts. Limited to
        ``account_ids`` when given, and to ``company_ids`` (default: the
        user's companies).
        """
        if company_ids is None:
            company_ids = self._client_value_company_ids()
        # Where requests wait: open service requests, and unanswered emails
        # from the client when they count as requests.
        sources = [
            (
                "mail_activity",
                "res_model",
                "src.is_service_request AND src.date_answered IS NULL",
                "'mail.activity,' || src.id",
                "COALESCE(src.date_requested, src.create_date)",
            )
        ]
        if self._client_value_settings()["count_incoming_email"]:
            sources.append(
                (
                    "mail_message",
                    "model",
                    "src.client_touch = 'incoming' AND src.date_answered IS NULL",
                    "'mail.message,' || src.id",
                    "src.date",
                )
            )
        # On which records: the contact itself, or a lead of the contact.
        records = [
            ("res.partner", "JOIN res_partner p ON p.id = src.res_id", "p.company_id"),
            (
                "crm.lead",
                "JOIN crm_lead l ON l.id = src.res_id "
                "JOIN res_partner p ON p.id = l.partner_id",
                "l.company_id",
            ),
        ]
        branches = []
        for table, model_column, pending, request, requested_on in sources:
            for model, join, company in records:
                columns = SQL("p.commercial_partner_id AS account_id")
                if not accounts_only:
                    columns = SQL(
                        "%s, %s AS request, %s AS requested_on, p.id AS partner_id, "
                        "%s AS company_id",
                        columns,
                        SQL(request),
                        SQL(requested_on),
                        SQL(company),
                    )
                branches.append(
                    SQL(
                        """
                        SELECT %(columns)s
                          FROM %(table)s src %(join)s
                         WHERE src.%(model_column)s = %(model)s AND %(pending)s
                           %(accounts)s
                           AND (%(company)s IS NULL
                                OR %(company)s = ANY(%(company_ids)s))
                        """,
                        columns=columns,
                        table=SQL.identifier(table),
                        join=SQL(join),
                        model_column=SQL.identifier(model_column),
                        model=model,
                        pending=SQL(pending),
                        accounts=SQL(
                            "AND p.commercial_partner_id = ANY(%s)", account_ids
                        )
                        if account_ids is not None
                        else SQL(),
                        company=SQL(company),
                        company_ids=company_ids,
                    )
                )
        return SQL(" UNION " if accounts_only else " UNION ALL ").join(branches)

    # ------------------------------------------------------------------
    # Neglect watch
    # ------------------------------------------------------------------

    def init(self):
        res = super().init()
        create_index(
            self.env.cr,
            "res_partner_client_neglected_idx",
            self._table,
            ["id"],
            where="client_neglected",
        )
        return res

    def action_check_neglected_accounts(self):
        """Ask the cron workers to run the neglect watch now."""
        # sudo: salespeople may ask for a run; they cannot write ir.cron
        self.env.ref("client_value.ir_cron_flag_neglected_accounts").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The neglected accounts will be checked in a moment."
                ),
            },
        }

    @api.model
    def _cron_flag_neglected_accounts(self, batch_size=None):
        """Flag accounts whose only recent touch is an unanswered request,
        and clear those that recovered.

        One set-based query finds every change; accounts are then handled in
        batches, each committed with its progress, so a crash loses at most
        the current batch and the next run resumes from the data itself:
        already flagged accounts are never flagged twice.
        """
        # sudo: settings are system parameters, readable by administrators only
        params = self.env["ir.config_parameter"].sudo()
        if not batch_size:
            try:
                batch_size = int(
                    params.get_param("client_value.neglect_batch_size", 0) or 0
                )
            except ValueError:
                batch_size = 0
        batch_size = batch_size if batch_size > 0 else NEGLECT_BATCH_SIZE
        # sudo: the watch covers every account, whoever runs the cron
        partners = self.sudo()
        changes = partners._client_value_neglect_changes()
        total = len(changes)
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        for batch in split_every(batch_size, changes):
            with self.env.cr.savepoint():
                partners._client_value_apply_neglect(batch)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        if not total:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
        return total

    @api.model
    def _client_value_neglect_fallback_user(self):
        """Who gets the follow-up of an account without salesperson or team
        leader: the user chosen in the settings, else the administrator."""
        param = (
            self.env["ir.config_parameter"]
            # sudo: settings are system parameters, readable by administrators only
            .sudo()
            .get_param("client_value.neglect_fallback_user_id")
        )
        # sudo: the fallback user is read from settings, whoever runs the watch
        users = self.env["res.users"].sudo()
        user = (
            users.browse(int(param)).exists() if str(param or "").isdigit() else users
        )
        if not user or not user.active:
            user = self.env.ref("base.user_admin", raise_if_not_found=False) or users
        return user or self.env.user

    @api.model
    def _client_value_neglect_changes(self):
        """Accounts to flag and accounts to clear, in one query, then the
        oldest waiting request of each account to flag, in a second one.

        The rule is checked on sets, like the hand-written lower bound of the
        benchmark: the accounts with a pending request, minus those touched
        within the window, both read through partial indexes (open requests;
        done touches, answered requests and replies by date).

        Returns dicts with ``action`` ('flag' or 'clear'), ``account_id``,
        the oldest waiting ``request`` ('model,id'), ``requested_on``,
        ``partner_id`` (its contact), ``waiting_count``, ``user_id`` (who
        gets the follow-up), ``company_id``, ``followup_ids`` (open
        follow-ups) and, for clearances, ``clear_reason``.
        """
        settings = self._client_value_settings()
        # sudo: the watch covers all companies; each flag keeps the account's company
        company_ids = self.env["res.company"].sudo().search([]).ids
        followup_type = self.env.ref(NEGLECT_FOLLOWUP_TYPE)
        self.env["client_value.touch"]._flush_sources()
        query = SQL(
            """
            %(no_jit)s
            WITH pending AS MATERIALIZED (%(pending)s),
            candidates AS (
                SELECT pd.account_id
                  FROM pending pd
                  JOIN res_partner acc ON acc.id = pd.account_id
                 WHERE acc.active
            ),
            touched AS (
                SELECT a.res_model AS model, a.res_id FROM mail_activity a
                 WHERE a.touch_kind IN ('sales', 'admin') AND a.active IS NOT TRUE
                   AND a.done_datetime >= %(window_start)s
                UNION ALL
                SELECT a.res_model, a.res_id FROM mail_activity a
                 WHERE a.is_service_request AND a.date_answered >= %(window_start)s
                UNION ALL
                SELECT m.model, m.res_id FROM mail_message m
                 WHERE m.client_touch = 'outgoing' AND m.date >= %(window_start)s
            ),
            rescued AS (
                SELECT p.commercial_partner_id AS account_id
                  FROM touched t JOIN res_partner p ON p.id = t.res_id
                 WHERE t.model = 'res.partner'
                UNION
                SELECT p.commercial_partner_id
                  FROM touched t
                  JOIN crm_lead l ON l.id = t.res_id
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE t.model = 'crm.lead'
                   AND (l.company_id IS NULL OR l.company_id = ANY(%(company_ids)s))
            ),
            neglected AS (
                SELECT account_id FROM candidates
                EXCEPT
                SELECT account_id FROM rescued
            ),
            changes AS (
                SELECT 'flag' AS action, n.account_id, NULL AS clear_reason
                  FROM neglected n
                  JOIN res_partner acc ON acc.id = n.account_id
                 WHERE acc.client_neglected IS NOT TRUE
                UNION ALL
                SELECT 'clear', acc.id,
                       CASE WHEN acc.active IS NOT TRUE THEN 'archived'
                            WHEN EXISTS (SELECT 1 FROM pending pd
                                          WHERE pd.account_id = acc.id)
                            THEN 'touched'
                            ELSE 'answered' END
                  FROM (SELECT id FROM res_partner WHERE client_neglected
                        EXCEPT
                        SELECT account_id FROM neglected) recovered
                  JOIN res_partner acc ON acc.id = recovered.id
            )
            SELECT ch.action, ch.account_id, ch.clear_reason,
                   COALESCE(
                       (SELECT su.id FROM res_users su
                         WHERE su.id = acc.user_id AND su.active
                           AND su.share IS NOT TRUE),
                       (SELECT t.user_id
                          FROM res_partner ct
                          JOIN crm_lead l ON l.partner_id = ct.id
                          JOIN crm_team t ON t.id = l.team_id
                          JOIN res_users tu ON tu.id = t.user_id
                         WHERE ct.commercial_partner_id = acc.id AND tu.active
                           AND (l.company_id IS NULL
                                OR l.company_id = ANY(%(company_ids)s))
                      ORDER BY l.active DESC, l.id DESC
                         LIMIT 1),
                       %(fallback_user_id)s) AS user_id,
                   acc.company_id,
                   ARRAY(SELECT a.id FROM mail_activity a
                          WHERE a.res_model = 'res.partner' AND a.res_id = acc.id
                            AND a.activity_type_id = %(followup_type_id)s
                            AND a.active
                       ORDER BY a.id) AS followup_ids
              FROM changes ch
              JOIN res_partner acc ON acc.id = ch.account_id
          ORDER BY ch.account_id
            """,
            no_jit=NO_JIT,
            pending=self._client_value_pending_query(
                company_ids=company_ids, accounts_only=True
            ),
            company_ids=company_ids,
            window_start=self._client_value_day_start(settings["window_days"]),
            fallback_user_id=self._client_value_neglect_fallback_user().id,
            followup_type_id=followup_type.id,
        )
        names = (
            "action",
            "account_id",
            "clear_reason",
            "user_id",
            "company_id",
            "followup_ids",
        )
        changes = [
            dict(zip(names, row, strict=True)) for row in self.env.execute_query(query)
        ]
        flag_ids = [c["account_id"] for c in changes if c["action"] == "flag"]
        oldest = self._client_value_oldest_requests(flag_ids, company_ids)
        none = {
            "request": None,
            "requested_on": None,
            "partner_id": None,
            "waiting_count": 0,
        }
        for change in changes:
            change.update(oldest.get(change["account_id"], none))
        return changes

    @api.model
    def _client_value_oldest_requests(self, account_ids, company_ids):
        """The oldest pending request of each of ``account_ids``: its
        ``request``, ``requested_on`` and contact ``partner_id``, with the
        account's ``waiting_count``."""
        if not account_ids:
            return {}
        query = SQL(
            """
            SELECT pd.account_id,
                   (array_agg(pd.request ORDER BY pd.requested_on, pd.request))[1],
                   min(pd.requested_on),
                   (array_agg(pd.partner_id ORDER BY pd.requested_on, pd.request))[1],
                   count(*)
              FROM (%s) pd
          GROUP BY pd.account_id
            """,
            self._client_value_pending_query(
                account_ids=account_ids, company_ids=company_ids
            ),
        )
        names = ("request", "requested_on", "partner_id", "waiting_count")
        return {
            row[0]: dict(zip(names, row[1:], strict=True))
            for row in self.env.execute_query(query)
        }

    @api.model
    def _client_value_apply_neglect(self, changes):
        """Flag and clear one batch of accounts with a constant number of
        queries: one UPDATE per action, then follow-ups, chatter notes and
        events each created in one call."""
        flags = [change for change in changes if change["action"] == "flag"]
        clears = [change for change in changes if change["action"] == "clear"]
        if flags:
            self._client_value_flag(flags)
        if clears:
            self._client_value_clear(clears)
        self.invalidate_model(
            [
                "client_neglected",
                "client_neglected_since",
                "client_neglect_reason",
                "client_waiting_since",
            ]
        )

    @api.model
    def _client_value_request_labels(self, refs):
        """Readable names of the waiting requests ('model,id' strings)."""
        ids = {"mail.activity": [], "mail.message": []}
        for ref in refs:
            model, res_id = ref.split(",")
            ids[model].append(int(res_id))
        labels = {}
        # sudo: the reason quotes requests whatever their assignee
        for activity in self.env["mail.activity"].sudo().browse(ids["mail.activity"]):
            labels[f"mail.activity,{activity.id}"] = self.env._(
                "service request “%(name)s”",
                name=activity.summary or activity.activity_type_id.name,
            )
        # sudo: the reason quotes messages whatever their author
        for message in self.env["mail.message"].sudo().browse(ids["mail.message"]):
            labels[f"mail.message,{message.id}"] = self.env._(
                "email “%(name)s”", name=message.subject or self.env._("no subject")
            )
        return labels

    @api.model
    def _client_value_request_fields(self, ref):
        model, res_id = ref.split(",")
        if model == "mail.activity":
            return {"request_activity_id": int(res_id)}
        return {"request_message_id": int(res_id)}

    @api.model
    def _client_value_flag(self, flags):
        settings = self._client_value_settings()
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        labels = self._client_value_request_labels([f["request"] for f in flags])
        contacts = self.browse([f["partner_id"] for f in flags])
        contact_names = dict(zip(contacts.ids, contacts.mapped("name"), strict=True))
        reasons = {}
        for flag in flags:
            reason = self.env._(
                "The %(request)s of %(contact)s has been waiting since %(date)s "
                "(%(days)s days) and nobody touched the account in the last "
                "%(window)s days.",
                request=labels[flag["request"]],
                contact=contact_names[flag["partner_id"]],
                date=format_date(
                    self.env,
                    fields.Datetime.context_timestamp(self, flag["requested_on"]),
                ),
                days=(now - flag["requested_on"]).days,
                window=settings["window_days"],
            )
            if flag["waiting_count"] > 1:
                reason += " " + self.env._(
                    "%(count)s requests are waiting in all.",
                    count=flag["waiting_count"],
                )
            reasons[flag["account_id"]] = reason
        # Only accounts not flagged yet: a concurrent run cannot flag twice.
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE res_partner p
                   SET client_neglected = TRUE,
                       client_neglected_since = %(today)s,
                       client_neglect_reason = v.reason,
                       client_waiting_since = v.waiting_since,
                       write_date = %(now)s,
                       write_uid = %(uid)s
                  FROM unnest(%(ids)s::int[], %(reasons)s::text[],
                              %(waiting)s::timestamp[]) AS v(id, reason, waiting_since)
                 WHERE p.id = v.id AND p.client_neglected IS NOT TRUE
             RETURNING p.id
                """,
                today=today,
                now=now,
                uid=self.env.uid,
                ids=[f["account_id"] for f in flags],
                reasons=[reasons[f["account_id"]] for f in flags],
                waiting=[f["requested_on"] for f in flags],
            )
        )
        flagged = {row[0] for row in rows}
        flags = [flag for flag in flags if flag["account_id"] in flagged]
        if not flags:
            return
        followup_type = self.env.ref(NEGLECT_FOLLOWUP_TYPE)
        to_follow = [flag for flag in flags if not flag["followup_ids"]]
        followups = (
            self.env["mail.activity"]
            # sudo: follow-ups go to the salesperson, not the cron user
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": flag["account_id"],
                        "activity_type_id": followup_type.id,
                        "summary": followup_type.summary or followup_type.name,
                        "note": Markup("<p>%s</p>") % reasons[flag["account_id"]],
                        "user_id": flag["user_id"],
                        "date_deadline": today,
                        "automated": True,
                    }
                    for flag in to_follow
                ]
            )
        )
        followup_of = dict(
            zip([f["account_id"] for f in to_follow], followups.ids, strict=True)
        )
        for flag in flags:
            if flag["followup_ids"]:
                followup_of[flag["account_id"]] = flag["followup_ids"][0]
        self._client_value_post_notes(
            {
                flag["account_id"]: Markup("<p><b>%s</b></p><p>%s</p>")
                % (self.env._("Neglected account"), reasons[flag["account_id"]])
                for flag in flags
            }
        )
        # sudo: neglect events are a log: only the watch writes them
        self.env["client_value.neglect.event"].sudo().create(
            [
                {
                    "partner_id": flag["account_id"],
                    "kind": "flagged",
                    "date": now,
                    "reason": reasons[flag["account_id"]],
                    "waiting_since": flag["requested_on"],
                    **self._client_value_request_fields(flag["request"]),
                    "activity_id": followup_of.get(flag["account_id"]),
                    "user_id": flag["user_id"],
                    "company_id": flag["company_id"],
                }
                for flag in flags
            ]
        )

    @api.model
    def _client_value_clear(self, clears):
        settings = self._client_value_settings()
        now = fields.Datetime.now()
        messages = {
            "answered": self.env._(
                "No request is waiting any more: the client was answered."
            ),
            "touched": self.env._(
                "The account was touched again within the last %(window)s days.",
                window=settings["window_days"],
            ),
            "archived": self.env._("The account was archived."),
        }
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE res_partner
                   SET client_neglected = FALSE,
                       client_neglected_since = NULL,
                       client_neglect_reason = NULL,
                       client_waiting_since = NULL,
                       write_date = %(now)s,
                       write_uid = %(uid)s
                 WHERE id = ANY(%(ids)s) AND client_neglected
             RETURNING id
                """,
                now=now,
                uid=self.env.uid,
                ids=[clear["account_id"] for clear in clears],
            )
        )
        cleared = {row[0] for row in rows}
        clears = [clear for clear in clears if clear["account_id"] in cleared]
        if not clears:
            return
        followup_ids = [fid for clear in clears for fid in clear["followup_ids"]]
        if followup_ids:
            # The follow-up type keeps done activities: archiving is marking
            # them done, without one posted message per activity.
            self.env["mail.activity"].sudo().browse(followup_ids).write(
                {"active": False}
            )
        followup_type = self.env.ref(NEGLECT_FOLLOWUP_TYPE)
        self._client_value_post_notes(
            {
                clear["account_id"]: Markup("<p><b>%s</b></p><p>%s</p>")
                % (
                    self.env._("%(followup)s done", followup=followup_type.name)
                    if clear["followup_ids"]
                    else self.env._("No longer neglected"),
                    messages[clear["clear_reason"]],
                )
                for clear in clears
            },
            activity_type=followup_type,
        )
        # sudo: neglect events are a log: only the watch writes them
        self.env["client_value.neglect.event"].sudo().create(
            [
                {
                    "partner_id": clear["account_id"],
                    "kind": "cleared",
                    "date": now,
                    "reason": messages[clear["clear_reason"]],
                    "activity_id": clear["followup_ids"][0]
                    if clear["followup_ids"]
                    else False,
                    "user_id": clear["user_id"],
                    "company_id": clear["company_id"],
                }
                for clear in clears
            ]
        )

    @api.model
    def _client_value_post_notes(self, bodies, activity_type=None):
        """Log one internal note per account, created in one call.

        Author, reply-to and record names are computed once for the batch:
        left to mail.message, they would cost queries per account."""
        note = self.env.ref("mail.mt_note")
        author = self.env.ref("base.partner_root")
        accounts = self.browse(list(bodies))
        email_from = author.email_formatted
        reply_to = accounts._notify_get_reply_to(default=email_from)
        names = dict(zip(accounts.ids, accounts.mapped("display_name"), strict=True))
        # sudo: the chatter note is posted by the watch on behalf of the system
        self.env["mail.message"].sudo().create(
            [
                {
                    "model": "res.partner",
                    "res_id": account_id,
                    "record_name": names[account_id],
                    "body": body,
                    "message_type": "notification",
                    "subtype_id": note.id,
                    "is_internal": True,
                    "author_id": author.id,
                    "email_from": email_from,
                    "reply_to": reply_to[account_id],
                    "mail_activity_type_id": activity_type.id
                    if activity_type
                    else False,
                }
                for account_id, body in bodies.items()
            ]
        )
