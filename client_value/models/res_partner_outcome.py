from collections import defaultdict

from odoo import api, fields, models


class ResPartner(models.Model):
    """The account's outcomes: what its won deals did for the client, and
    how satisfied the client says it is, across the company and all its
    contacts, as the reader may see the deals."""

    _inherit = "res.partner"

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
                    ("outcome_state", "in", Lead._client_value_recorded_outcomes()),
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
