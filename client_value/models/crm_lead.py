import re
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv.expression import AND as expression_and
from odoo.tools import SQL, consteq, date_utils, plaintext2html
from odoo.tools.misc import hmac

from ..tools import settings, ui
from ..tools.protect import check_protected

IMPACT_LEVELS = [
    ("0", "Unknown"),
    ("1", "Minor"),
    ("2", "Moderate"),
    ("3", "Significant"),
    ("4", "Transformational"),
]
# Impact score = 25 points per level: monotonic and always within 0-100.
IMPACT_SCORES = {"0": 0, "1": 25, "2": 50, "3": 75, "4": 100}
HIGH_IMPACT_LEVELS = ("3", "4")
CLIENT_FITS = [
    ("good", "Good fit"),
    ("uncertain", "Uncertain"),
    ("poor", "Poor fit"),
]
# What "an impact assessment" means for the win rule and the filter.
IMPACT_ASSESSMENT_FIELDS = ("impact_level", "client_need", "client_fit")
# Values a caller may send that must stay within 0-100.
PERCENT_FIELDS = ("impact_score", "weighted_impact", "probability")
OUTCOME_STATES = [
    ("pending", "Pending"),
    ("improved", "Improved"),
    ("unchanged", "Unchanged"),
    ("worsened", "Worsened"),
]
RECORDED_OUTCOMES = ("improved", "unchanged", "worsened")
RATING_REQUEST_BATCH = 200
# The client rates a won deal on a five-point scale.
RATING_SCALE = (1, 2, 3, 4, 5)
# Longest comment a client may leave with a rating.
FEEDBACK_MAX_LENGTH = 5000
# Fields only the module's own logic writes: the outcome review, the
# client's rating and the impact score that follows the impact level.
PROTECTED_FIELDS = (
    "outcome_state",
    "outcome_note",
    "outcome_date",
    "impact_review_date",
    "rating_request_date",
    "impact_score",
    "weighted_impact",
    "rating_last_value",
)
# Rating links in the chatter copy of a rating request carry this
# placeholder; the link the client receives is signed when the email leaves
# (mail.mail._personalize_outgoing_body), for that client only.
RATING_PLACEHOLDER = "client-value-rating-%s"
RATING_PLACEHOLDER_RE = re.compile(r"client-value-rating-(\d+)")
RATING_TOKEN_RE = re.compile(r"^cv(\d+)-([0-9a-f]{64})$")


class CrmLead(models.Model):
    """Client impact on opportunities: the other axis of the pipeline.

    Odoo weights the pipeline by money (``prorated_revenue``); these fields
    weight it by what the sale changes for the client (``weighted_impact``)
    and record whether we are the right answer for that client at all.
    """

    # Ratings come from mail.thread (rating module); rating.mixin is not
    # inherited, so every message of a deal does not pay for its rating
    # statistics (rating/models/mail_message.py adds them for the mixin).
    _inherit = "crm.lead"

    impact_level = fields.Selection(
        IMPACT_LEVELS,
        string="Client Impact",
        default="0",
        index=True,
        tracking=True,
        help="How much this sale changes the client's situation, whatever " "its size.",
    )
    impact_area_ids = fields.Many2many(
        "client_value.impact.area",
        "crm_lead_client_value_impact_area_rel",
        "lead_id",
        "area_id",
        string="Impact Areas",
        help="Where the client will feel the difference.",
    )
    client_need = fields.Text(
        help="The client's problem, in the client's own terms.",
    )
    expected_outcome = fields.Text(
        help="How the client's situation will be better once delivered.",
    )
    impact_score = fields.Integer(
        compute="_compute_impact_score",
        store=True,
        aggregator="avg",
        help="0 to 100, from the client impact level: 25 points per level "
        "(Unknown 0, Minor 25, Moderate 50, Significant 75, "
        "Transformational 100).",
    )
    weighted_impact = fields.Float(
        compute="_compute_weighted_impact",
        store=True,
        aggregator="sum",
        help="Impact score x probability / 100: the expected client impact, "
        "as prorated revenue is the expected money.",
    )
    client_fit = fields.Selection(
        CLIENT_FITS,
        tracking=True,
        help="Are we the right answer for this client?",
    )
    client_fit_reason = fields.Text(
        string="Fit Reason",
        help="Why we are, or are not, the right answer for this client.",
    )
    is_small_big_impact = fields.Boolean(
        string="Small Deal, Big Impact",
        compute="_compute_is_small_big_impact",
        search="_search_is_small_big_impact",
        help="Significant or Transformational client impact for an expected "
        "revenue under the small deal threshold (the median expected revenue "
        "of open opportunities unless set in the settings).",
    )

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
    is_won_deal = fields.Boolean(
        string="Won Deal",
        compute="_compute_is_won_deal",
        search="_search_is_won_deal",
        help="The deal is won (active, in a won stage), so its outcome can be "
        "reviewed and the client asked for a rating.",
    )
    rating_last_value = fields.Float(
        string="Client Rating",
        compute="_compute_rating_last_value",
        compute_sudo=True,
        store=True,
        aggregator="avg",
        groups="base.group_user",
        help="The client's last answer to a rating request, from 1 to 5 (0: "
        "no answer yet).",
    )
    rating_count = fields.Integer(
        string="Answers",
        compute="_compute_rating_count",
        compute_sudo=True,
        groups="base.group_user",
        help="Rating requests the client answered.",
    )
    client_rating_comment = fields.Text(
        string="Client Comment",
        compute="_compute_client_rating_comment",
        compute_sudo=True,
        groups="base.group_user",
        help="Comment left with the client's last answered rating.",
    )
    # Read as the user (related fields default to sudo), so the average only
    # counts deals of the companies the reader may see.
    user_client_satisfaction_avg = fields.Float(
        string="Salesperson Satisfaction",
        related="user_id.salesperson_satisfaction_avg",
        digits=(3, 2),
        compute_sudo=False,
    )

    @api.depends("impact_level")
    def _compute_impact_score(self):
        for lead in self:
            lead.impact_score = IMPACT_SCORES.get(lead.impact_level or "0", 0)

    @api.depends("impact_score", "probability")
    def _compute_weighted_impact(self):
        for lead in self:
            lead.weighted_impact = lead.impact_score * (lead.probability or 0.0) / 100.0

    @api.depends("impact_level", "expected_revenue")
    @api.depends_context("allowed_company_ids")
    def _compute_is_small_big_impact(self):
        threshold = self._get_small_deal_threshold()
        for lead in self:
            lead.is_small_big_impact = (
                lead.impact_level in HIGH_IMPACT_LEVELS
                and (lead.expected_revenue or 0.0) < threshold
            )

    def _search_is_small_big_impact(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("This filter only supports “is set” and “is not set”.")
            )
        domain = [
            "&",
            ("impact_level", "in", list(HIGH_IMPACT_LEVELS)),
            ("expected_revenue", "<", self._get_small_deal_threshold()),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", *domain]

    @api.constrains("impact_level", "probability")
    def _check_impact_score_range(self):
        for lead in self:
            if (
                not 0 <= lead.impact_score <= 100
                or not 0 <= lead.weighted_impact <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "The client impact of “%(lead)s” must stay between 0 "
                        "and 100 (score %(score)s, weighted %(weighted)s).",
                        lead=lead.display_name,
                        score=lead.impact_score,
                        weighted=lead.weighted_impact,
                    )
                )

    # "Won", defined once: here for records, and as a domain for searches
    # (``_client_value_won_domain``), which the SQL reports embed too.
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
        return domain if (operator == "=") == value else ["!", *expression_and(domain)]

    def _client_value_answered_ratings(self):
        """The answered ratings of these deals, newest first, in one search."""
        lead_ids = [lead_id for lead_id in self.ids if lead_id]
        if not lead_ids:
            return self.env["rating.rating"]
        return self.env["rating.rating"].search_fetch(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", lead_ids),
                ("consumed", "=", True),
            ],
            ["res_id", "rating", "feedback"],
            order="write_date desc, id desc",
        )

    @api.depends("rating_ids.rating", "rating_ids.consumed")
    def _compute_rating_last_value(self):
        """The client's last answer: a newer request still waiting for an
        answer does not hide it."""
        last = {}
        for rating in self._client_value_answered_ratings():
            last.setdefault(rating.res_id, rating.rating)
        for lead in self:
            lead.rating_last_value = last.get(lead.id, 0.0)

    def _compute_rating_count(self):
        counts = defaultdict(int)
        for rating in self._client_value_answered_ratings():
            counts[rating.res_id] += 1
        for lead in self:
            lead.rating_count = counts[lead.id]

    @api.depends("rating_ids.feedback", "rating_ids.consumed")
    def _compute_client_rating_comment(self):
        """Comment of the last answered rating."""
        comments = {}
        for rating in self._client_value_answered_ratings():
            comments.setdefault(rating.res_id, rating.feedback)
        for lead in self:
            lead.client_rating_comment = comments.get(lead.id, False)

    @api.constrains("outcome_state")
    def _check_outcome_state(self):
        for lead in self:
            if lead.outcome_state and not lead.is_won_deal:
                raise ValidationError(
                    self.env._(
                        "An outcome can only be recorded on a won opportunity; "
                        "“%s” is not won.",
                        lead.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._clean_impact_vals(vals) for vals in vals_list]
        vals_list = check_protected(self, PROTECTED_FIELDS, vals_list)
        leads = super().create(vals_list)
        leads.filtered("is_won_deal")._ensure_impact_assessed()
        leads.filtered("is_won_deal")._schedule_impact_review()
        return leads

    def write(self, vals):
        vals = self._clean_impact_vals(vals)
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        if (
            vals.get("stage_id")
            and self.env["crm.stage"].browse(vals["stage_id"]).is_won
        ):
            self.filtered(lambda lead: not lead.is_won_deal)._ensure_impact_assessed(
                vals
            )
        # Follow the won transition, whatever path leads to it (Won button,
        # drag and drop to a won stage, restoring a lost deal).
        won_may_change = "stage_id" in vals or "active" in vals
        was_won = self.filtered("is_won_deal") if won_may_change else None
        result = super().write(vals)
        if won_may_change:
            self.invalidate_recordset(["is_won_deal"])
            now_won = self.filtered("is_won_deal")
            (now_won - was_won)._schedule_impact_review()
            (was_won - now_won)._cancel_impact_review()
        return result

    def _merge_get_fields(self):
        """Merging opportunities keeps the client's side: the level and fit
        of the first opportunity prevail (see ``_merge_get_fields_specific``
        for the rest)."""
        return super()._merge_get_fields() + ["impact_level", "client_fit"]

    def _merge_get_fields_specific(self):
        """The client's needs, expected outcomes and fit reasons of the
        merged opportunities are joined, their impact areas united."""

        def joined(fname, leads):
            texts = (text.strip() for text in leads.mapped(fname) if text)
            return "\n\n".join(dict.fromkeys(text for text in texts if text)) or False

        return {
            **super()._merge_get_fields_specific(),
            "client_need": joined,
            "expected_outcome": joined,
            "client_fit_reason": joined,
            "impact_area_ids": lambda fname, leads: leads.impact_area_ids,
        }

    def _merge_dependences_history(self, opportunities):
        result = super()._merge_dependences_history(opportunities)
        self.env["mail.activity"]._client_value_move_history(
            self._name, opportunities.ids, self.id
        )
        return result

    def action_set_won(self):
        """Refuse before crm unarchives anything, so a refused win changes
        nothing (a lost lead stays lost)."""
        self.filtered(lambda lead: not lead.is_won_deal)._ensure_impact_assessed()
        return super().action_set_won()

    def _get_rainbowman_message(self):
        """Talk about the client's impact first, then Odoo's revenue records.

        Other features add their own part the same way: call super, then
        join their sentence to it.
        """
        parts = [
            self._get_impact_rainbowman_message(),
            super()._get_rainbowman_message(),
            self._outcome_celebration_line(),
        ]
        return " ".join(part for part in parts if part) or False

    def _get_impact_rainbowman_message(self):
        """Celebrate a small deal with a big impact, or the highest client
        impact this salesperson has won this month."""
        self.ensure_one()
        if not self.is_won_deal or self.impact_score <= 0:
            return False
        level = dict(self._fields["impact_level"]._description_selection(self.env))[
            self.impact_level
        ]
        client = self.partner_id.commercial_partner_id.name or self.partner_name
        client = client or self.name
        if (
            self.impact_level in HIGH_IMPACT_LEVELS
            and self.expected_revenue < self._get_small_deal_threshold()
        ):
            return self.env._(
                "Small deal, big impact: %(level)s client impact for %(client)s.",
                level=level,
                client=client,
            )
        if not self.user_id:
            return False
        [(best_other,)] = self._read_group(
            [
                ("user_id", "=", self.user_id.id),
                ("id", "!=", self.id),
                ("type", "=", "opportunity"),
                *self._client_value_won_domain(),
                (
                    "date_closed",
                    ">=",
                    date_utils.start_of(fields.Datetime.now(), "month"),
                ),
            ],
            [],
            ["impact_score:max"],
        )
        if self.impact_score > (best_other or 0):
            return self.env._(
                "Your highest client impact won this month: %(level)s for "
                "%(client)s.",
                level=level,
                client=client,
            )
        return False

    @api.model
    def _clean_impact_vals(self, vals):
        """Refuse impossible impact values before anything is written.

        The ORM raises a bare ValueError for an unknown selection key; RPC
        callers get a ValidationError naming the field instead. Running
        before super() means no record of the batch is written.
        """
        vals = dict(vals)
        if "impact_level" in vals:
            vals["impact_level"] = vals["impact_level"] or "0"
            self._validate_selection_value("impact_level", vals["impact_level"])
        for fname in ("client_fit", "outcome_state"):
            if vals.get(fname):
                self._validate_selection_value(fname, vals[fname])
        need = vals.get("client_need")
        if isinstance(need, str) and not need.strip():
            vals["client_need"] = False
        for fname in PERCENT_FIELDS:
            if fname in vals:
                self._validate_percent_value(fname, vals[fname])
        return vals

    @api.model
    def _validate_selection_value(self, fname, value):
        field = self._fields[fname]
        choices = dict(field._description_selection(self.env))
        if value not in choices:
            raise ValidationError(
                self.env._(
                    "“%(value)s” is not a valid %(field)s. Allowed values: "
                    "%(choices)s.",
                    value=value,
                    field=field._description_string(self.env),
                    choices=", ".join(
                        f"{key} ({label})" for key, label in choices.items()
                    ),
                )
            )

    @api.model
    def _validate_percent_value(self, fname, value):
        label = self._fields[fname]._description_string(self.env)
        try:
            number = float(value or 0.0)
        except (TypeError, ValueError):
            number = None
        if number is None or not 0 <= number <= 100:
            raise ValidationError(
                self.env._(
                    "%(field)s must be a number between 0 and 100, not “%(value)s”.",
                    field=label,
                    value=value,
                )
            )

    def _get_impact_assessment_missing_fields(self, vals=None):
        """Assessment fields still empty on this lead, ``vals`` applied."""
        self.ensure_one()
        vals = vals or {}
        missing = []
        for fname in IMPACT_ASSESSMENT_FIELDS:
            value = vals[fname] if fname in vals else self[fname]
            if fname == "impact_level":
                empty = (value or "0") == "0"
            elif isinstance(value, str):
                empty = not value.strip()
            else:
                empty = not value
            if empty:
                missing.append(fname)
        return missing

    def _ensure_impact_assessed(self, vals=None):
        """The "require an impact assessment before winning" rule.

        Raises a UserError naming, for each lead, exactly the assessment
        fields still missing (with their translated labels).
        """
        if not self or not self._is_impact_assessment_required():
            return
        problems = [
            (lead, missing)
            for lead in self
            for missing in [lead._get_impact_assessment_missing_fields(vals)]
            if missing
        ]
        if not problems:
            return

        def labels(fnames):
            return ", ".join(
                self._fields[fname]._description_string(self.env) for fname in fnames
            )

        if len(problems) == 1:
            lead, missing = problems[0]
            raise UserError(
                self.env._(
                    "Assess the client impact of “%(lead)s” before marking it "
                    "won. Missing: %(fields)s.",
                    lead=lead.display_name,
                    fields=labels(missing),
                )
            )
        raise UserError(
            self.env._(
                "Assess the client impact of these opportunities before "
                "marking them won:\n%(details)s",
                details="\n".join(
                    f"- {lead.display_name}: {labels(missing)}"
                    for lead, missing in problems
                ),
            )
        )

    @api.model
    def _is_impact_assessment_required(self):
        return settings.get(self.env, "require_impact_assessment")

    @api.model
    def _get_small_deal_threshold(self):
        """Expected revenue under which a deal counts as small.

        The amount set in the settings wins; without one (0 or empty), the
        median expected revenue of the open opportunities of the current
        companies, so "small" follows the team's own pipeline.
        """
        threshold = settings.get(self.env, "small_deal_threshold")
        if threshold > 0:
            return threshold
        return self._get_open_revenue_median()

    @api.model
    def _get_open_revenue_median(self):
        """Median expected revenue of open opportunities, in one query."""
        self.flush_model(
            ["expected_revenue", "probability", "type", "active", "company_id"]
        )
        [(median,)] = self.env.execute_query(
            SQL(
                """
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY expected_revenue)
                  FROM crm_lead
                 WHERE type = 'opportunity'
                   AND active
                   AND probability < 100
                   AND (company_id IS NULL OR company_id = ANY(%s))
                """,
                self.env.companies.ids,
            )
        )
        return median or 0.0

    def action_open_outcome_wizard(self):
        """Open the outcome wizard on this won deal."""
        self.ensure_one()
        self._check_can_record_outcome()
        return self.env["client_value.outcome.wizard"]._action_open(self)

    def action_ask_client_rating(self):
        """Open Odoo's mail composer on the rating request of this deal: the
        salesperson sees the email, may edit it, and sends it."""
        self.ensure_one()
        self.check_access("write")
        self._check_can_ask_rating()
        template = self.env.ref("client_value.mail_template_impact_rating_request")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Ask the Client"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "default_subtype_id": self.env.ref("mail.mt_note").id,
                # Sent when the composer closes, to report the outcome.
                "mail_notify_force_send": False,
                "client_value_rating_request": True,
            },
        }

    def _client_value_rating_request_sent(self, messages):
        """After the composer posted the rating request ``messages`` on these
        deals: note when the client was asked, send the email now, and say
        honestly whether it left."""
        # sudo: the request date is the module's own bookkeeping
        self.sudo().write({"rating_request_date": fields.Datetime.now()})
        # sudo: the outgoing emails of the request, whoever sends it
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [("mail_message_id", "in", messages.ids), ("state", "=", "outgoing")]
            )
        )
        mails.send(raise_exception=False)
        # A sent email is deleted by its template's auto-delete: only those
        # still there can have failed.
        failed = mails.exists().filtered(lambda mail: mail.state == "exception")
        if failed:
            kind = "danger"
            # The error itself stays out of the message: it is read under
            # sudo, from emails only administrators may open.
            message = self.env._(
                "The rating request could not be sent: the outgoing mail server "
                "refused it or none is set up. It is in the deal's chatter; "
                "resend it from there once the outgoing mail server works. An "
                "administrator finds the error in Settings › Technical › Emails."
            )
        elif not mails:
            kind = "warning"
            message = self.env._(
                "The rating request is in the deal's chatter, but no email was "
                "sent: check the client's email address."
            )
        else:
            kind = "success"
            message = self.env._("The rating request was sent to the client.")
        return ui.notification(kind, message, ui.CLOSE, sticky=kind != "success")

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
        return settings.get(self.env, "impact_review_days")

    @api.model
    def _auto_rating_request_enabled(self):
        return settings.get(self.env, "auto_rating_request")

    def _open_impact_reviews(self):
        """Open Impact Review activities of these leads, in one search."""
        review_type = self._impact_review_type()
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

    def _schedule_impact_review(self):
        """Schedule one Impact Review per newly won lead, never a second open
        one. Leads whose outcome is already recorded are not reviewed again."""
        review_type = self._impact_review_type()
        leads = self.filtered(lambda lead: lead.outcome_state not in RECORDED_OUTCOMES)
        if not review_type or not leads:
            return self.env["mail.activity"]
        # sudo: the pending outcome is the module's own bookkeeping of the win
        leads.filtered(lambda lead: not lead.outcome_state).sudo().write(
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
        # sudo: the review date is the module's own bookkeeping of the win
        to_schedule.sudo().write({"impact_review_date": deadline})
        return activities

    def _cancel_impact_review(self):
        """A deal that is no longer won has nothing to review: drop its open
        review and its pending state. Recorded outcomes are history, kept."""
        self._open_impact_reviews().unlink()
        # sudo: the pending outcome and review date are the module's bookkeeping
        self.filtered(lambda lead: lead.outcome_state == "pending").sudo().write(
            {"outcome_state": False}
        )
        self.filtered("impact_review_date").sudo().write({"impact_review_date": False})

    def _check_can_record_outcome(self):
        for lead in self:
            if not lead.is_won_deal:
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
            if not lead.is_won_deal:
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
            *self._client_value_won_domain(),
            ("outcome_state", "=", "pending"),
            ("impact_review_date", "<", fields.Date.context_today(self)),
        ]

    @api.model
    def _due_rating_request_domain(self):
        return [
            *self._client_value_won_domain(),
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
        # sudo: the request date is the module's own bookkeeping
        self.sudo().write({"rating_request_date": fields.Datetime.now()})
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
        """Deals are rated by their client only, on a five-point scale, once
        per request: a score outside 1-5, a token that is not the signed
        link the client received, a token of another deal, an answered
        request or an overlong comment changes nothing."""
        if (
            not isinstance(rate, int | float)
            or rate != int(rate)
            or rate not in RATING_SCALE
        ):
            raise ValidationError(
                self.env._(
                    "A rating must be a whole score from 1 to 5 (received %s).", rate
                )
            )
        if token:
            rating = self._client_value_rating_from_token(token)
            token = None
        elif not self.env.su:
            raise AccessError(
                self.env._(
                    "Only the client rates a deal, through the link they received."
                )
            )
        if (
            not rating
            or rating.res_model != self._name
            or rating.res_id not in self.ids
        ):
            raise ValidationError(self.env._("Invalid rating token."))
        if rating.consumed:
            raise UserError(self.env._("This rating request was already answered."))
        if feedback and len(feedback) > FEEDBACK_MAX_LENGTH:
            limit = f"{FEEDBACK_MAX_LENGTH:,}"
            raise ValidationError(
                self.env._(
                    "Your comment is too long: at most %(max)s characters, please.",
                    max=limit,
                )
            )
        # sudo: the client's answer is applied once the token was checked
        return super(CrmLead, self.sudo()).rating_apply(
            int(rate),
            token=token,
            rating=rating.sudo(),
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        """A rating enters a deal's chatter only through ``rating_apply``."""
        if (kwargs.get("rating_value") or kwargs.get("rating_id")) and not self.env.su:
            raise AccessError(
                self.env._(
                    "Only the client rates a deal, through the link they received."
                )
            )
        return super().message_post(**kwargs)

    def _client_value_rating_placeholder(self):
        """For the rating request template: create (or reuse) the client's
        rating request and return the placeholder standing for its link
        token in the chatter copy of the email."""
        self.ensure_one()
        self._rating_get_access_token()
        partner = self._rating_get_partner()
        # sudo: the request was just made above, with the record's access checked
        rating = self.rating_ids.sudo().filtered(
            lambda r: r.partner_id == partner and not r.consumed
        )[:1]
        return RATING_PLACEHOLDER % rating.id

    @api.model
    def _client_value_rating_link_token(self, rating):
        """The token of ``rating``'s links in the email the client receives:
        the rating's id, signed with the database secret. The stored
        ``access_token`` alone opens nothing."""
        # sudo: the signature key is a system parameter
        digest = hmac(
            self.env(su=True),
            "client_value-rating",
            f"{rating.id}:{rating.sudo().access_token}",
        )
        return f"cv{rating.id}-{digest}"

    @api.model
    def _client_value_rating_from_token(self, token):
        """The rating of a deal the signed ``token`` stands for, or an empty
        recordset."""
        Rating = self.env["rating.rating"]
        match = RATING_TOKEN_RE.match(token or "")
        if not match:
            return Rating
        # sudo: the public rating page has no user: the signed token is the credential
        rating = Rating.sudo().browse(int(match.group(1))).exists()
        if not rating or rating.res_model != self._name:
            return Rating
        expected = self._client_value_rating_link_token(rating)
        return rating if consteq(expected, token) else Rating

    @api.model
    def _client_value_sign_rating_links(self, body, model, res_id, partner):
        """Replace the rating placeholders of ``body`` (an email about the
        record ``model``/``res_id`` going to ``partner``) by signed link
        tokens, for the client the request is for; any other placeholder
        becomes an invalid link."""
        if model != self._name or not body or "client-value-rating-" not in body:
            return body

        def sign(match):
            # sudo: the outgoing email is being prepared by the mail queue
            rating = (
                self.env["rating.rating"].sudo().browse(int(match.group(1))).exists()
            )
            if (
                rating
                and rating.res_model == self._name
                and rating.res_id == res_id
                and partner
                and rating.partner_id == partner
            ):
                return self._client_value_rating_link_token(rating)
            return "invalid"

        return RATING_PLACEHOLDER_RE.sub(sign, body)

    @api.model
    def _client_value_won_domain(self):
        """A won deal: active, in a won stage."""
        return [("active", "=", True), ("stage_id.is_won", "=", True)]

    @api.model
    def _client_value_rated_domain(self):
        """A deal the client rated: a last rating on the 1-5 scale."""
        return [("rating_last_value", ">=", RATING_SCALE[0])]

    @api.model
    def _recorded_outcomes(self):
        return list(RECORDED_OUTCOMES)

    @api.model
    def _client_value_satisfaction(self, domain, groupby):
        """Client satisfaction: the average of the last rating of each won
        deal the client rated, over the deals of ``domain`` the user may
        read, per ``groupby`` (a field, or a function of the grouped record).
        Returns {group: (average, number of rated deals)}."""
        key = groupby if callable(groupby) else None
        stats = defaultdict(lambda: [0.0, 0])
        for group, total, count in self._read_group(
            [
                *domain,
                *self._client_value_won_domain(),
                *self._client_value_rated_domain(),
            ],
            ["partner_id" if key else groupby],
            ["rating_last_value:sum", "__count"],
        ):
            bucket = stats[key(group) if key else group]
            bucket[0] += total
            bucket[1] += count
        return {
            group: (total / count, count) for group, (total, count) in stats.items()
        }

    # ------------------------------------------------------------
    # Celebration
    # ------------------------------------------------------------

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
