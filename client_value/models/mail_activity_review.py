from odoo import models
from odoo.exceptions import UserError

from odoo.addons.mail.tools.discuss import Store

from ..tools.compat import ODOO_19
from .crm_lead_outcome import RECORDED_OUTCOMES


class MailActivity(models.Model):
    """The Impact Review in the to-do list and the chatter: its *Done* opens
    the outcome wizard, so the outcome is recorded with the review."""

    _inherit = "mail.activity"

    def action_done(self):
        reviews = self._client_value_reviews()
        if not reviews:
            return super().action_done()
        others = self - reviews
        if others:
            super(MailActivity, others).action_done()
        return reviews._client_value_open_outcome_wizard()

    def action_feedback_schedule_next(self, feedback=False, attachment_ids=None):
        reviews = self._client_value_reviews()
        if not reviews:
            return super().action_feedback_schedule_next(
                feedback=feedback, attachment_ids=attachment_ids
            )
        return reviews._client_value_open_outcome_wizard(feedback=feedback)

    # Tell the web client which activities are Impact Reviews, so its "Done"
    # button opens the outcome wizard too: 18.0 sends an activity through
    # its _to_store(store), 19.0 through the fields of _to_store_defaults.
    if ODOO_19:

        def _to_store_defaults(self, target):
            reviews = self._client_value_reviews()
            return [
                *super()._to_store_defaults(target),
                Store.Attr(
                    "client_value_outcome_review",
                    True,
                    predicate=lambda activity: activity in reviews,
                ),
            ]

    else:

        def _to_store(self, store):
            result = super()._to_store(store)
            for activity in self._client_value_reviews():
                store.add(activity, {"client_value_outcome_review": True})
            return result

    def _client_value_reviews(self):
        """Open Impact Reviews whose won deal still waits for its outcome;
        any other activity is completed the usual way."""
        review_type = self.env["crm.lead"]._client_value_review_type()
        if not review_type:
            return self.browse()
        reviews = self.filtered(
            lambda activity: activity.active
            and activity.res_model == "crm.lead"
            and activity.activity_type_id == review_type
        )
        if not reviews:
            return reviews
        # sudo: the review's deal may belong to another salesperson
        leads = self.env["crm.lead"].sudo().browse(reviews.mapped("res_id")).exists()
        waiting = leads.filtered(
            lambda lead: lead.is_won_deal
            and lead.outcome_state not in RECORDED_OUTCOMES
        )
        return reviews.filtered(lambda activity: activity.res_id in waiting.ids)

    def _client_value_open_outcome_wizard(self, feedback=False):
        if len(self) > 1:
            raise UserError(
                self.env._("Record the outcome of each Impact Review separately.")
            )
        lead = self.env["crm.lead"].browse(self.res_id)
        lead._client_value_check_can_record_outcome()
        return self.env["client_value.outcome.wizard"]._action_open(lead, note=feedback)
