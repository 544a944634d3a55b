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
    client_due_soon_request_count = fields.Integer(
        string="Requests Due Soon",
        compute="_compute_client_care_stats",
        help="Client requests of the team's accounts past the due-soon share "
        "of their response target, not late yet.",
    )
    client_escalated_request_count = fields.Integer(
        string="Escalated Requests",
        compute="_compute_client_care_stats",
        help="Late client requests of the team's accounts that were escalated "
        "to a team leader.",
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

    @api.model
    def _client_value_due_soon_domain(self, users):
        """Requests due soon of the accounts whose salesperson is one of
        ``users``: past the due-soon share of their target, not late yet."""
        now = fields.Datetime.now()
        return [
            ("state", "=", "waiting"),
            ("warn_at", "<=", now),
            ("answer_due", ">", now),
            ("account_id.user_id", "in", users.ids),
        ]

    @api.model
    def _client_value_escalated_domain(self, users):
        """Late requests escalated, of the accounts of ``users``."""
        return [("escalated", "=", True), *self._client_value_late_domain(users)]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_client_care_stats(self):
        """Grouped reads for all the teams: neglected and snoozed accounts,
        late (and escalated) requests and requests due soon per salesperson,
        then summed over each team's people."""
        teams = self.filtered("id")
        users = teams.member_ids | teams.user_id
        neglected, snoozed, late, escalated, due_soon = {}, {}, {}, {}, {}
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
            Touch = self.env["client_value.touch"]
            for account, was_escalated, count in Touch._read_group(
                self._client_value_late_domain(users),
                ["account_id", "escalated"],
                ["__count"],
            ):
                late[account.user_id] = late.get(account.user_id, 0) + count
                if was_escalated:
                    escalated[account.user_id] = (
                        escalated.get(account.user_id, 0) + count
                    )
            for account, count in Touch._read_group(
                self._client_value_due_soon_domain(users),
                ["account_id"],
                ["__count"],
            ):
                due_soon[account.user_id] = due_soon.get(account.user_id, 0) + count
        for team in self:
            people = team.member_ids | team.user_id if team.id else users.browse()
            team.client_neglected_count = sum(neglected.get(user, 0) for user in people)
            team.client_snoozed_count = sum(snoozed.get(user, 0) for user in people)
            team.client_late_request_count = sum(late.get(user, 0) for user in people)
            team.client_escalated_request_count = sum(
                escalated.get(user, 0) for user in people
            )
            team.client_due_soon_request_count = sum(
                due_soon.get(user, 0) for user in people
            )

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

    def action_view_client_value_due_soon_requests(self):
        """The team's requests due soon."""
        return self._client_value_requests_action(
            self._client_value_due_soon_domain(self.member_ids | self.user_id),
            self.env._("Requests Due Soon of %s", self.name),
        )

    def action_view_client_value_escalated_requests(self):
        """The team's escalated requests."""
        return self._client_value_requests_action(
            self._client_value_escalated_domain(self.member_ids | self.user_id),
            self.env._("Escalated Requests of %s", self.name),
        )

    def _client_value_requests_action(self, domain, name):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.client_value_touch_action"
        )
        action["domain"] = domain
        action["context"] = {}
        action["display_name"] = name
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
