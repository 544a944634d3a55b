"""1.1.0: service levels. The single response target setting becomes the
normal priority's target; every waiting request gets its plan (due soon,
due, escalated) and every account its neglect moment."""

from odoo import SUPERUSER_ID, api

from odoo.addons.client_value.tools import history


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["client_value.response.target"]._client_value_adopt_setting()
    history.replan(env)
