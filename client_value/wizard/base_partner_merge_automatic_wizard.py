from odoo import models

from ..tools.protect import odoo_flow


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Odoo's *Merge Contacts* on contacts the module keeps figures on.

    The merged contacts' touches, requests and documents move to the
    destination's account. The module's own figures (last touch, neglect
    flag) are not values to carry over from one contact to the other: they
    are left out of what the wizard copies, and both accounts follow their
    new history at once.
    """

    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        with odoo_flow("merge contacts"):
            return super()._update_values(src_partners, dst_partner)

    def _update_reference_fields(self, src_partners, dst_partner):
        result = super()._update_reference_fields(src_partners, dst_partner)
        self.env["mail.activity"]._client_value_move_history(
            "res.partner", src_partners.ids, dst_partner.id
        )
        return result

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        Partner = self.env["res.partner"]
        # sudo: the accounts are read to put their figures right
        accounts = Partner.sudo().browse(partner_ids).commercial_partner_id
        result = super()._merge(
            partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
        )
        self.env["client_value.care"]._accounts_changed_later(partner_ids=accounts.ids)
        return result
