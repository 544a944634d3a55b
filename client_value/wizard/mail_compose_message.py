from odoo import models


class MailComposeMessage(models.TransientModel):
    """The composer opened by *Ask the Client*: once sent, the deal notes the
    request and the salesperson is told whether the email left."""

    _inherit = "mail.compose.message"

    def action_send_mail(self):
        if not self.env.context.get("client_value_rating_request") or any(
            wizard.model != "crm.lead" for wizard in self
        ):
            return super().action_send_mail()
        _mails, messages = self._action_send_mail(auto_commit=False)
        leads = self.env["crm.lead"].browse(
            [res_id for wizard in self for res_id in wizard._evaluate_res_ids()]
        )
        return leads._client_value_rating_request_sent(messages)
