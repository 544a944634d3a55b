from odoo import fields, models

from ..tools import settings


class ResConfigSettings(models.TransientModel):
    """Client Value settings, shown in the CRM settings app.

    Every value is stored as an ``ir.config_parameter`` named
    ``client_value.<setting>`` so scheduled actions read it without a
    settings record.
    """

    _inherit = "res.config.settings"

    client_value_require_impact_assessment = fields.Boolean(
        string="Require an impact assessment before winning",
        config_parameter="client_value.require_impact_assessment",
        help="Refuse to mark an opportunity won while its client impact level, "
        "client need or client fit is missing.",
    )
    client_value_small_deal_threshold = fields.Float(
        string="Small deal threshold",
        config_parameter="client_value.small_deal_threshold",
        help="Expected revenue under which a Significant or Transformational "
        "opportunity counts as “small deal, big impact”. Leave 0 to use the "
        "median expected revenue of open opportunities.",
    )

    # After the sale: outcome reviews and client satisfaction
    client_value_impact_review_days = fields.Integer(
        string="Impact Review Delay (days)",
        config_parameter="client_value.impact_review_days",
        default=settings.SETTINGS["impact_review_days"].default,
        help="Days between the win and the Impact Review scheduled for the "
        "salesperson.",
    )
    client_value_auto_rating_request = fields.Boolean(
        string="Ask the Client Automatically",
        config_parameter="client_value.auto_rating_request",
        help="Email the rating request to the client when the Impact Review is due.",
    )

    # Client care: touches, service requests and neglected accounts
    client_value_neglect_window_days = fields.Integer(
        string="Look-back Window (Days)",
        config_parameter="client_value.neglect_window_days",
        default=settings.SETTINGS["neglect_window_days"].default,
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

    def set_values(self):
        # Odoo stores 0 as "no value"; a number out of range, 0 included, is
        # refused here with the accepted range.
        for record in self:
            for fname, field in self._fields.items():
                key = getattr(field, "config_parameter", None)
                if (
                    key
                    and key.startswith(settings.PREFIX)
                    and field.type
                    in (
                        "integer",
                        "float",
                    )
                ):
                    settings.check(self.env, key, repr(record[fname]))
        return super().set_values()
