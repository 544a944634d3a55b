import werkzeug

from odoo import http
from odoo.http import request
from odoo.tools.misc import get_lang

from odoo.addons.rating.controllers.main import Rating

LEAD_RATES = (1, 2, 3, 4, 5)


class ClientValueRating(Rating):
    """Deals are rated on a five-point scale, once per request. Other rated
    documents keep Odoo's three-point pages untouched."""

    def _lead_rating(self, token):
        rating_sudo = (
            request.env["rating.rating"]
            # sudo: the public rating page has no user: the token is the credential
            .sudo()
            .search([("access_token", "=", token)], limit=1)
        )
        return rating_sudo if rating_sudo.res_model == "crm.lead" else None

    def _lead_rate_names(self):
        env = request.env
        return {
            5: env._("Very satisfied"),
            4: env._("Satisfied"),
            3: env._("Okay"),
            2: env._("Dissatisfied"),
            1: env._("Very dissatisfied"),
        }

    def _render_lead_rating_done(self, rating):
        lang = rating.partner_id.lang or get_lang(request.env).code
        return (
            request.env["ir.ui.view"]
            .with_context(lang=lang)
            ._render_template(
                "rating.rating_external_page_view",
                {"web_base_url": rating.get_base_url(), "rating": rating},
            )
        )

    @http.route()
    def action_open_rating(self, token, rate, **kwargs):
        rating = self._lead_rating(token)
        if rating is None:
            return super().action_open_rating(token, rate, **kwargs)
        if rate not in LEAD_RATES:
            raise werkzeug.exceptions.BadRequest(
                request.env._("A rating must be a score from 1 to 5.")
            )
        rating, record_sudo = self._get_rating_and_record(token)
        if rating.consumed:
            return self._render_lead_rating_done(rating)
        user = request.env.user
        if (
            not user._is_public()
            and user.partner_id.commercial_partner_id
            != rating.partner_id.commercial_partner_id
        ):
            return request.render(
                "rating.rating_external_page_invalid_partner",
                {
                    "model_name": request.env["ir.model"]
                    ._get(rating.res_model)
                    .display_name,
                    "name": record_sudo.display_name,
                    "web_base_url": rating.get_base_url(),
                },
            )
        lang = rating.partner_id.lang or get_lang(request.env).code
        return (
            request.env["ir.ui.view"]
            .with_context(lang=lang)
            ._render_template(
                "client_value.rating_lead_page_submit",
                {
                    "rating": rating,
                    "token": token,
                    "rate_names": self._lead_rate_names(),
                    "rate": rate,
                },
            )
        )

    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        rating = self._lead_rating(token)
        if rating is None:
            return super().action_submit_rating(token, rate=rate, **kwargs)
        rating, record_sudo = self._get_rating_and_record(token)
        if request.httprequest.method == "POST" and not rating.consumed:
            try:
                rate = int(rate)
            except (TypeError, ValueError):
                rate = 0
            if rate not in LEAD_RATES:
                raise werkzeug.exceptions.BadRequest(
                    request.env._("A rating must be a score from 1 to 5.")
                )
            record_sudo.rating_apply(
                rate,
                rating=rating,
                feedback=kwargs.get("feedback"),
                subtype_xmlid=None,
            )
        return self._render_lead_rating_done(rating)
