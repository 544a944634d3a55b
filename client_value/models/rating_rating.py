from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import rating as rating_scale
from ..tools.compat import domain_and


class RatingRating(models.Model):
    """Client ratings of deals: set by the client, read like the deal.

    Odoo lets every employee read and write every rating. The ratings of
    opportunities follow the deal: a user reads those of the deals they may
    read (crm's own record rules and companies apply): ``_search`` adds it
    to every search, and Odoo reads records through ``_search`` too, so a
    rating of a deal the user may not read is neither found nor read. No user
    writes them: only the client, through the signed link of the request
    (``crm.lead.rating_apply``), and the module's own server code. Ratings of
    every other model keep Odoo's behaviour, at no cost: this is code, not
    record rules, which Odoo would check with a query on every write of
    every rating of every model.
    """

    _inherit = "rating.rating"

    client_value_lead_id = fields.Many2one(
        "crm.lead",
        string="Rated Opportunity",
        compute="_compute_client_value_lead_id",
        store=True,
        precompute=True,
        index="btree_not_null",
        ondelete="cascade",
    )

    @api.depends("res_model_id", "res_id")
    def _compute_client_value_lead_id(self):
        lead_model_id = self.env["ir.model"]._get_id("crm.lead")
        for rating in self:
            rating.client_value_lead_id = (
                rating.res_id if rating.res_model_id.id == lead_model_id else False
            )

    @api.model
    def _client_value_readable_domain(self):
        """The ratings the user may read: those of other documents than
        deals, and those of the deals they may read."""
        Lead = self.env["crm.lead"].with_context(active_test=False)
        leads = Lead._search([]) if Lead.has_access("read") else []
        # Plain columns set when the rating is made: a search reads them
        # without flushing anything pending on ratings (res_model and the
        # rated opportunity are computed from them).
        return [
            "|",
            ("res_model_id", "!=", self.env["ir.model"]._get_id("crm.lead")),
            ("res_id", "in", leads),
        ]

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        # 19.0's bypass_access: the caller reads as the superuser would.
        if not self.env.su and not kwargs.get("bypass_access"):
            domain = domain_and(
                [
                    domain if domain is not None else [],
                    self._client_value_readable_domain(),
                ]
            )
        return super()._search(
            domain, offset=offset, limit=limit, order=order, **kwargs
        )

    @api.constrains("rating", "consumed", "res_model")
    def _check_crm_lead_rating_scale(self):
        for rating in self:
            if rating.res_model != "crm.lead" or not rating.consumed:
                continue
            if not rating_scale.is_score(rating.rating):
                raise ValidationError(
                    self.env._(
                        "A client rating must be a whole score from 1 to 5 "
                        "(received %s).",
                        rating.rating,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            lead_model_id = self.env["ir.model"]._get_id("crm.lead")
            if any(
                vals.get("res_model_id") == lead_model_id
                or vals.get("res_model") == "crm.lead"
                for vals in vals_list
            ):
                self._client_value_refuse()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and (
            self.filtered("client_value_lead_id")
            or vals.get("res_model") == "crm.lead"
            or vals.get("res_model_id") == self.env["ir.model"]._get_id("crm.lead")
        ):
            self._client_value_refuse()
        return super().write(vals)

    def unlink(self):
        if not self.env.su and self.filtered("client_value_lead_id"):
            self._client_value_refuse()
        return super().unlink()

    def _client_value_refuse(self):
        raise AccessError(
            self.env._(
                "The client's rating of a deal is set by the client only, through "
                "the link of the rating request."
            )
        )
