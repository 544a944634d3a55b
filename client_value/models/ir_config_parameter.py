from odoo import api, models

from ..tools import settings

# Settings the touch view is built from (the sources, which requests count):
# the view follows them wherever they are changed.
VIEW_SETTINGS = ("count_incoming_email", "disabled_sources")


class IrConfigParameter(models.Model):
    """The module's settings are validated where they are set: in the
    settings form as in System Parameters; the touch view follows the
    settings it is built from."""

    _inherit = "ir.config_parameter"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            settings.check(self.env, vals.get("key"), vals.get("value"))
        parameters = super().create(vals_list)
        parameters._client_value_follow()
        return parameters

    def write(self, vals):
        if "key" in vals or "value" in vals:
            for parameter in self:
                settings.check(
                    self.env,
                    vals.get("key", parameter.key),
                    vals.get("value", parameter.value),
                )
        watched = self._client_value_watched()
        result = super().write(vals)
        if watched or self._client_value_watched():
            self._client_value_follow(force=True)
        return result

    def unlink(self):
        watched = self._client_value_watched()
        result = super().unlink()
        if watched:
            self.browse()._client_value_follow(force=True)
        return result

    def _client_value_watched(self):
        keys = {settings.PREFIX + name for name in VIEW_SETTINGS}
        return any(parameter.key in keys for parameter in self)

    def _client_value_follow(self, force=False):
        if (force or self._client_value_watched()) and "client_value.touch" in self.env:
            self.env["client_value.touch"]._rebuild_views()
