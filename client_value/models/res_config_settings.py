from odoo import api, fields, models

from ..tools import settings, touch_rule

# The settings field of each source an administrator can leave out.
SOURCE_FIELDS = {
    "client_value_source_sale_order": "sale.order",
    "client_value_source_account_move": "account.move",
    "client_value_source_project_task": "project.task",
    "client_value_source_helpdesk_ticket": "helpdesk.ticket",
}
# Booleans on by default: Odoo deletes the parameter of an unticked box,
# which would mean the default, so these are stored as "True" or "False".
ON_BY_DEFAULT = {
    "client_value_count_incoming_email": "count_incoming_email",
}


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
    # On by default: stored as "True" or "False" (see ON_BY_DEFAULT).
    client_value_count_incoming_email = fields.Boolean(
        string="Unanswered Emails Are Requests",
        help="An email from the client that nobody answered counts as an "
        "unanswered service request.",
    )
    client_value_automatic_header_rules = fields.Text(
        string="Automatic Email Header Rules",
        help="Extra headers that mark an incoming email as automatic (neither "
        "a request nor a touch), one rule per line: “Header-Name: pattern”, "
        "the pattern a regular expression matched against the header's "
        "value, e.g. “X-Mailer: ^Zendesk”. Auto-replies, mailing lists and "
        "delivery reports are recognised without rules.",
    )
    client_value_neglect_fallback_user_id = fields.Many2one(
        "res.users",
        string="Follow-up Fallback User",
        config_parameter="client_value.neglect_fallback_user_id",
        domain="[('share', '=', False)]",
        help="Gets the follow-up of a neglected account that has neither a "
        "salesperson nor a sales team leader. Default: the administrator.",
    )

    client_value_response_target_days = fields.Integer(
        string="Response Target (Working Days)",
        config_parameter="client_value.response_target_days",
        default=settings.SETTINGS["response_target_days"].default,
        help="A request is late, and can make its account neglected, once it "
        "has waited this many working days of the calendar of its document's "
        "company (0: at once).",
    )
    # Touch sources: the client's documents whose messages and activities
    # count as touches of the account (every installed one by default).
    client_value_source_sale_order = fields.Boolean(
        string="Sales Orders and Quotations (sales touches)"
    )
    client_value_source_account_move = fields.Boolean(
        string="Customer Invoices and Credit Notes (administrative touches)"
    )
    client_value_source_project_task = fields.Boolean(
        string="Project Tasks (service touches)"
    )
    client_value_source_helpdesk_ticket = fields.Boolean(
        string="Helpdesk Tickets (service touches)"
    )
    client_value_installed_sources = fields.Char(
        compute="_compute_client_value_installed_sources"
    )

    @api.depends("company_id")
    def _compute_client_value_installed_sources(self):
        installed = ",".join(
            model for model in SOURCE_FIELDS.values() if model in self.env
        )
        for record in self:
            record.client_value_installed_sources = installed

    @api.model
    def get_values(self):
        res = super().get_values()
        disabled = settings.get(self.env, "disabled_sources")
        for fname, model in SOURCE_FIELDS.items():
            res[fname] = model not in disabled
        for fname, name in ON_BY_DEFAULT.items():
            res[fname] = settings.get(self.env, name)
        # sudo: settings are system parameters, readable by administrators only
        res["client_value_automatic_header_rules"] = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(settings.PREFIX + "automatic_header_rules", "")
        )
        return res

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
        params = self.env["ir.config_parameter"].sudo()
        old_target = settings.get(self.env, "response_target_days")
        old_sources = touch_rule.touch_models(self.env)
        res = super().set_values()
        self.ensure_one()
        disabled = ",".join(
            sorted(model for fname, model in SOURCE_FIELDS.items() if not self[fname])
        )
        params.set_param("client_value.disabled_sources", disabled or False)
        for fname, name in ON_BY_DEFAULT.items():
            if self[fname] != settings.get(self.env, name):
                params.set_param(settings.PREFIX + name, str(self[fname]))
        rules = (self.client_value_automatic_header_rules or "").strip()
        params.set_param(settings.PREFIX + "automatic_header_rules", rules or False)
        self.env["client_value.care"]._settings_changed(old_sources, old_target)
        return res
