from odoo import api, models

from ..tools import settings


class IrConfigParameter(models.Model):
    """The module's settings are validated where they are set: in the
    settings form as in System Parameters."""

    _inherit = "ir.config_parameter"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            settings.check(self.env, vals.get("key"), vals.get("value"))
        return super().create(vals_list)

    def write(self, vals):
        if "key" in vals or "value" in vals:
            for parameter in self:
                settings.check(
                    self.env,
                    vals.get("key", parameter.key),
                    vals.get("value", parameter.value),
                )
        return super().write(vals)
