from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from .mail_activity_type import TOUCH_KINDS

# Average response time looks this many days back.
RESPONSE_DAYS = 90


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
    account_touch_ids = fields.One2many(
        related="commercial_partner_id.touch_ids", string="Touch Timeline"
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
            return NotImplemented
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
        query = SQL(
            """
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
              FROM client_value_touch t
             WHERE t.account_id = ANY(%(account_ids)s)
               AND (t.company_id IS NULL OR t.company_id = ANY(%(company_ids)s))
          GROUP BY t.account_id
            """,
            requests=self._client_value_request_condition(
                "t", settings["count_incoming_email"]
            ),
            response_start=self._client_value_day_start(RESPONSE_DAYS),
            window_start=self._client_value_day_start(settings["window_days"]),
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
    def _client_value_pending_query(self, account_ids=None):
        """Pending client requests, one row each: (account_id, request,
        requested_on, partner_id, company_id), ``request`` being
        ``mail.activity,<id>`` or ``mail.message,<id>``.

        Reads the tables through the partial indexes on open requests rather
        than the touch view, so it stays cheap over all accounts. Limited to
        ``account_ids`` when given, and to the user's companies.
        """
        settings = self._client_value_settings()
        params = {
            "company_ids": self._client_value_company_ids(),
            "accounts": SQL("AND p.commercial_partner_id = ANY(%s)", account_ids)
            if account_ids is not None
            else SQL(),
        }
        branches = [
            SQL(
                """
                SELECT p.commercial_partner_id AS account_id,
                       'mail.activity,' || a.id AS request,
                       COALESCE(a.date_requested, a.create_date) AS requested_on,
                       p.id AS partner_id, p.company_id AS company_id
                  FROM mail_activity a
                  JOIN res_partner p ON p.id = a.res_id
                 WHERE a.res_model = 'res.partner' AND a.is_service_request
                   AND a.date_answered IS NULL %(accounts)s
                   AND (p.company_id IS NULL OR p.company_id = ANY(%(company_ids)s))
                """,
                **params,
            ),
            SQL(
                """
                SELECT p.commercial_partner_id,
                       'mail.activity,' || a.id,
                       COALESCE(a.date_requested, a.create_date),
                       p.id, l.company_id
                  FROM mail_activity a
                  JOIN crm_lead l ON l.id = a.res_id
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE a.res_model = 'crm.lead' AND a.is_service_request
                   AND a.date_answered IS NULL %(accounts)s
                   AND (l.company_id IS NULL OR l.company_id = ANY(%(company_ids)s))
                """,
                **params,
            ),
        ]
        if settings["count_incoming_email"]:
            branches += [
                SQL(
                    """
                    SELECT p.commercial_partner_id, 'mail.message,' || m.id,
                           m.date, p.id, p.company_id
                      FROM mail_message m
                      JOIN res_partner p ON p.id = m.res_id
                     WHERE m.model = 'res.partner' AND m.client_touch = 'incoming'
                       AND m.date_answered IS NULL %(accounts)s
                       AND (p.company_id IS NULL
                            OR p.company_id = ANY(%(company_ids)s))
                    """,
                    **params,
                ),
                SQL(
                    """
                    SELECT p.commercial_partner_id, 'mail.message,' || m.id,
                           m.date, p.id, l.company_id
                      FROM mail_message m
                      JOIN crm_lead l ON l.id = m.res_id
                      JOIN res_partner p ON p.id = l.partner_id
                     WHERE m.model = 'crm.lead' AND m.client_touch = 'incoming'
                       AND m.date_answered IS NULL %(accounts)s
                       AND (l.company_id IS NULL
                            OR l.company_id = ANY(%(company_ids)s))
                    """,
                    **params,
                ),
            ]
        return SQL(" UNION ALL ").join(branches)
