from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

# Odoo's stock types that are sales touches (To-Do and Upload Document are not).
STOCK_SALES_TYPES = (
    "mail_activity_data_email",
    "mail_activity_data_call",
    "mail_activity_data_meeting",
)

TOUCH_KINDS = [
    ("sales", "Sales"),
    ("service", "Service request"),
    ("admin", "Administrative"),
]


class MailActivityType(models.Model):
    """Activity types tell a sales touch from a service or admin request.

    A type with a touch kind must keep its done activities: the care
    summary and the neglect watch read the history of done touches.
    """

    _inherit = "mail.activity.type"

    touch_kind = fields.Selection(
        TOUCH_KINDS,
        string="Client Touch",
        help="Kind of client touch recorded by activities of this type. "
        "Empty when the activity is not a contact with the client.",
    )

    @api.constrains("touch_kind", "keep_done")
    def _check_touch_kind_keep_done(self):
        for activity_type in self:
            if activity_type.touch_kind and not activity_type.keep_done:
                raise ValidationError(
                    _(
                        "The activity type '%s' records client touches, so it must "
                        "keep its done activities (enable 'Keep Done'); otherwise "
                        "the client's touch history would be lost.",
                        activity_type.name,
                    )
                )

    @api.onchange("touch_kind")
    def _onchange_touch_kind(self):
        if self.touch_kind:
            self.keep_done = True

    def _auto_init(self):
        self._client_value_init_touch_kind()
        return super()._auto_init()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # A touch kind implies keep_done unless the caller explicitly
            # refuses it (the constraint then explains why that is wrong).
            if vals.get("touch_kind") and "keep_done" not in vals:
                vals["keep_done"] = True
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("touch_kind") and "keep_done" not in vals:
            vals = dict(vals, keep_done=True)
        return super().write(vals)

    @api.model
    def _client_value_init_touch_kind(self):
        """On install, create ``touch_kind`` and mark Odoo's Email, Call and
        Meeting types as sales touches, in SQL.

        Writing the kind through the ORM would recompute the stored
        ``mail.activity.touch_kind`` of every existing activity of those
        types, one by one; mail.activity's own ``_auto_init`` fills it in one
        UPDATE instead. Whichever model is set up first runs this.
        """
        cr = self.env.cr
        if column_exists(cr, "mail_activity_type", "touch_kind"):
            return
        create_column(cr, "mail_activity_type", "touch_kind", "varchar")
        cr.execute(
            SQL(
                """
                UPDATE mail_activity_type
                   SET touch_kind = 'sales', keep_done = TRUE
                 WHERE id IN (SELECT res_id FROM ir_model_data
                               WHERE module = 'mail' AND model = 'mail.activity.type'
                                 AND name IN %s)
                """,
                STOCK_SALES_TYPES,
            )
        )
