import werkzeug

from odoo import http
from odoo.http import request
from odoo.tools.misc import get_lang

from odoo.addons.rating.controllers.main import Rating

from ..tools import rating as rating_scale


class ClientValueRating(Rating):
    """Deals are rated on a five-point scale, once per request. Other rated
    documents keep Odoo's three-point pages untouched."""

    def _lead_rating(self, token):
        """The deal rating ``token`` opens: a signed link token, as sent to
        the client. A deal rating's stored token, which employees may read,
        opens nothing (404). None for the ratings of other documents."""
        Lead = request.env["crm.lead"]
        rating_sudo = rating_scale.rating_from_token(request.env, token, Lead._name)
        if rating_sudo:
            return rating_sudo
        stored = (
            request.env["rating.rating"]
            # sudo: the public rating page has no user: the token is the credential
            .sudo()
            .search([("access_token", "=", token)], limit=1)
        )
        if stored.res_model == "crm.lead" or token.startswith("cv"):
            raise werkzeug.exceptions.NotFound()
        return None

    def _lead_rating_and_record(self, rating_sudo):
        # sudo: the signed token was checked; the deal is read for the page
        record_sudo = request.env["crm.lead"].sudo().browse(rating_sudo.res_id)
        if not record_sudo.exists():
            raise werkzeug.exceptions.NotFound()
        return rating_sudo, record_sudo

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
        if rate not in rating_scale.SCALE:
            raise werkzeug.exceptions.BadRequest(
                request.env._("A rating must be a score from 1 to 5.")
            )
        rating, record_sudo = self._lead_rating_and_record(rating)
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
        return self._render_lead_rating_form(rating, token, rate)

    def _render_lead_rating_form(self, rating, token, rate, error=None, feedback=None):
        lang = rating.partner_id.lang or get_lang(request.env).code
        return (
            request.env["ir.ui.view"]
            .with_context(lang=lang)
            ._render_template(
                "client_value.rating_lead_page_submit",
                {
                    "rating": rating,
                    "token": token,
                    "rate_names": rating_scale.score_names(request.env),
                    "rate": rate,
                    "error": error,
                    "feedback": feedback,
                },
            )
        )

    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        rating = self._lead_rating(token)
        if rating is None:
            return super().action_submit_rating(token, rate=rate, **kwargs)
        rating, record_sudo = self._lead_rating_and_record(rating)
        if request.httprequest.method == "POST" and not rating.consumed:
            try:
                rate = int(rate)
            except (TypeError, ValueError):
                rate = 0
            if rate not in rating_scale.SCALE:
                raise werkzeug.exceptions.BadRequest(
                    request.env._("A rating must be a score from 1 to 5.")
                )
            feedback = kwargs.get("feedback") or ""
            if len(feedback) > rating_scale.FEEDBACK_MAX_LENGTH:
                # The form again, with the message; nothing is stored.
                limit = f"{rating_scale.FEEDBACK_MAX_LENGTH:,}"
                error = request.env._(
                    "Your comment is too long: at most %(max)s characters, please.",
                    max=limit,
                )
                page = self._render_lead_rating_form(
                    rating,
                    token,
                    rate,
                    error=error,
                    feedback=feedback[: rating_scale.FEEDBACK_MAX_LENGTH],
                )
                return request.make_response(page, status=400)
            record_sudo.rating_apply(
                rate,
                rating=rating,
                feedback=kwargs.get("feedback"),
                subtype_xmlid=None,
            )
        return self._render_lead_rating_done(rating)
