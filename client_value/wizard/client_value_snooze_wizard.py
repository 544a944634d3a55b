from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_date

from ..models.client_value_neglect_watch import SNOOZE_REASONS


class ClientValueSnoozeWizard(models.TransientModel):
    """Snooze an account until a date, with a reason (closed for the
    holidays, handled by a partner, a legal hold): the neglect watch neither
    flags it nor follows it up meanwhile. Sales managers snooze any account,
    salespeople their own; the snooze is logged when set, changed and when
    it ends."""

    _name = "client_value.snooze.wizard"
    _description = "Snooze an Account"

    partner_id = fields.Many2one(
        "res.partner", string="Account", required=True, ondelete="cascade"
    )
    until = fields.Date(string="Snoozed Until", required=True)
    reason = fields.Selection(SNOOZE_REASONS, required=True, default="holiday")
    note = fields.Text()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and not values.get(
            "partner_id"
        ):
            values["partner_id"] = self.env.context.get("active_id")
        return values

    @api.model
    def _check_may_snooze(self, account):
        user = self.env.user
        if user.has_group("sales_team.group_sale_manager"):
            return
        if user.has_group("sales_team.group_sale_salesman") and (
            # sudo: the account's salesperson decides who may snooze it
            account.sudo().user_id == user
        ):
            return
        raise AccessError(
            self.env._(
                "Only a sales manager, or the account's own salesperson, can "
                "snooze “%s”.",
                account.display_name,
            )
        )

    def action_snooze(self):
        self.ensure_one()
        account = self.partner_id.commercial_partner_id
        self._check_may_snooze(account)
        if self.until <= fields.Date.context_today(self):
            raise ValidationError(self.env._("Snooze the account until a later day."))
        # sudo: the snooze is written here only, once the checks above passed
        account_sudo = account.sudo()
        changed = bool(account_sudo.client_value_snoozed_until)
        account_sudo.write(
            {
                "client_value_snoozed_until": self.until,
                "client_value_snooze_reason": self.reason,
                "client_value_snooze_note": self.note,
            }
        )
        label = dict(self._fields["reason"]._description_selection(self.env))[
            self.reason
        ]
        said = (
            self.env._(
                "Snooze changed: snoozed until %(date)s (%(reason)s).",
                date=format_date(self.env, self.until),
                reason=label,
            )
            if changed
            else self.env._(
                "Snoozed until %(date)s (%(reason)s): the neglect watch leaves "
                "the account alone until then.",
                date=format_date(self.env, self.until),
                reason=label,
            )
        )
        body = Markup("<p>%s</p>") % said
        if self.note:
            body += Markup("<p>%s</p>") % self.note
        # sudo: the note on the account, by whoever snoozed it (salespeople
        # may snooze their accounts without the right to edit contacts)
        account_sudo.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        # A flagged account is cleared at once.
        self.env["client_value.care"]._accounts_changed(account.ids)
        return {"type": "ir.actions.act_window_close"}
