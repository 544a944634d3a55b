from odoo import fields, models


class MailActivitySchedule(models.TransientModel):
    """The chatter's scheduling dialog: a service request logged after the
    fact says when the client asked (*Requested On*)."""

    _inherit = "mail.activity.schedule"

    client_value_touch_kind = fields.Selection(related="activity_type_id.touch_kind")
    date_requested = fields.Datetime(
        string="Requested On",
        help="When the client asked; leave empty for now. A request logged "
        "after the fact keeps its real waiting time.",
    )

    def _action_schedule_activities(self):
        scheduler = self
        if self.date_requested and self.client_value_touch_kind == "service":
            # Odoo's own defaults mechanism: the activities created below
            # take this Requested On (mail.activity's date_requested default).
            scheduler = self.with_context(default_date_requested=self.date_requested)
        return super(MailActivitySchedule, scheduler)._action_schedule_activities()
