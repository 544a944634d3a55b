from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import date_utils, plaintext2html

from ..tools import settings
from ..tools.compat import domain_and
from ..tools.protect import check_protected

OUTCOME_STATES = [
    ("pending", "Pending"),
    ("improved", "Improved"),
    ("unchanged", "Unchanged"),
    ("worsened", "Worsened"),
]
RECORDED_OUTCOMES = ("improved", "unchanged", "worsened")
IMPACT_REVIEW_TYPE = "client_value.mail_activity_type_impact_review"
# Written through the outcome wizard and the win only.
PROTECTED_FIELDS = (
    "outcome_state",
    "outcome_note",
    "outcome_date",
    "impact_review_date",
)


class CrmLead(models.Model):
    """After the sale: "won", the Impact Review scheduled at the win, and
    the outcome the salesperson records for the client.

    "Won" is defined here once: ``is_won_deal`` for records and
    ``_client_value_won_domain`` for searches, which the SQL reports embed.
    """

    _inherit = "crm.lead"

    outcome_state = fields.Selection(
        OUTCOME_STATES,
        string="Outcome",
        tracking=True,
        copy=False,
        index=True,
        readonly=True,
        help="How the sale changed the client's situation. Pending from the win "
        "until the outcome review is recorded; empty on deals that are not won.",
    )
    outcome_note = fields.Text(copy=False, readonly=True)
    outcome_date = fields.Date(string="Outcome Recorded On", copy=False, readonly=True)
    impact_review_date = fields.Date(
        copy=False,
        index=True,
        readonly=True,
        help="Due date of the outcome review scheduled when the deal was won.",
    )
    is_won_deal = fields.Boolean(
        string="Won Deal",
        compute="_compute_is_won_deal",
        search="_search_is_won_deal",
        help="The deal is won (active, in a won stage), so its outcome can be "
        "reviewed and the client asked for a rating.",
    )

    # -- "won" ---------------------------------------------------------------

    @api.model
    def _client_value_won_domain(self):
        """A won deal: active, in a won stage."""
        return [("active", "=", True), ("stage_id.is_won", "=", True)]

    @api.depends("active", "stage_id.is_won")
    def _compute_is_won_deal(self):
        for lead in self:
            lead.is_won_deal = lead.active and lead.stage_id.is_won

    def _search_is_won_deal(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("This filter only supports “is set” and “is not set”.")
            )
        domain = self._client_value_won_domain()
        if (operator == "=") == value:
            return domain
        return ["!", *domain_and([domain])]

    def _client_value_not_won(self, error=UserError):
        """Outcomes belong to won deals only: refuse with ``error`` for the
        first of these deals that is not won."""
        for lead in self:
            if not lead.is_won_deal:
                raise error(
                    self.env._(
                        "An outcome can only be recorded on a won opportunity; "
                        "“%s” is not won.",
                        lead.display_name,
                    )
                )

    @api.constrains("outcome_state")
    def _check_outcome_state(self):
        self.filtered("outcome_state")._client_value_not_won(ValidationError)

    # -- the outcome ---------------------------------------------------------

    @api.model
    def _client_value_recorded_outcomes(self):
        return list(RECORDED_OUTCOMES)

    @api.model
    def _client_value_outcome_overdue_domain(self):
        """Won deals whose outcome is still pending past the review date."""
        return [
            *self._client_value_won_domain(),
            ("outcome_state", "=", "pending"),
            ("impact_review_date", "<", fields.Date.context_today(self)),
        ]

    @api.model
    def _client_value_improved_domain(self):
        """Deals whose client reported an improvement this month."""
        month_start = date_utils.start_of(fields.Date.context_today(self), "month")
        return [("outcome_state", "=", "improved"), ("outcome_date", ">=", month_start)]

    # -- following the win -----------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("outcome_state"):
                self._client_value_validate_selection(
                    "outcome_state", vals["outcome_state"]
                )
        vals_list = check_protected(self, PROTECTED_FIELDS, vals_list)
        leads = super().create(vals_list)
        leads.filtered("is_won_deal")._client_value_schedule_review()
        return leads

    def write(self, vals):
        if vals.get("outcome_state"):
            self._client_value_validate_selection(
                "outcome_state", vals["outcome_state"]
            )
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        # Follow the won transition, whatever path leads to it (Won button,
        # drag and drop to a won stage, restoring a lost deal).
        won_may_change = "stage_id" in vals or "active" in vals
        was_won = self.filtered("is_won_deal") if won_may_change else None
        result = super().write(vals)
        if won_may_change:
            self.invalidate_recordset(["is_won_deal"])
            now_won = self.filtered("is_won_deal")
            (now_won - was_won)._client_value_schedule_review()
            (was_won - now_won)._client_value_cancel_review()
        return result

    @api.model
    def _client_value_review_type(self):
        return self.env.ref(IMPACT_REVIEW_TYPE, raise_if_not_found=False)

    def _client_value_open_reviews(self):
        """Open Impact Review activities of these leads, in one search."""
        review_type = self._client_value_review_type()
        if not review_type or not self.ids:
            return self.env["mail.activity"]
        return (
            self.env["mail.activity"]
            # sudo: find reviews whoever wins the deal, whatever their assignee
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", review_type.id),
                ]
            )
            .sudo(False)
        )

    def _client_value_schedule_review(self):
        """Schedule one Impact Review per newly won lead, never a second open
        one. Leads whose outcome is already recorded are not reviewed again."""
        review_type = self._client_value_review_type()
        leads = self.filtered(lambda lead: lead.outcome_state not in RECORDED_OUTCOMES)
        if not review_type or not leads:
            return self.env["mail.activity"]
        # sudo: the pending outcome is the module's own bookkeeping of the win
        leads.filtered(lambda lead: not lead.outcome_state).sudo().write(
            {"outcome_state": "pending"}
        )
        reviewed_ids = set(leads._client_value_open_reviews().mapped("res_id"))
        to_schedule = leads.filtered(lambda lead: lead.id not in reviewed_ids)
        if not to_schedule:
            return self.env["mail.activity"]
        deadline = fields.Date.context_today(self) + timedelta(
            days=settings.get(self.env, "impact_review_days")
        )
        res_model_id = self.env["ir.model"]._get_id(self._name)
        activities = self.env["mail.activity"].create(
            [
                {
                    "activity_type_id": review_type.id,
                    "res_model_id": res_model_id,
                    "res_id": lead.id,
                    "user_id": (lead.user_id or self.env.user).id,
                    "date_deadline": deadline,
                    "summary": review_type.summary,
                    "note": review_type.default_note,
                }
                for lead in to_schedule
            ]
        )
        # sudo: the review date is the module's own bookkeeping of the win
        to_schedule.sudo().write({"impact_review_date": deadline})
        return activities

    def _client_value_cancel_review(self):
        """A deal that is no longer won has nothing to review: drop its open
        review and its pending state. Recorded outcomes are history, kept."""
        self._client_value_open_reviews().unlink()
        # sudo: the pending outcome and review date are the module's bookkeeping
        self.filtered(lambda lead: lead.outcome_state == "pending").sudo().write(
            {"outcome_state": False}
        )
        self.filtered("impact_review_date").sudo().write({"impact_review_date": False})

    # -- recording the outcome ---------------------------------------------------

    def _client_value_check_can_record_outcome(self):
        self._client_value_not_won()
        if self.env.user.has_group("sales_team.group_sale_manager"):
            return
        for lead in self:
            if lead.outcome_state in RECORDED_OUTCOMES:
                raise UserError(
                    self.env._(
                        "The outcome of “%s” is already recorded; only a sales "
                        "manager can change it.",
                        lead.display_name,
                    )
                )

    def _client_value_record_outcome(self, outcome_state, note=False):
        """Write the outcome, complete the open review with it and leave a
        trace in the chatter."""
        self._client_value_check_can_record_outcome()
        if outcome_state not in RECORDED_OUTCOMES:
            raise UserError(self.env._("Choose how the client's situation changed."))
        self.check_access("write")
        # sudo: the outcome is written here only, once the checks above passed
        self.sudo().write(
            {
                "outcome_state": outcome_state,
                "outcome_note": note,
                "outcome_date": fields.Date.context_today(self),
            }
        )
        label = dict(self._fields["outcome_state"]._description_selection(self.env))[
            outcome_state
        ]
        summary = self.env._("Outcome: %s", label)
        if note:
            summary = "%s\n%s" % (summary, note)
        reviews = self._client_value_open_reviews()
        reviewed = self.browse(reviews.mapped("res_id"))
        if reviews:
            reviews.action_feedback(feedback=summary)
        for lead in self - reviewed:
            lead.message_post(
                body=plaintext2html(summary), subtype_xmlid="mail.mt_note"
            )
        return True

    def action_open_outcome_wizard(self):
        """Open the outcome wizard on this won deal."""
        self.ensure_one()
        self._client_value_check_can_record_outcome()
        return self.env["client_value.outcome.wizard"]._action_open(self)

    # -- celebration -------------------------------------------------------------

    def _get_rainbowman_message(self):
        """After Odoo's revenue records, what the clients reported."""
        parts = [super()._get_rainbowman_message(), self._client_value_outcome_line()]
        return " ".join(part for part in parts if part) or False

    def _client_value_outcome_line(self):
        """Celebrate what the clients reported, not only the amount won."""
        self.ensure_one()
        if self.team_id:
            scope = [("team_id", "=", self.team_id.id)]
        elif self.user_id:
            scope = [("user_id", "=", self.user_id.id)]
        else:
            return False
        improved = self.search_count(scope + self._client_value_improved_domain())
        if not improved:
            return False
        if improved == 1:
            return self.env._("1 client reported an improvement this month.")
        return self.env._("%s clients reported an improvement this month.", improved)
