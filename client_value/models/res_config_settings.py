from odoo import fields, models  # noqa: F401


class ResConfigSettings(models.TransientModel):
    """Client Value settings, shown in the CRM settings app.

    Every value is stored as an ``ir.config_parameter`` named
    ``client_value.<setting>`` so scheduled actions read it without a
    settings record.
    """

    _inherit = "res.config.settings"

    # After the sale: outcome reviews and client satisfaction
    client_value_impact_review_days = fields.Integer(
        string="Impact Review Delay (days)",
        config_parameter="client_value.impact_review_days",
        default=30,
        help="Days between the win and the Impact Review scheduled for the "
        "salesperson.",
    )
    client_value_auto_rating_request = fields.Boolean(
        string="Ask the Client Automatically",
        config_parameter="client_value.auto_rating_request",
        help="Email the rating request to the client when the Impact Review " "is due.",
    )
