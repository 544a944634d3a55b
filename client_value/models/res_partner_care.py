from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every
from odoo.tools.sql import create_index

from ..tools import history, settings
from ..tools.compat import cache_values
from ..tools.protect import check_protected
from ..tools.touch_rule import TOUCH_KINDS
from .client_value_care import BULK_ACCOUNTS, BULK_MOST, SUMMARY_FIGURES
from .client_value_neglect_watch import SNOOZE_REASONS

# Fields only the neglect watch and the touch rule write.
PROTECTED_FIELDS = (
    "client_neglected",
    "client_neglected_since",
    "client_neglect_reason",
    "client_waiting_since",
    "last_touch_date",
    "last_touch_kind",
    "client_value_snoozed_until",
    "client_value_snooze_reason",
    "client_value_snooze_note",
    "client_value_neglect_at",
)
# Internal figures: employees only, never portal or public users.
INTERNAL = "base.group_user"


class ResPartner(models.Model):
    """The account's care summary and neglect state (the care figures'
    owner is ``client_value.care``).

    The account is the commercial partner: a company and all its contacts
    count as one, and contacts show the figures of their account. The care
    figures are computed per reader from ``client_value.touch`` (their
    record rules apply); the last touch and the neglect state are the
    account's, stored so lists can sort and filter on them.
    """

    _inherit = "res.partner"

    def init(self):
        result = super().init()
        # The watch reads the accounts whose neglect moment has come among
        # those not flagged, and the snoozes that ended: few rows each.
        create_index(
            self.env.cr,
            "res_partner_cv_neglect_at_idx",
            self._table,
            ["client_value_neglect_at"],
            where="client_value_neglect_at IS NOT NULL "
            "AND client_neglected IS NOT TRUE",
        )
        create_index(
            self.env.cr,
            "res_partner_cv_snoozed_until_idx",
            self._table,
            ["client_value_snoozed_until"],
            where="client_value_snoozed_until IS NOT NULL",
        )
        return result

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
        string="Our Last Sales Touch",
        compute="_compute_care_summary",
        groups=INTERNAL,
        help="The last sales touch of ours: a call, a meeting, an email we "
        "sent on a deal or an order. The client's own emails are requests.",
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
    answered_request_count = fields.Integer(
        string="Requests Answered",
        compute="_compute_care_summary",
        groups=INTERNAL,
        help="Requests answered in the last 90 days: the average response "
        "time is theirs.",
    )
    our_last_touch_date = fields.Datetime(
        string="Our Last Touch",
        compute="_compute_care_summary",
        groups=INTERNAL,
        help="The last time we did something for the account: a done "
        "activity, an email we sent, an answer to one of its requests.",
    )
    last_request_date = fields.Datetime(
        string="Client's Last Request",
        compute="_compute_care_summary",
        groups=INTERNAL,
        help="The last time the client asked us something: a service "
        "request, or an email from the client.",
    )
    client_request_count = fields.Integer(
        string="Client Requests",
        compute="_compute_care_summary",
        groups=INTERNAL,
        help="Requests and emails the client made in the look-back window.",
    )
    look_back_days = fields.Integer(
        string="Look-back Window",
        compute="_compute_look_back_days",
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
    client_value_neglect_at = fields.Datetime(
        string="Neglected From",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        help="When the account becomes neglected if nothing happens: its "
        "first request to become late, once its latest touch has left the "
        "look-back window. Kept by every touch; the watch reads it.",
    )
    # -- service levels ------------------------------------------------------
    client_value_key_account = fields.Boolean(
        string="Key Account",
        copy=False,
        groups=INTERNAL,
        help="The requests of a key account follow the key-account response "
        "targets, where there are some (CRM › Configuration › Response "
        "Targets). Set on the company; its contacts follow it.",
    )
    # -- the snooze: the watch leaves the account alone until a date --------
    client_value_snoozed_until = fields.Date(
        string="Snoozed Until",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        help="The neglect watch leaves the account alone until this day "
        "included: no flag, no follow-up.",
    )
    client_value_snooze_reason = fields.Selection(
        SNOOZE_REASONS,
        string="Snooze Reason",
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    client_value_snooze_note = fields.Text(
        string="Snooze Note", readonly=True, copy=False, groups=INTERNAL
    )
    client_value_history_pending = fields.Boolean(
        string="History Being Read",
        compute="_compute_client_value_history_pending",
        groups=INTERNAL,
        help="The account's history is still being read: its figures are not "
        "complete yet and the neglect watch leaves it alone.",
    )
    client_value_snoozed = fields.Boolean(
        string="Snoozed",
        compute="_compute_client_value_snoozed",
        search="_search_client_value_snoozed",
        groups=INTERNAL,
    )
    account_snoozed_until = fields.Date(
        related="commercial_partner_id.client_value_snoozed_until",
        string="Account Snoozed Until",
        groups=INTERNAL,
    )
    account_snooze_reason = fields.Selection(
        related="commercial_partner_id.client_value_snooze_reason",
        string="Account Snooze Reason",
        groups=INTERNAL,
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

    # Figures depend on who reads them (their rules and companies) and their
    # timezone: without this, one user's figures would be served to another.
    @api.depends_context("uid", "allowed_company_ids", "tz")
    def _compute_care_summary(self):
        # A long list or an export comes here whole (``fetch``): the touches
        # are read once for all its accounts.
        summary = self.env["client_value.care"]._summary(
            self.commercial_partner_id.ids, bulk=len(self) > BULK_ACCOUNTS
        )
        with self.env.protecting(
            [self._fields[name] for name in SUMMARY_FIGURES], self
        ):
            self._client_value_set_summary(summary)

    # Odoo's fetch returns nothing; the figures are read after its access
    # checks.
    def fetch(self, field_names=None):  # pylint: disable=missing-return
        super().fetch(field_names)
        # A long list or an export, which Odoo then reads a thousand records
        # at a time: the care figures of all its accounts are read first, in
        # one query over the touches (``BULK_MOST`` accounts at most each).
        if (
            field_names
            and len(self) > BULK_ACCOUNTS
            and not set(SUMMARY_FIGURES).isdisjoint(field_names)
        ):
            for ids in split_every(BULK_MOST, self._ids):
                self.browse(ids)._compute_care_summary()

    def _client_value_set_summary(self, summary):
        # One cache update per figure: a long list sets thousands at once.
        accounts = [
            summary.get(partner.commercial_partner_id.id, {}) for partner in self
        ]
        # The dates are empty when there is none.
        for fname in SUMMARY_FIGURES:
            cache_values(
                self, fname, [values.get(fname) or False for values in accounts]
            )

    def _compute_look_back_days(self):
        self.look_back_days = settings.get(self.env, "neglect_window_days")

    def _compute_client_value_history_pending(self):
        unread = self.env["client_value.history.run"]._unread(
            self.commercial_partner_id.ids
        )
        for partner in self:
            partner.client_value_history_pending = (
                partner.commercial_partner_id.id in unread
            )

    @api.depends("commercial_partner_id.client_value_snoozed_until")
    @api.depends_context("tz")
    def _compute_client_value_snoozed(self):
        today = fields.Date.context_today(self)
        for partner in self:
            until = partner.commercial_partner_id.client_value_snoozed_until
            partner.client_value_snoozed = bool(until and until >= today)

    def _search_client_value_snoozed(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("This filter only supports “is set” and “is not set”.")
            )
        snoozed = [
            (
                "commercial_partner_id.client_value_snoozed_until",
                ">=",
                fields.Date.context_today(self),
            )
        ]
        return snoozed if (operator == "=") == value else ["!", *snoozed]

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
        if "client_value_key_account" in vals or (
            "category_id" in vals and settings.get(self.env, "key_account_tag_id")
        ):
            # A key account, or no longer one: its waiting requests follow
            # the targets they now have.
            # sudo: the plans are the module's own bookkeeping
            history.replan(self.env(su=True), self.commercial_partner_id.ids)
        if follow:
            care = self.env["client_value.care"]
            if "parent_id" in vals:
                # The contact shows its new account's last touch at once.
                care._refresh_last_touch(
                    (before | self.sudo().commercial_partner_id).ids
                )
            care._accounts_changed_later(partner_ids=[*before.ids, *self.ids])
        return result

    def unlink(self):
        # The touches of a deleted contact go with it: its account follows.
        # sudo: the accounts are read to put their figures right
        accounts = self.sudo().commercial_partner_id - self
        result = super().unlink()
        self.env["client_value.care"]._accounts_changed_later(partner_ids=accounts.ids)
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

    def action_client_value_snooze(self):
        """Snooze the account (a wizard: until when, why)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Snooze the Account"),
            "res_model": "client_value.snooze.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_client_value_end_snooze(self):
        """End the snooze now: the account is watched again."""
        self.ensure_one()
        account = self.commercial_partner_id
        self.env["client_value.snooze.wizard"]._check_may_snooze(account)
        # sudo: the snooze is the module's own bookkeeping, checked above
        account.sudo().write(
            {
                "client_value_snoozed_until": False,
                "client_value_snooze_reason": False,
                "client_value_snooze_note": False,
            }
        )
        # sudo: the note on the account, by whoever ended the snooze
        account.sudo().message_post(
            body=self.env._("The snooze was ended: the account is watched again."),
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        return True

    def action_check_neglected_accounts(self):
        """Run the neglect watch now, for a salesperson, and show the result."""
        return self.env["client_value.neglect.watch"]._action_check_now()
