from odoo import api, models
from odoo.exceptions import ValidationError


class RatingRating(models.Model):
    """Clients rate a deal on a five-point scale; Odoo's own range (0-5,
    where 0 means "no rating") is narrowed for answered deal ratings."""

    _inherit = "rating.rating"

    @api.constrains("rating", "consumed", "res_model")
    def _check_crm_lead_rating_scale(self):
        for rating in self:
            if rating.res_model != "crm.lead" or not rating.consumed:
                continue
            if rating.rating != int(rating.rating) or not 1 <= rating.rating <= 5:
                raise ValidationError(
                    self.env._(
                        "A client rating must be a whole score from 1 to 5 "
                        "(received %s).",
                        rating.rating,
                    )
                )
