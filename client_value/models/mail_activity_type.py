from odoo import fields, models

from ..tools.touch_rule import TOUCH_KINDS


class MailActivityType(models.Model):
    """Activity types tell a sales touch from a service or admin request.

    Done activities of a touch type are kept as the account's history by the
    module itself (see ``mail.activity._action_done``), whatever the type's
    *Keep Done*, which keeps its meaning in Odoo: showing done activities in
    the activity view.
    """

    _inherit = "mail.activity.type"

    touch_kind = fields.Selection(
        TOUCH_KINDS,
        string="Client Touch",
        help="Kind of client touch recorded by activities of this type on "
        "contacts and opportunities. Empty when the activity is not a "
        "contact with the client.",
    )
