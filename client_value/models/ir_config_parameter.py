from odoo import api, models

from ..tools import settings
from .client_value_care import FOLLOWED_SETTINGS

# Settings the figures are built from: they follow them wherever they are
# changed (client_value.care._settings_changed).
WATCHED_SETTINGS = (*FOLLOWED_SETTINGS, "disabled_sources")


class IrConfigParameter(models.Model):
    """The module's settings are validated where they are set: in the
    settings form as in System Parameters; the touch view follows the
    settings it is built from."""

    _inherit = "ir.config_parameter"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            settings.check(self.env, vals.get("key"), vals.get("value"))
        watched = any(self._client_value_key(vals.get("key")) for vals in vals_list)
        before = self._client_value_snapshot() if watched else None
        parameters = super().create(vals_list)
        if watched:
            self._client_value_follow(before)
        return parameters

    def write(self, vals):
        if "key" in vals or "value" in vals:
            for parameter in self:
                settings.check(
                    self.env,
                    vals.get("key", parameter.key),
                    vals.get("value", parameter.value),
                )
        watched = self._client_value_watched() or self._client_value_key(
            vals.get("key")
        )
        before = self._client_value_snapshot() if watched else None
        result = super().write(vals)
        if watched:
            self._client_value_follow(before)
        return result

    def unlink(self):
        watched = self._client_value_watched()
        before = self._client_value_snapshot() if watched else None
        result = super().unlink()
        if watched:
            self._client_value_follow(before)
        return result

    @api.model
    def _client_value_key(self, key):
        return bool(key) and key in {
            settings.PREFIX + name for name in WATCHED_SETTINGS
        }

    def _client_value_watched(self):
        return any(self._client_value_key(parameter.key) for parameter in self)

    def _client_value_snapshot(self):
        # The settings form sets many parameters at once and follows them
        # once, when it is done (res_config_settings.set_values).
        if (
            self.env.context.get("client_value_settings_form")
            or "client_value.care" not in self.env
        ):
            return None
        return self.env["client_value.care"]._settings_snapshot()

    def _client_value_follow(self, before):
        if before is not None:
            self.env["client_value.care"]._settings_changed(before)
