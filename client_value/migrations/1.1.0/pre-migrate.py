"""1.1.0: the columns of the service levels come as at install (hooks.py):
created empty, without rewriting the big tables, before the indexes that
read them are built."""

from odoo.addons.client_value.hooks import (
    ACTIVITY_COLUMNS,
    MESSAGE_COLUMNS,
    PARTNER_COLUMNS,
    _create_columns,
)


def migrate(cr, version):
    _create_columns(cr, "mail_activity", ACTIVITY_COLUMNS)
    _create_columns(cr, "mail_message", MESSAGE_COLUMNS)
    _create_columns(cr, "res_partner", PARTNER_COLUMNS)
