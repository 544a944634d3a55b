from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.touch_rule import NO_REPLY_REASONS


class ClientValueNoReplyWizard(models.TransientModel):
    """*No Reply Needed*: close a waiting client email or service request
    without a reply, saying why.

    The request stops waiting at once (the account's flag clears like after
    an answer), the closing is logged in the document's chatter, and it
    stays out of the response-time average; answered by phone or in person
    is an answer, at the moment it happened, and counts. Only a user who may
    write the request's document closes it; the reason is written here only.
    """

    _name = "client_value.no.reply.wizard"
    _description = "Close a Client Request Without a Reply"

    res_model = fields.Selection(
        [("mail.activity", "Service Request"), ("mail.message", "Email")],
        string="Request Type",
        required=True,
    )
    res_id = fields.Integer(string="Request Record", required=True)
    summary = fields.Char(compute="_compute_summary", string="Request")
    reason = fields.Selection(NO_REPLY_REASONS, required=True, default="thanks")
    note = fields.Text(help="Required for “Other”.")
    answered_on = fields.Datetime(
        help="When the client was answered by phone or in person.",
    )

    @api.depends("res_model", "res_id")
    def _compute_summary(self):
        for wizard in self:
            request = wizard._request()
            # Shown only to a user who may read the request's document: the
            # request was read with sudo.
            if not request or not wizard._document(request).has_access("read"):
                wizard.summary = False
                continue
            wizard.summary = (
                request.summary or request.activity_type_id.name
                if wizard.res_model == "mail.activity"
                else request.subject or request.record_name
            )

    def _request(self):
        self.ensure_one()
        # sudo: the request is read to close it; the document's access is
        # checked before anything is written (_check_document)
        return self.env[self.res_model].sudo().browse(self.res_id).exists()

    def _document(self, request):
        model = (
            request.res_model if self.res_model == "mail.activity" else request.model
        )
        return self.env[model].browse(request.res_id)

    @api.model
    def _action_open(self, res_model, res_id):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("No Reply Needed"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_res_model": res_model, "default_res_id": res_id},
        }

    def _check(self, request):
        """The request waits, the user may write its document, the reason
        says what it needs."""
        waiting = (
            request
            and not request.date_answered
            and (
                request.is_service_request
                if self.res_model == "mail.activity"
                else request.client_touch == "incoming"
            )
        )
        if not waiting:
            raise UserError(self.env._("This request is not waiting for an answer."))
        self._document(request).check_access("write")
        if self.reason == "other" and not (self.note or "").strip():
            raise UserError(self.env._("Say why no reply is needed in the note."))
        if self.reason != "offline":
            return fields.Datetime.now()
        if not self.answered_on:
            raise UserError(
                self.env._("Say when the client was answered by phone or in person.")
            )
        asked = (
            request.date_requested or request.create_date
            if self.res_model == "mail.activity"
            else request.client_touch_date
        )
        if not asked <= self.answered_on <= fields.Datetime.now():
            raise UserError(
                self.env._(
                    "The client was answered between the request and now: "
                    "“Answered On” is outside that time."
                )
            )
        return self.answered_on

    def action_confirm(self):
        self.ensure_one()
        request = self._request()
        answered_on = self._check(request)
        values = {
            "date_answered": answered_on,
            "answered_by_id": self.env.user.partner_id.id,
            "client_value_no_reply_reason": self.reason,
            "client_value_no_reply_note": self.note,
        }
        if self.res_model == "mail.activity":
            asked = request.date_requested or request.create_date
            values["response_hours"] = (
                max((answered_on - asked).total_seconds(), 0) / 3600.0
                if self.reason == "offline"
                else False
            )
        # sudo: the verdict is written here only, once _check passed
        request.write(values)
        self.env["mail.activity"]._client_value_end_signals(
            [(self.res_model, request.id)]
        )
        document = self._document(request)
        label = dict(self._fields["reason"]._description_selection(self.env))[
            self.reason
        ]
        said = self.env._("No reply needed: %(reason)s", reason=label)
        if self.res_model == "mail.activity":
            # The service request is done, its feedback saying why.
            feedback = f"{said}\n{self.note}" if self.note else said
            request.with_env(self.env)._action_done(feedback=feedback)
        else:
            body = Markup("<p>%s</p>") % said
            if self.note:
                body += Markup("<p>%s</p>") % self.note
            document.message_post(body=body, subtype_xmlid="mail.mt_note")
        self.env["client_value.care"]._touched([(document._name, document.id)])
        return {"type": "ir.actions.act_window_close"}
