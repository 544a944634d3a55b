from odoo import fields, models  # noqa: F401


class ResConfigSettings(models.TransientModel):
    """Client Value settings, shown in the CRM settings app.

    Every value is stored as an ``ir.config_parameter`` named
    ``client_value.<setting>`` so scheduled actions read it without a
    settings record.
    """

    _inherit = "res.config.settings"
