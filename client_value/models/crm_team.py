from odoo import api, fields, models


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
    client_neglected_count = fields.Integer(
        string="Neglected Accounts",
        compute="_compute_client_care_stats",
        help="The team's accounts flagged as neglected: the accounts whose "
        "salesperson is in the team.",
    )
    client_snoozed_count = fields.Integer(
        string="Snoozed Accounts",
        compute="_compute_client_care_stats",
        help="The team's accounts snoozed: the neglect watch leaves them "
        "alone until a date.",
    )
    client_late_request_count = fields.Integer(
        string="Late Requests",
        compute="_compute_client_care_stats",
        help="Client requests of the team's accounts still waiting past the "
        "response target.",
    )
    client_satisfaction_avg = fields.Float(
        string="Client Satisfaction",
        compute="_compute_outcome_stats",
        digits=(3, 2),
        help="Average client rating (1-5) of the team's deals.",
    )

    def _client_value_accounts_domain(self):
        """The team's accounts: those whose salesperson is in the team (a
        member or its leader)."""
        self.ensure_one()
        users = self.member_ids | self.user_id
        return [("user_id", "in", users.ids)]

    @api.model
    def _client_value_late_domain(self, users):
        """Late requests of the accounts whose salesperson is one of ``users``."""
        return [
            ("state", "=", "waiting"),
            ("answer_due", "<=", fields.Datetime.now()),
            ("account_id.user_id", "in", users.ids),
        ]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_client_care_stats(self):
        """Two grouped reads for all the teams: neglected accounts and late
        requests per salesperson, then summed over each team's people."""
        teams = self.filtered("id")
        users = teams.member_ids | teams.user_id
        neglected, snoozed, late = {}, {}, {}
        if users:
            Partner = self.env["res.partner"]
            neglected = dict(
                Partner._read_group(
                    [("client_neglected", "=", True), ("user_id", "in", users.ids)],
                    ["user_id"],
                    ["__count"],
                )
            )
            snoozed = dict(
                Partner._read_group(
                    [
                        (
                            "client_value_snoozed_until",
                            ">=",
                            fields.Date.context_today(self),
                        ),
                        ("user_id", "in", users.ids),
                    ],
                    ["user_id"],
                    ["__count"],
                )
            )
            for account, count in self.env["client_value.touch"]._read_group(
                self._client_value_late_domain(users),
                ["account_id"],
                ["__count"],
            ):
                late[account.user_id] = late.get(account.user_id, 0) + count
        for team in self:
            people = team.member_ids | team.user_id if team.id else users.browse()
            team.client_neglected_count = sum(neglected.get(user, 0) for user in people)
            team.client_snoozed_count = sum(snoozed.get(user, 0) for user in people)
            team.client_late_request_count = sum(late.get(user, 0) for user in people)

    def action_view_client_value_neglected(self):
        """The team's neglected accounts."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.res_partner_action_neglected"
        )
        action["domain"] = [
            ("client_neglected", "=", True),
            *self._client_value_accounts_domain(),
        ]
        action["display_name"] = self.env._("Neglected Accounts of %s", self.name)
        return action

    def action_view_client_value_late_requests(self):
        """The team's late requests."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.client_value_touch_action"
        )
        action["domain"] = self._client_value_late_domain(
            self.member_ids | self.user_id
        )
        action["context"] = {}
        action["display_name"] = self.env._("Late Requests of %s", self.name)
        return action

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_outcome_stats(self):
        team_ids = [team_id for team_id in self.ids if team_id]
        overdue, improved, satisfaction = {}, {}, {}
        if team_ids:
            Lead = self.env["crm.lead"]
            overdue = dict(
                Lead._read_group(
                    [("team_id", "in", team_ids)]
                    + Lead._client_value_outcome_overdue_domain(),
                    ["team_id"],
                    ["__count"],
                )
            )
            improved = dict(
                Lead._read_group(
                    [
                        ("team_id", "in", team_ids),
                        *Lead._client_value_improved_domain(),
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
