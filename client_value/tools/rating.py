"""The client's rating of a won deal, defined once: the scale, the words of
each score, the longest comment, and the signed links of the request.

Odoo keeps its own three-point scale in ``rating/models/rating_data.py``;
deals are rated on five points, by their client only, through a link signed
for that client (see :func:`link_token`).

The rating request posted in the deal's chatter carries placeholders instead
of the links' tokens, so that no employee reading the chatter holds a link
that answers for the client. Each recipient's copy of the email gets links
signed for them when it leaves (:func:`sign_links`), and only the client the
request is for gets working ones.
"""

import re

from odoo.tools import consteq
from odoo.tools.misc import hmac

# The client rates a won deal on a five-point scale.
SCALE = (1, 2, 3, 4, 5)
# Longest comment a client may leave with a rating.
FEEDBACK_MAX_LENGTH = 5000
# Rating requests sent by the scheduled action per run.
REQUEST_BATCH = 200

PLACEHOLDER = "client-value-rating-%s"
PLACEHOLDER_RE = re.compile(r"client-value-rating-(\d+)")
TOKEN_RE = re.compile(r"^cv(\d+)-([0-9a-f]{64})$")


def score_names(env):
    """The words of each score, as the rating page shows them."""
    return {
        5: env._("Very satisfied"),
        4: env._("Satisfied"),
        3: env._("Okay"),
        2: env._("Dissatisfied"),
        1: env._("Very dissatisfied"),
    }


def is_score(value):
    """Whether ``value`` is a score of the scale (a whole number 1-5)."""
    return isinstance(value, int | float) and value == int(value) and value in SCALE


def link_token(env, rating):
    """The token of ``rating``'s links in the email the client receives:
    the rating's id, signed with the database secret. The stored
    ``access_token`` alone opens nothing."""
    # sudo: the signature key is a system parameter
    digest = hmac(
        env(su=True),
        "client_value-rating",
        f"{rating.id}:{rating.sudo().access_token}",
    )
    return f"cv{rating.id}-{digest}"


def rating_from_token(env, token, model):
    """The rating of a record of ``model`` the signed ``token`` stands for,
    as superuser, or an empty recordset."""
    Rating = env["rating.rating"]
    match = TOKEN_RE.match(token or "")
    if not match:
        return Rating
    # sudo: the public rating page has no user: the signed token is the credential
    rating = Rating.sudo().browse(int(match.group(1))).exists()
    if not rating or rating.res_model != model:
        return Rating
    return rating if consteq(link_token(env, rating), token) else Rating


def sign_links(env, body, model, res_id, partner, rated_model):
    """Replace the rating placeholders of ``body`` (an email about the
    record ``model``/``res_id`` going to ``partner``) by signed link tokens,
    for the client the request is for; any other placeholder becomes an
    invalid link. Emails about records of other models than ``rated_model``
    are left as they are."""
    if model != rated_model or not body or "client-value-rating-" not in body:
        return body

    def sign(match):
        # sudo: the outgoing email is being prepared by the mail queue
        rating = env["rating.rating"].sudo().browse(int(match.group(1))).exists()
        if (
            rating
            and rating.res_model == rated_model
            and rating.res_id == res_id
            and partner
            and rating.partner_id == partner
        ):
            return link_token(env, rating)
        return "invalid"

    return PLACEHOLDER_RE.sub(sign, body)
