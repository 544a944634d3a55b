from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import settings, touch_rule
from ..tools.protect import check_protected
from ..tools.touch_rule import TOUCH_KINDS

# Fields only the neglect watch and the touch rule write.
PROTECTED_FIELDS = (
    "client_neglected",
    "client_neglected_since",
    "client_neglect_reason",
    "client_waiting_since",
    "last_touch_date",
    "last_touch_kind",
)
# Internal figures: employees only, never portal or public users.
INTERNAL = "base.group_user"


class ResPartner(models.Model):
    """The account's care summary, neglect state and outcomes.

    The account is the commercial partner: a company and all its contacts
    count as one, and contacts show the figures of their account. The care
    figures are computed per reader from ``client_value.touch`` (their
    record rules apply); the last touch and the neglect state are the
    account's, stored so lists can sort and filter on them.
    """

    _inherit = "res.partner"

    # -- the last touch, stored on the account and each of its contacts ------
    last_touch_date = fields.Datetime(
        string="Last Touch",
        readonly=True,
        copy=False,
        index=True,
        groups=INTERNAL,
        help="Last contact with the account, on any of its documents: a "
        "touch, or the answer to one.",
    )
    last_touch_kind = fields.Selection(
        TOUCH_KINDS,
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )

    # -- the care summary, as the reader sees it -----------------------------
    last_sales_touch_date = fields.Datetime(
        compute="_compute_care_summary", groups=INTERNAL
    )
    waiting_request_count = fields.Integer(
        string="Open Requests",
        compute="_compute_care_summary",
        search="_search_waiting_request_count",
        groups=INTERNAL,
        help="Requests of the account nobody answered yet (emails from the "
        "client included when the setting says so), on the documents you "
        "can open.",
    )
    late_request_count = fields.Integer(
        string="Late Requests",
        compute="_compute_care_summary",
        groups=INTERNAL,
        help="Waiting requests past the response target (working days of the "
        "company's calendar), on the documents you can open.",
    )
    avg_response_hours = fields.Float(
        string="Avg. Response (Hours)",
        compute="_compute_care_summary",
        groups=INTERNAL,
        help="Average time to answer a request, over the requests answered "
        "in the last 90 days.",
    )
    care_window_days = fields.Integer(
        string="Look-back Window",
        compute="_compute_care_window_days",
        groups=INTERNAL,
        help="Days counted in the window, from the CRM settings.",
    )
    touch_count = fields.Integer(
        string="Touches", compute="_compute_care_summary", groups=INTERNAL
    )
    sales_touch_count = fields.Integer(
        string="Sales Touches", compute="_compute_care_summary", groups=INTERNAL
    )
    service_touch_count = fields.Integer(
        string="Service Touches", compute="_compute_care_summary", groups=INTERNAL
    )
    admin_touch_count = fields.Integer(
        string="Administrative Touches",
        compute="_compute_care_summary",
        groups=INTERNAL,
    )
    touch_ids = fields.One2many(
        "client_value.touch",
        "account_id",
        string="Touches of the Account",
        groups=INTERNAL,
    )
    # Read as the user (not sudo, as related fields are by default), so the
    # timeline only lists touches the user's record rules allow.
    account_touch_ids = fields.One2many(
        related="commercial_partner_id.touch_ids",
        string="Touch Timeline",
        compute_sudo=False,
        groups=INTERNAL,
    )

    # -- the neglect state, set by the neglect watch on the account ----------
    client_neglected = fields.Boolean(
        string="Neglected",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        help="A request of this account waits for an answer and it is the "
        "account's only touch within the look-back window.",
    )
    client_neglected_since = fields.Date(
        string="Neglected Since", readonly=True, copy=False, groups=INTERNAL
    )
    client_neglect_reason = fields.Text(
        string="Why Neglected", readonly=True, copy=False, groups=INTERNAL
    )
    client_waiting_since = fields.Datetime(
        string="Waiting Since",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        help="When the oldest request still waiting was made.",
    )
    client_waiting_days = fields.Integer(
        string="Waiting (Days)", compute="_compute_client_waiting_days", groups=INTERNAL
    )
    account_neglected = fields.Boolean(
        related="commercial_partner_id.client_neglected",
        string="Account Neglected",
        groups=INTERNAL,
    )
    account_neglect_reason = fields.Text(
        related="commercial_partner_id.client_neglect_reason",
        string="Why the Account Is Neglected",
        groups=INTERNAL,
    )

    # -- outcomes of the account's won deals ---------------------------------
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

    # Figures depend on who reads them (their rules and companies) and their
    # timezone: without this, one user's figures would be served to another.
    @api.depends_context("uid", "allowed_company_ids", "tz")
    def _compute_care_summary(self):
        summary = self.env["client_value.touch"]._account_summary(
            self.commercial_partner_id.ids
        )
        for partner in self:
            values = summary.get(partner.commercial_partner_id.id, {})
            partner.last_sales_touch_date = values.get("last_sales_touch_date", False)
            partner.waiting_request_count = values.get("waiting_requests", 0)
            partner.late_request_count = values.get("late_requests", 0)
            partner.avg_response_hours = values.get("avg_response_hours") or 0.0
            partner.touch_count = values.get("touch_count", 0)
            partner.sales_touch_count = values.get("sales_touch_count", 0)
            partner.service_touch_count = values.get("service_touch_count", 0)
            partner.admin_touch_count = values.get("admin_touch_count", 0)

    def _compute_care_window_days(self):
        self.care_window_days = settings.get(self.env, "neglect_window_days")

    def _compute_client_waiting_days(self):
        now = fields.Datetime.now()
        for partner in self:
            since = partner.client_waiting_since
            partner.client_waiting_days = (now - since).days if since else 0

    def _search_waiting_request_count(self, operator, value):
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
        Touch = self.env["client_value.touch"]
        domain = [("state", "=", "waiting")]
        counts = dict(Touch._read_group(domain, ["account_id"], ["__count"]))
        counts = {account.id: count for account, count in counts.items()}
        match = ops[operator]
        if match(0, value):
            # Accounts without any waiting request match too.
            excluded = [aid for aid, count in counts.items() if not match(count, value)]
            return [("commercial_partner_id", "not in", excluded)]
        included = [aid for aid, count in counts.items() if match(count, value)]
        return [("commercial_partner_id", "in", included)]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_client_outcome_stats(self):
        """Two grouped reads for the whole recordset, whatever its size."""
        commercial_ids = self.commercial_partner_id.ids
        outcomes = defaultdict(lambda: defaultdict(int))
        satisfaction = {}
        if commercial_ids:
            Lead = self.env["crm.lead"]
            accounts = [("partner_id.commercial_partner_id", "in", commercial_ids)]
            for partner, state, count in Lead._read_group(
                [
                    *accounts,
                    *Lead._client_value_won_domain(),
                    ("outcome_state", "in", Lead._recorded_outcomes()),
                ],
                ["partner_id", "outcome_state"],
                ["__count"],
            ):
                outcomes[partner.commercial_partner_id.id][state] += count
            satisfaction = Lead._client_value_satisfaction(
                accounts, lambda partner: partner.commercial_partner_id.id
            )
        for partner in self:
            account_id = partner.commercial_partner_id.id
            average, count = satisfaction.get(account_id, (0.0, 0))
            partner.client_satisfaction_avg = average
            partner.client_rated_deal_count = count
            states = outcomes.get(account_id, {})
            partner.outcome_improved_count = states.get("improved", 0)
            partner.outcome_unchanged_count = states.get("unchanged", 0)
            partner.outcome_worsened_count = states.get("worsened", 0)

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [
            dict(vals) for vals in check_protected(self, PROTECTED_FIELDS, vals_list)
        ]
        for vals in vals_list:
            if vals.get("parent_id"):
                # A new contact shows its account's last touch from the start.
                # sudo: the account's figure is copied, whoever adds a contact
                account = self.sudo().browse(vals["parent_id"]).commercial_partner_id
                vals["last_touch_date"] = account.last_touch_date
                vals["last_touch_kind"] = account.last_touch_kind
        return super().create(vals_list)

    def write(self, vals):
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        # A contact moving to another company takes its touches along; an
        # archived account is no longer watched, a restored one is again.
        follow = "parent_id" in vals or "active" in vals
        # sudo: the accounts are read to put their figures right, whoever writes
        before = self.sudo().commercial_partner_id if follow else None
        result = super().write(vals)
        if follow:
            self._client_value_accounts_changed(
                (before | self.sudo().commercial_partner_id).ids
            )
        return result

    def unlink(self):
        # The touches of a deleted contact go with it: its account follows.
        # sudo: the accounts are read to put their figures right
        accounts = self.sudo().commercial_partner_id - self
        result = super().unlink()
        self._client_value_accounts_changed(accounts.exists().ids)
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_client_touches(self):
        """Touch timeline of the account, newest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.client_value_touch_action"
        )
        action["domain"] = [("account_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_view_waiting_requests(self):
        """The account's requests still waiting for an answer."""
        action = self.action_view_client_touches()
        action["domain"] += [("state", "=", "waiting")]
        return action

    def action_check_neglected_accounts(self):
        """Run the neglect watch now, for a salesperson, and show the result."""
        return self.env["client_value.neglect.watch"]._action_check_now()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

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
    def _client_value_accounts_of(self, records):
        """Ids of the accounts of ``records`` ((model, res_id) pairs of
        sources), in one query."""
        records = list(records)
        if not records:
            return []
        sources = touch_rule.active_sources(self.env)
        touch_rule.flush_accounts(self.env, sources)
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT %s FROM unnest(%s::varchar[], %s::int[]) "
                "AS e(model, res_id)",
                touch_rule.account_of(sources, "e.model", "e.res_id"),
                [model for model, _res_id in records],
                [res_id for _model, res_id in records],
            )
        )
        return [row[0] for row in rows if row[0]]

    @api.model
    def _client_value_touched(self, records):
        """``records`` ((model, res_id) pairs of sources) just got a touch,
        a request or an answer: refresh their accounts' last touch, and let
        the neglect watch reconsider those that are flagged, in the same
        transaction. One query, and a few more only for flagged accounts."""
        records = list(records)
        if not records:
            return
        sources = touch_rule.active_sources(self.env)
        touch_rule.flush_accounts(self.env, sources)
        accounts = SQL(
            "SELECT %s FROM unnest(%s::varchar[], %s::int[]) AS e(model, res_id)",
            touch_rule.account_of(sources, "e.model", "e.res_id"),
            [model for model, _res_id in records],
            [res_id for _model, res_id in records],
        )
        flagged = self.env["client_value.touch"]._refresh_last_touch(accounts)
        if flagged:
            self.env["client_value.neglect.watch"]._reconsider(flagged)

    @api.model
    def _client_value_documents_changed(self, records):
        """Touches moved between the documents ``records`` ((model, res_id)
        pairs): their accounts follow."""
        self._client_value_accounts_changed(self._client_value_accounts_of(records))

    @api.model
    def _client_value_accounts_changed(self, account_ids):
        """Touches changed account, or an account its state: one of Odoo's
        own flows merged contacts, gave a document another customer, moved
        a contact to another company, archived, restored or deleted a
        record. The accounts' last touch and neglect flag follow at once,
        both ways: a flow can make an account neglected as well as rescue
        it."""
        account_ids = sorted({aid for aid in account_ids if aid})
        if not account_ids:
            return
        self.env["client_value.touch"]._refresh_last_touch(account_ids)
        self.env["client_value.neglect.watch"]._follow(account_ids)
