from odoo import api, fields, models

from ..tools import settings

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
# Numbers whose 0 means "never": Odoo deletes the parameter of a 0, which
# would mean the default, so these are stored as written.
ZERO_MEANS_NEVER = {
    "client_value_due_soon_percent": "due_soon_percent",
    "client_value_escalation_days": "escalation_days",
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

    # Service levels: the targets are the rows of Response Targets.
    # 0 means never: stored as "0" (see ZERO_MEANS_NEVER).
    client_value_due_soon_percent = fields.Integer(
        string="Due Soon At (%)",
        help="Share of its response target after which a waiting request is "
        "due soon, and the person responsible is told once (0: never).",
    )
    client_value_escalation_days = fields.Float(
        string="Escalate After (Working Days)",
        digits=(16, 1),
        help="A request still waiting this long after its due moment is "
        "escalated to the sales team leader, once (0: never).",
    )
    client_value_key_account_tag_id = fields.Many2one(
        "res.partner.category",
        string="Key Account Tag",
        config_parameter="client_value.key_account_tag_id",
        help="Accounts with this tag are key accounts, as are those marked "
        "Key Account: their requests follow the key-account response "
        "targets, where there are some.",
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
    client_value_history_banner = fields.Char(
        compute="_compute_client_value_history_banner"
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

    def _compute_client_value_history_banner(self):
        banner = self.env["client_value.history.run"]._banner()
        for record in self:
            record.client_value_history_banner = banner

    @api.model
    def get_values(self):
        res = super().get_values()
        disabled = settings.get(self.env, "disabled_sources")
        for fname, model in SOURCE_FIELDS.items():
            res[fname] = model not in disabled
        for fname, name in {**ON_BY_DEFAULT, **ZERO_MEANS_NEVER}.items():
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
                    and field.type in ("integer", "float")
                ):
                    settings.check(self.env, key, repr(record[fname]))
            for fname, name in ZERO_MEANS_NEVER.items():
                settings.check(self.env, settings.PREFIX + name, repr(record[fname]))
        self.ensure_one()
        # The figures follow the settings once, when all are set.
        care = self.env["client_value.care"]
        before = care._settings_snapshot()
        form = self.with_context(client_value_settings_form=True)
        res = super(ResConfigSettings, form).set_values()
        form._client_value_set_params()
        care._settings_changed(before)
        return res

    def _client_value_set_params(self):
        params = self.env["ir.config_parameter"].sudo()
        disabled = ",".join(
            sorted(model for fname, model in SOURCE_FIELDS.items() if not self[fname])
        )
        params.set_param("client_value.disabled_sources", disabled or False)
        for fname, name in {**ON_BY_DEFAULT, **ZERO_MEANS_NEVER}.items():
            if self[fname] != settings.get(self.env, name):
                params.set_param(settings.PREFIX + name, str(self[fname]))
        rules = (self.client_value_automatic_header_rules or "").strip()
        params.set_param(settings.PREFIX + "automatic_header_rules", rules or False)
