from odoo import api, fields, models

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

    @api.model
    def _client_value_keep_done(self, type_ids):
        """Keep the done activities of these types (18.0's *Keep Done*);
        19.0 keeps every done activity and has no such field."""
        if "keep_done" in self._fields:
            self.browse(type_ids).write({"keep_done": True})
