from . import models
from . import controllers
from . import wizard


def uninstall_hook(env):
    """Drop the settings: stored as ``client_value.*`` system parameters, they
    have no xmlid and would otherwise outlive the module."""
    env["ir.config_parameter"].search([("key", "=like", r"client\_value.%")]).unlink()
