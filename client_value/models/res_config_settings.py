from odoo import fields, models  # noqa: F401


class ResConfigSettings(models.TransientModel):
    """Client Value settings, shown in the CRM settings app.

    Every value is stored as an ``ir.config_parameter`` named
    ``client_value.<setting>`` so scheduled actions read it without a
    settings record.
    """

    _inherit = "res.config.settings"

    client_value_neglect_window_days = fields.Integer(
        string="Look-back Window (Days)",
        config_parameter="client_value.neglect_window_days",
        default=30,
        help="Touches of the last days counted in the care summary; an "
        "account with a waiting request and no other touch in this window "
        "is flagged as neglected.",
    )
    client_value_count_incoming_email = fields.Boolean(
        string="Unanswered Emails Are Requests",
        config_parameter="client_value.count_incoming_email",
        help="An email from the client that nobody answered counts as an "
        "unanswered service request.",
    )
    client_value_neglect_fallback_user_id = fields.Many2one(
        "res.users",
        string="Follow-up Fallback User",
        config_parameter="client_value.neglect_fallback_user_id",
        domain="[('share', '=', False)]",
        help="Gets the follow-up of a neglected account that has neither a "
        "salesperson nor a sales team leader. Default: the administrator.",
    )
