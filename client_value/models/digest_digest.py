from odoo import _, fields, models
from odoo.exceptions import AccessError


class DigestDigest(models.Model):
    """Client value in Odoo's periodic KPI digest email, as crm does for its
    own figures: each KPI is computed per company over the digest's period,
    and only for users of the Sales app."""

    _inherit = "digest.digest"

    kpi_client_value_neglected = fields.Boolean(string="Neglected Accounts")
    kpi_client_value_neglected_value = fields.Integer(
        compute="_compute_kpi_client_value_neglected_value"
    )
    kpi_client_value_late_requests = fields.Boolean(string="Late Client Requests")
    kpi_client_value_late_requests_value = fields.Integer(
        compute="_compute_kpi_client_value_late_requests_value"
    )
    kpi_client_value_due_soon = fields.Boolean(string="Client Requests Due Soon")
    kpi_client_value_due_soon_value = fields.Integer(
        compute="_compute_kpi_client_value_due_soon_value"
    )
    kpi_client_value_escalated = fields.Boolean(string="Escalated Client Requests")
    kpi_client_value_escalated_value = fields.Integer(
        compute="_compute_kpi_client_value_escalated_value"
    )
    kpi_client_value_response_hours = fields.Boolean(
        string="Average Response Time (Hours)"
    )
    kpi_client_value_response_hours_value = fields.Float(
        compute="_compute_kpi_client_value_response_hours_value"
    )
    kpi_client_value_impact_won = fields.Boolean(string="Client Impact Won")
    kpi_client_value_impact_won_value = fields.Float(
        compute="_compute_kpi_client_value_impact_won_value"
    )
    kpi_client_value_improved = fields.Boolean(string="Outcomes Improved")
    kpi_client_value_improved_value = fields.Integer(
        compute="_compute_kpi_client_value_improved_value"
    )

    def _client_value_check_access(self):
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                _("Do not have access, skip this data for user's digest email")
            )

    def _compute_kpi_client_value_neglected_value(self):
        """Accounts flagged as neglected during the period."""
        self._client_value_check_access()
        self._calculate_company_based_kpi(
            "client_value.neglect.event",
            "kpi_client_value_neglected_value",
            date_field="date",
            additional_domain=[("kind", "=", "flagged")],
        )

    def _client_value_touch_kpi(self, domain, aggregates):
        """The sums of ``aggregates`` over the touches of ``domain``, for
        each digest's company: {digest: [sum, ...]}. Touches on documents of
        no company (a contact shared by every company) count for every
        company."""
        self._client_value_check_access()
        _start, _end, companies = self._get_kpi_compute_parameters()
        groups = {
            company: values
            for company, *values in self.env["client_value.touch"]._read_group(
                [("company_id", "in", [*companies.ids, False]), *domain],
                ["company_id"],
                aggregates,
            )
        }
        none = [0] * len(aggregates)
        shared = groups.get(self.env["res.company"], none)
        result = {}
        for digest in self:
            own = groups.get(digest.company_id or self.env.company, none)
            result[digest] = [
                (mine or 0) + (theirs or 0)
                for mine, theirs in zip(own, shared, strict=True)
            ]
        return result

    def _compute_kpi_client_value_late_requests_value(self):
        """Requests still waiting at the end of the period, past their
        response target."""
        _start, end, _companies = self._get_kpi_compute_parameters()
        values = self._client_value_touch_kpi(
            [("state", "=", "waiting"), ("answer_due", "<", end)], ["__count"]
        )
        for digest, (count,) in values.items():
            digest.kpi_client_value_late_requests_value = count

    def _compute_kpi_client_value_due_soon_value(self):
        """Requests waiting at the end of the period, past the due-soon share
        of their target and not late yet."""
        _start, end, _companies = self._get_kpi_compute_parameters()
        values = self._client_value_touch_kpi(
            [
                ("state", "=", "waiting"),
                ("warn_at", "<", end),
                ("answer_due", ">=", end),
            ],
            ["__count"],
        )
        for digest, (count,) in values.items():
            digest.kpi_client_value_due_soon_value = count

    def _compute_kpi_client_value_escalated_value(self):
        """Requests escalated during the period."""
        start, end, _companies = self._get_kpi_compute_parameters()
        values = self._client_value_touch_kpi(
            [
                ("escalated", "=", True),
                ("is_request", "=", True),
                ("escalate_at", ">=", start),
                ("escalate_at", "<", end),
            ],
            ["__count"],
        )
        for digest, (count,) in values.items():
            digest.kpi_client_value_escalated_value = count

    def _compute_kpi_client_value_response_hours_value(self):
        """Average time to answer the requests answered during the period."""
        start, end, _companies = self._get_kpi_compute_parameters()
        values = self._client_value_touch_kpi(
            [
                ("is_request", "=", True),
                ("date_answered", ">=", start),
                ("date_answered", "<", end),
            ],
            ["response_hours:sum", "__count"],
        )
        for digest, (hours, count) in values.items():
            digest.kpi_client_value_response_hours_value = (
                round(hours / count, 1) if count else 0.0
            )

    def _compute_kpi_client_value_impact_won_value(self):
        """Client impact of the deals won during the period (impact score
        of each won deal)."""
        self._client_value_check_access()
        self._calculate_company_based_kpi(
            "crm.lead",
            "kpi_client_value_impact_won_value",
            date_field="date_closed",
            additional_domain=[
                ("type", "=", "opportunity"),
                ("is_won_deal", "=", True),
            ],
            sum_field="weighted_impact",
        )

    def _compute_kpi_client_value_improved_value(self):
        """Won deals whose client reported an improvement during the period."""
        self._client_value_check_access()
        self._calculate_company_based_kpi(
            "crm.lead",
            "kpi_client_value_improved_value",
            date_field="outcome_date",
            additional_domain=[("outcome_state", "=", "improved")],
        )

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        menu = self.env.ref("crm.crm_menu_root").id
        actions = {
            "kpi_client_value_neglected": "res_partner_action_neglected",
            "kpi_client_value_late_requests": "client_value_touch_action",
            "kpi_client_value_due_soon": "client_value_touch_action",
            "kpi_client_value_escalated": "client_value_touch_action",
            "kpi_client_value_response_hours": "client_value_touch_action",
            "kpi_client_value_impact_won": "crm_lead_action_impact_pipeline",
            "kpi_client_value_improved": "crm_lead_outcome_action",
        }
        for kpi, action in actions.items():
            res[kpi] = f"client_value.{action}?menu_id={menu}"
        return res
