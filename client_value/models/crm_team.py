from odoo import api, fields, models
from odoo.tools import date_utils


class CrmTeam(models.Model):
    """Team statistics that celebrate outcomes and satisfaction, not only
    amounts won."""

    _inherit = "crm.team"

    outcome_overdue_count = fields.Integer(
        string="Outcomes Overdue",
        compute="_compute_outcome_stats",
        help="Won deals whose outcome is still pending past the review date.",
    )
    outcome_improved_month_count = fields.Integer(
        string="Improved This Month",
        compute="_compute_outcome_stats",
        help="Clients who reported an improvement this month.",
    )
    client_satisfaction_avg = fields.Float(
        string="Client Satisfaction",
        compute="_compute_outcome_stats",
        digits=(3, 2),
        help="Average client rating (1-5) of the team's deals.",
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_outcome_stats(self):
        team_ids = [team_id for team_id in self.ids if team_id]
        overdue, improved, satisfaction = {}, {}, {}
        if team_ids:
            Lead = self.env["crm.lead"]
            today = fields.Date.context_today(self)
            overdue = dict(
                Lead._read_group(
                    [("team_id", "in", team_ids)] + Lead._outcome_overdue_domain(),
                    ["team_id"],
                    ["__count"],
                )
            )
            improved = dict(
                Lead._read_group(
                    [
                        ("team_id", "in", team_ids),
                        ("outcome_state", "=", "improved"),
                        ("outcome_date", ">=", date_utils.start_of(today, "month")),
                    ],
                    ["team_id"],
                    ["__count"],
                )
            )
            satisfaction = Lead._client_value_satisfaction(
                [("team_id", "in", team_ids)], "team_id"
            )
        for team in self:
            team.outcome_overdue_count = overdue.get(team, 0)
            team.outcome_improved_month_count = improved.get(team, 0)
            team.client_satisfaction_avg = satisfaction.get(team, (0.0, 0))[0]
