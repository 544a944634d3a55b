from odoo import models

from ..tools import rating as rating_scale


class MailMail(models.Model):
    """Sign the links of a deal's rating request when the email leaves.

    The rating request posted in the deal's chatter carries placeholders
    instead of the links' tokens, so that no employee reading the chatter
    holds a link that answers for the client. Each recipient's copy of the
    email gets links signed for them, and only the client the request is
    for gets working ones (``tools/rating.py``).
    """

    _inherit = "mail.mail"

    def _personalize_outgoing_body(self, body, partner=False, *args, **kwargs):
        # 18.0: (body, partner, recipients_follower_status=None)
        # 19.0: (body, partner, doc_to_followers=None)
        body = super()._personalize_outgoing_body(body, partner, *args, **kwargs)
        return rating_scale.sign_links(
            self.env, body, self.model, self.res_id, partner, "crm.lead"
        )
