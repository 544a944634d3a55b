from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, date_utils

from ..tools import settings
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
# Computed from the level and the probability; never written by hand.
PROTECTED_FIELDS = ("impact_score", "weighted_impact")


class CrmLead(models.Model):
    """Client impact on opportunities: the other axis of the pipeline.

    Odoo weights the pipeline by money (``prorated_revenue``); these fields
    weight it by what the sale changes for the client (``weighted_impact``)
    and record whether we are the right answer for that client at all.
    """

    _inherit = "crm.lead"

    impact_level = fields.Selection(
        IMPACT_LEVELS,
        string="Client Impact",
        default="0",
        index=True,
        tracking=True,
        help="How much this sale changes the client's situation, whatever its size.",
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

    @api.depends("impact_level")
    def _compute_impact_score(self):
        for lead in self:
            lead.impact_score = IMPACT_SCORES.get(lead.impact_level or "0", 0)

    @api.depends("impact_score", "probability")
    def _compute_weighted_impact(self):
        for lead in self:
            lead.weighted_impact = lead.impact_score * (lead.probability or 0.0) / 100.0

    # "Small deal, big impact", defined once as a domain: the filter searches
    # it, the field and the celebration evaluate it on the records.
    @api.model
    def _client_value_small_big_impact_domain(self):
        return [
            ("impact_level", "in", list(HIGH_IMPACT_LEVELS)),
            ("expected_revenue", "<", self._client_value_small_deal_threshold()),
        ]

    @api.depends("impact_level", "expected_revenue")
    @api.depends_context("allowed_company_ids")
    def _compute_is_small_big_impact(self):
        matching = self.filtered_domain(self._client_value_small_big_impact_domain())
        for lead in self:
            lead.is_small_big_impact = lead in matching

    def _search_is_small_big_impact(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("This filter only supports “is set” and “is not set”.")
            )
        domain = ["&", *self._client_value_small_big_impact_domain()]
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

    # ------------------------------------------------------------------
    # Writing: impossible values refused, the assessment required to win
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._client_value_clean_impact_vals(vals) for vals in vals_list]
        vals_list = check_protected(self, PROTECTED_FIELDS, vals_list)
        leads = super().create(vals_list)
        leads.filtered("is_won_deal")._client_value_ensure_assessed()
        return leads

    def write(self, vals):
        vals = self._client_value_clean_impact_vals(vals)
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        if (
            vals.get("stage_id")
            and self.env["crm.stage"].browse(vals["stage_id"]).is_won
        ):
            self.filtered(
                lambda lead: not lead.is_won_deal
            )._client_value_ensure_assessed(vals)
        return super().write(vals)

    def action_set_won(self):
        """Refuse before crm unarchives anything, so a refused win changes
        nothing (a lost lead stays lost)."""
        self.filtered(lambda lead: not lead.is_won_deal)._client_value_ensure_assessed()
        return super().action_set_won()

    @api.model
    def _client_value_clean_impact_vals(self, vals):
        """Refuse impossible impact values before anything is written.

        The ORM raises a bare ValueError for an unknown selection key; RPC
        callers get a ValidationError naming the field instead. Running
        before super() means no record of the batch is written.
        """
        vals = dict(vals)
        if "impact_level" in vals:
            vals["impact_level"] = vals["impact_level"] or "0"
            self._client_value_validate_selection("impact_level", vals["impact_level"])
        if vals.get("client_fit"):
            self._client_value_validate_selection("client_fit", vals["client_fit"])
        need = vals.get("client_need")
        if isinstance(need, str) and not need.strip():
            vals["client_need"] = False
        for fname in PERCENT_FIELDS:
            if fname in vals:
                self._client_value_validate_percent(fname, vals[fname])
        return vals

    @api.model
    def _client_value_validate_selection(self, fname, value):
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
    def _client_value_validate_percent(self, fname, value):
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

    def _client_value_missing_assessment(self, vals=None):
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

    def _client_value_ensure_assessed(self, vals=None):
        """The "require an impact assessment before winning" rule.

        Raises a UserError naming, for each lead, exactly the assessment
        fields still missing (with their translated labels).
        """
        if not self or not self._client_value_assessment_required():
            return
        problems = [
            (lead, missing)
            for lead in self
            for missing in [lead._client_value_missing_assessment(vals)]
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
    def _client_value_assessment_required(self):
        return settings.get(self.env, "require_impact_assessment")

    @api.model
    def _client_value_small_deal_threshold(self):
        """Expected revenue under which a deal counts as small.

        The amount set in the settings wins; without one (0 or empty), the
        median expected revenue of the open opportunities of the current
        companies, so "small" follows the team's own pipeline.
        """
        threshold = settings.get(self.env, "small_deal_threshold")
        if threshold > 0:
            return threshold
        return self._client_value_open_revenue_median()

    @api.model
    def _client_value_open_revenue_median(self):
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

    # ------------------------------------------------------------------
    # Celebration: the client's impact first
    # ------------------------------------------------------------------

    def _get_rainbowman_message(self):
        """Talk about the client's impact first, then Odoo's revenue records
        (and, after them, the outcomes: crm_lead_outcome.py)."""
        parts = [
            self._client_value_impact_celebration(),
            super()._get_rainbowman_message(),
        ]
        return " ".join(part for part in parts if part) or False

    def _client_value_impact_celebration(self):
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
        if self.is_small_big_impact:
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

    # ------------------------------------------------------------------
    # Merging opportunities keeps the client's side and the history
    # ------------------------------------------------------------------

    def _merge_get_fields(self):
        """The level and fit of the first opportunity prevail (see
        ``_merge_get_fields_specific`` for the rest)."""
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
