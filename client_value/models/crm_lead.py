from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import date_utils, plaintext2html

OUTCOME_STATES = [
    ("pending", "Pending"),
    ("improved", "Improved"),
    ("unchanged", "Unchanged"),
    ("worsened", "Worsened"),
]
RECORDED_OUTCOMES = ("improved", "unchanged", "worsened")
DEFAULT_IMPACT_REVIEW_DAYS = 30
RATING_REQUEST_BATCH = 200


class CrmLead(models.Model):
    """Close the loop after a win: review the outcome for the client and
    collect the client's own rating of the sale."""

    _name = "crm.lead"
    _inherit = ["crm.lead", "rating.mixin"]

    # ------------------------------------------------------------
    # After the sale: outcome review and client rating
    # ------------------------------------------------------------
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
    rating_request_date = fields.Datetime(
        string="Rating Requested On",
        copy=False,
        readonly=True,
        help="When the client was last asked to rate the sale.",
    )
    outcome_can_record = fields.Boolean(
        string="Won Deal",
        compute="_compute_outcome_can_record",
        help="The deal is won, so its outcome can be reviewed.",
    )
    client_rating_comment = fields.Text(
        string="Client Comment",
        compute="_compute_client_rating_comment",
        compute_sudo=True,
        groups="base.group_user",
        help="Comment left with the client's last answered rating.",
    )
    user_client_satisfaction_avg = fields.Float(
        string="Salesperson Satisfaction",
        related="user_id.salesperson_satisfaction_avg",
        digits=(3, 2),
    )

    @api.depends("active", "stage_id.is_won")
    def _compute_outcome_can_record(self):
        for lead in self:
            lead.outcome_can_record = lead.active and lead.stage_id.is_won

    @api.depends("rating_ids.feedback", "rating_ids.consumed")
    def _compute_client_rating_comment(self):
        """Comment of the last answered rating: a newer request still waiting
        for an answer must not hide it."""
        comments = {}
        lead_ids = [lead_id for lead_id in self.ids if lead_id]
        if lead_ids:
            ratings = self.env["rating.rating"].search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", lead_ids),
                    ("consumed", "=", True),
                ],
                ["res_id", "feedback"],
                order="write_date desc, id desc",
            )
            for rating in ratings:
                comments.setdefault(rating.res_id, rating.feedback)
        for lead in self:
            lead.client_rating_comment = comments.get(lead.id, False)

    @api.constrains("outcome_state")
    def _check_outcome_state(self):
        for lead in self:
            if lead.outcome_state in RECORDED_OUTCOMES and not lead.outcome_can_record:
                raise ValidationError(
                    self.env._(
                        "An outcome can only be recorded on a won opportunity; "
                        "“%s” is not won.",
                        lead.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads.filtered("outcome_can_record")._schedule_impact_review()
        return leads

    def write(self, vals):
        """Follow the won transition, whatever path leads to it (Won button,
        drag and drop to a won stage, restoring a lost deal)."""
        won_may_change = "stage_id" in vals or "active" in vals
        was_won = self.filtered("outcome_can_record") if won_may_change else None
        result = super().write(vals)
        if won_may_change:
            self.invalidate_recordset(["outcome_can_record"])
            now_won = self.filtered("outcome_can_record")
            (now_won - was_won)._schedule_impact_review()
            (was_won - now_won)._cancel_impact_review()
        return result

    def action_open_outcome_wizard(self):
        """Open the outcome wizard on this won deal."""
        self.ensure_one()
        self._check_can_record_outcome()
        return self.env["client_value.outcome.wizard"]._action_open(self)

    def action_ask_client_rating(self):
        """Email the client the five rating links of this deal."""
        self._check_can_ask_rating()
        self._send_rating_request(force_send=True)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The rating request was sent to the client."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_send_due_rating_requests(self):
        """Ask the client for a rating once the impact review is due, when the
        option is enabled. Runs in batches; the cron reruns until done."""
        if not self._auto_rating_request_enabled():
            return
        domain = self._due_rating_request_domain()
        leads = self.search(domain, limit=RATING_REQUEST_BATCH, order="id")
        leads._send_rating_request(force_send=False)
        remaining = (
            self.search_count(domain) if len(leads) == RATING_REQUEST_BATCH else 0
        )
        self.env["ir.cron"]._notify_progress(done=len(leads), remaining=remaining)

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------

    @api.model
    def _impact_review_type(self):
        return self.env.ref(
            "client_value.mail_activity_type_impact_review", raise_if_not_found=False
        )

    @api.model
    def _impact_review_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("client_value.impact_review_days", DEFAULT_IMPACT_REVIEW_DAYS)
        )
        try:
            days = int(value)
        except (TypeError, ValueError):
            return DEFAULT_IMPACT_REVIEW_DAYS
        return max(days, 0)

    @api.model
    def _auto_rating_request_enabled(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("client_value.auto_rating_request", "False")
        )
        return value not in ("False", "false", "0", "")

    def _open_impact_reviews(self):
        """Open Impact Review activities of these leads, in one search."""
        review_type = self._impact_review_type()
        if not review_type or not self.ids:
            return self.env["mail.activity"]
        return (
            self.env["mail.activity"]
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

    def _schedule_impact_review(self):
        """Schedule one Impact Review per newly won lead, never a second open
        one. Leads whose outcome is already recorded are not reviewed again."""
        review_type = self._impact_review_type()
        leads = self.filtered(lambda lead: lead.outcome_state not in RECORDED_OUTCOMES)
        if not review_type or not leads:
            return self.env["mail.activity"]
        leads.filtered(lambda lead: not lead.outcome_state).write(
            {"outcome_state": "pending"}
        )
        reviewed_ids = set(leads._open_impact_reviews().mapped("res_id"))
        to_schedule = leads.filtered(lambda lead: lead.id not in reviewed_ids)
        if not to_schedule:
            return self.env["mail.activity"]
        deadline = fields.Date.context_today(self) + timedelta(
            days=self._impact_review_days()
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
        to_schedule.write({"impact_review_date": deadline})
        return activities

    def _cancel_impact_review(self):
        """A deal that is no longer won has nothing to review: drop its open
        review and its pending state. Recorded outcomes are history, kept."""
        self._open_impact_reviews().unlink()
        self.filtered(lambda lead: lead.outcome_state == "pending").write(
            {"outcome_state": False}
        )
        self.filtered("impact_review_date").write({"impact_review_date": False})

    def _check_can_record_outcome(self):
        for lead in self:
            if not lead.outcome_can_record:
                raise UserError(
                    self.env._(
                        "An outcome can only be recorded on a won opportunity; "
                        "“%s” is not won.",
                        lead.display_name,
                    )
                )
            if lead.outcome_state in RECORDED_OUTCOMES and not self.env.user.has_group(
                "sales_team.group_sale_manager"
            ):
                raise UserError(
                    self.env._(
                        "The outcome of “%s” is already recorded; only a sales "
                        "manager can change it.",
                        lead.display_name,
                    )
                )

    def _record_outcome(self, outcome_state, note=False):
        """Write the outcome, complete the open review with it and leave a
        trace in the chatter."""
        self._check_can_record_outcome()
        if outcome_state not in RECORDED_OUTCOMES:
            raise UserError(self.env._("Choose how the client's situation changed."))
        self.write(
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
        reviews = self._open_impact_reviews()
        reviewed = self.browse(reviews.mapped("res_id"))
        if reviews:
            reviews.action_feedback(feedback=summary)
        for lead in self - reviewed:
            lead.message_post(
                body=plaintext2html(summary), subtype_xmlid="mail.mt_note"
            )
        return True

    def _check_can_ask_rating(self):
        for lead in self:
            if not lead.outcome_can_record:
                raise UserError(
                    self.env._(
                        "Ask the client for a rating once “%s” is won.",
                        lead.display_name,
                    )
                )
            if not lead.partner_id.email:
                raise UserError(
                    self.env._(
                        "“%s” has no customer email to send the rating request to.",
                        lead.display_name,
                    )
                )

    @api.model
    def _outcome_overdue_domain(self):
        """Won deals whose outcome is still pending past the review date."""
        return [
            ("active", "=", True),
            ("stage_id.is_won", "=", True),
            ("outcome_state", "=", "pending"),
            ("impact_review_date", "<", fields.Date.context_today(self)),
        ]

    @api.model
    def _due_rating_request_domain(self):
        return [
            ("active", "=", True),
            ("stage_id.is_won", "=", True),
            ("impact_review_date", "<=", fields.Date.context_today(self)),
            ("rating_request_date", "=", False),
            ("partner_id.email", "!=", False),
        ]

    def _send_rating_request(self, force_send=False):
        template = self.env.ref(
            "client_value.mail_template_impact_rating_request", raise_if_not_found=False
        )
        if not template or not self:
            return False
        self.rating_send_request(template, force_send=force_send)
        self.write({"rating_request_date": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------
    # Rating
    # ------------------------------------------------------------

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        """Deals are rated on a five-point scale, once per request: a score
        outside 1-5, a token of another deal or an answered request changes
        nothing."""
        if not isinstance(rate, int | float) or rate != int(rate) or not 1 <= rate <= 5:
            raise ValidationError(
                self.env._(
                    "A rating must be a whole score from 1 to 5 (received %s).", rate
                )
            )
        if token:
            rating = (
                self.env["rating.rating"]
                .sudo()
                .search([("access_token", "=", token)], limit=1)
            )
            token = None
        if (
            not rating
            or rating.res_model != self._name
            or rating.res_id not in self.ids
        ):
            raise ValidationError(self.env._("Invalid rating token."))
        if rating.consumed:
            raise UserError(self.env._("This rating request was already answered."))
        return super().rating_apply(
            int(rate),
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )

    # ------------------------------------------------------------
    # Celebration
    # ------------------------------------------------------------

    def _get_rainbowman_message(self):
        message = super()._get_rainbowman_message()
        line = self._outcome_celebration_line()
        if not line:
            return message
        return "%s %s" % (message, line) if message else line

    def _outcome_celebration_line(self):
        """Celebrate what the clients reported, not only the amount won."""
        self.ensure_one()
        if self.team_id:
            scope = [("team_id", "=", self.team_id.id)]
        elif self.user_id:
            scope = [("user_id", "=", self.user_id.id)]
        else:
            return False
        month_start = date_utils.start_of(fields.Date.context_today(self), "month")
        improved = self.search_count(
            scope
            + [
                ("outcome_state", "=", "improved"),
                ("outcome_date", ">=", month_start),
            ]
        )
        if not improved:
            return False
        if improved == 1:
            return self.env._("1 client reported an improvement this month.")
        return self.env._("%s clients reported an improvement this month.", improved)
