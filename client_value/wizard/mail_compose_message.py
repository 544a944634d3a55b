from odoo import api, fields, models

from ..tools import touch_rule


class MailComposeMessage(models.TransientModel):
    """The mail composer: a reply to a client with open service requests on
    the document says whether it completes them (the choice is remembered
    for the user's next replies); and the composer opened by *Ask the
    Client*: once sent, the deal notes the request and the salesperson is
    told whether the email left."""

    _inherit = "mail.compose.message"

    client_value_has_requests = fields.Boolean(
        compute="_compute_client_value_has_requests"
    )
    client_value_complete_requests = fields.Boolean(
        string="Mark the client's requests done",
        compute="_compute_client_value_complete_requests",
        readonly=False,
        store=True,
        help="The service requests this reply answers are marked done. "
        "Otherwise they stay on the to-do list, shown as answered. Your "
        "choice is remembered for your next replies.",
    )

    @api.depends("composition_mode", "model", "res_ids")
    def _compute_client_value_has_requests(self):
        Activity = self.env["mail.activity"]
        for composer in self:
            has_requests = False
            if (
                composer.composition_mode == "comment"
                and composer.model in touch_rule.touch_models(self.env)
            ):
                res_ids = composer._evaluate_res_ids()
                has_requests = len(res_ids) == 1 and bool(
                    Activity.search_count(
                        [
                            ("res_model", "=", composer.model),
                            ("res_id", "in", res_ids),
                            ("is_service_request", "=", True),
                        ],
                        limit=1,
                    )
                )
            composer.client_value_has_requests = has_requests

    @api.depends("composition_mode")
    def _compute_client_value_complete_requests(self):
        for composer in self:
            composer.client_value_complete_requests = (
                self.env.user.client_value_complete_on_reply
            )

    def _action_send_mail(self, auto_commit=False):
        choosing = self.filtered("client_value_has_requests")
        if not choosing:
            return super()._action_send_mail(auto_commit=auto_commit)
        choice = choosing[0].client_value_complete_requests
        user = self.env.user
        if not self.env.su and user.client_value_complete_on_reply != choice:
            user.client_value_complete_on_reply = choice
        return super(
            MailComposeMessage,
            self.with_context(client_value_complete_requests=choice),
        )._action_send_mail(auto_commit=auto_commit)

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
