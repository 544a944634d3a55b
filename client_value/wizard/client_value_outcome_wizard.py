from odoo import api, fields, models

from ..models.crm_lead_outcome import OUTCOME_STATES, RECORDED_OUTCOMES


class ClientValueOutcomeWizard(models.TransientModel):
    """Replaces the plain feedback box of the Impact Review: the answer to
    "how did this sale improve the client's situation?" is recorded on the
    deal, not lost in a chatter line."""

    _name = "client_value.outcome.wizard"
    _description = "Record the Outcome of a Sale"

    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", required=True, ondelete="cascade"
    )
    outcome_state = fields.Selection(
        [item for item in OUTCOME_STATES if item[0] in RECORDED_OUTCOMES],
        string="Outcome",
        required=True,
        help="How did this sale change the client's situation?",
    )
    outcome_note = fields.Text(
        string="What changed for the client?",
    )

    @api.model
    def _action_open(self, lead, note=False):
        """Window action opening the wizard on ``lead``; completing the wizard
        also completes the lead's open Impact Review."""
        context = {"default_lead_id": lead.id}
        if note or lead.outcome_note:
            context["default_outcome_note"] = note or lead.outcome_note
        if lead.outcome_state in RECORDED_OUTCOMES:
            context["default_outcome_state"] = lead.outcome_state
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Outcome"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_record_outcome(self):
        self.ensure_one()
        self.lead_id._client_value_record_outcome(
            self.outcome_state, note=self.outcome_note
        )
        return {"type": "ir.actions.act_window_close"}
