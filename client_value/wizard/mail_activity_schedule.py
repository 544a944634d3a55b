from odoo import api, fields, models

from ..tools import response_target


class MailActivitySchedule(models.TransientModel):
    """The chatter's scheduling dialog: a service request logged after the
    fact says when the client asked (*Requested On*), and how urgent it is
    (its priority)."""

    _inherit = "mail.activity.schedule"

    client_value_touch_kind = fields.Selection(related="activity_type_id.touch_kind")
    date_requested = fields.Datetime(
        string="Requested On",
        help="When the client asked; leave empty for now. A request logged "
        "after the fact keeps its real waiting time.",
    )

    client_value_priority = fields.Selection(
        response_target.PRIORITIES,
        string="Request Priority",
        help="Sets the response target of the service request: normal, high "
        "(one star) or urgent (two stars).",
    )

    @api.constrains("date_requested")
    def _check_client_value_date_requested(self):
        """Refused when the dialog is saved, before any activity is made:
        the dialog stays as it was, its buttons with it."""
        now = fields.Datetime.now()
        for scheduler in self.filtered("date_requested"):
            self.env["mail.activity"]._client_value_check_requested_on(
                scheduler.date_requested, now
            )

    def _action_schedule_activities(self):
        scheduler = self
        if self.client_value_touch_kind == "service":
            # Odoo's own defaults mechanism: the activities created below
            # take this Requested On (mail.activity's date_requested default)
            # and priority.
            defaults = {}
            if self.date_requested:
                defaults["default_date_requested"] = self.date_requested
            if self.client_value_priority:
                defaults["default_client_value_priority"] = self.client_value_priority
            scheduler = self.with_context(**defaults)
        return super(MailActivitySchedule, scheduler)._action_schedule_activities()
