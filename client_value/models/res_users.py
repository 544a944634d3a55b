from odoo import api, fields, models


class ResUsers(models.Model):
    """Client satisfaction per salesperson: the average of the last rating
    each client gave to the salesperson's deals."""

    _inherit = "res.users"

    client_value_complete_on_reply = fields.Boolean(
        string="A Reply Completes the Client's Requests",
        help="When you reply to a client, the service requests your reply "
        "answers are marked done. Otherwise they stay on your to-do list, "
        "shown as answered, until you mark them done. The mail composer "
        "remembers your last choice.",
    )
    salesperson_satisfaction_avg = fields.Float(
        string="Satisfaction as Salesperson",
        compute="_compute_salesperson_satisfaction",
        digits=(3, 2),
        groups="sales_team.group_sale_salesman",
        help="Average client rating (1-5) of the deals this salesperson owns.",
    )
    salesperson_rated_deal_count = fields.Integer(
        string="Deals Rated by Clients",
        compute="_compute_salesperson_satisfaction",
        groups="sales_team.group_sale_salesman",
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "client_value_complete_on_reply"]

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "client_value_complete_on_reply"]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_salesperson_satisfaction(self):
        user_ids = [user_id for user_id in self.ids if user_id]
        stats = {}
        if user_ids:
            stats = self.env["crm.lead"]._client_value_satisfaction(
                [("user_id", "in", user_ids)], "user_id"
            )
        for user in self:
            user.salesperson_satisfaction_avg, user.salesperson_rated_deal_count = (
                stats.get(user, (0.0, 0))
            )
