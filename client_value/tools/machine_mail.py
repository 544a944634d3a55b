"""Mail no person wrote, defined once.

**Incoming**: an email the gateway receives is automatic when its headers
say a machine sent it (:data:`HEADER_RULES`, and the extra rules an
administrator adds in the settings): an auto-reply (RFC 3834's
``Auto-Submitted``, the older ``X-Autoreply`` / ``X-Autorespond`` and
``Precedence: auto_reply``), a mailing list or newsletter (``Precedence``
``bulk`` / ``junk`` / ``list``, ``List-Id``, ``List-Unsubscribe``), or a
delivery report (a bounce that reaches a record). It is kept in the chatter,
marked with why (``mail.message.client_value_automatic``), and is neither a
request nor a touch. The gateway decides it while it parses the message,
where the headers are (``mail.thread.message_parse``).

**Outgoing**: a message our side posts is automatic when no person wrote it
(:func:`sent_automatically`): while a scheduled action runs, by OdooBot, by
mass mailing or marketing automation. It answers no request and is no
touch.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar

AUTOMATIC_REASONS = [
    ("auto_reply", "Auto-reply"),
    ("mailing_list", "Mailing list or newsletter"),
    ("bounce", "Delivery report"),
    ("header_rule", "Header rule of the settings"),
]

# (header, pattern matched against its value, case-insensitive, reason).
HEADER_RULES = (
    ("Auto-Submitted", r"^(?!no\b)\S", "auto_reply"),
    ("X-Autoreply", r".", "auto_reply"),
    ("X-Autorespond", r".", "auto_reply"),
    ("Precedence", r"^auto[_-]reply$", "auto_reply"),
    ("Precedence", r"^(bulk|junk|list)$", "mailing_list"),
    ("List-Id", r".", "mailing_list"),
    ("List-Unsubscribe", r".", "mailing_list"),
)

HEADER_NAME = re.compile(r"^[!-9;-~]+$")  # RFC 5322 field name

# The reason the gateway decided for the email it is delivering, from the
# parse to the message's creation. A Python context variable: no RPC caller
# can set it.
_GATEWAY_REASON = ContextVar("client_value_gateway_reason", default=None)


def parse_header_rules(text):
    """The extra rules of the settings: one ``Header-Name: pattern`` per
    line (a regular expression matched against the header's value,
    case-insensitive). ValueError on a line that is not one."""
    rules = []
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, pattern = line.partition(":")
        name, pattern = name.strip(), pattern.strip()
        if not sep or not HEADER_NAME.match(name) or not pattern:
            raise ValueError(line)
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            raise ValueError(line) from error
        rules.append((name, pattern))
    return tuple(rules)


def reason(message, extra_rules=()):
    """Why the raw email ``message`` (an email.message.Message) is
    automatic, or None when a person wrote it."""
    for header, pattern, why in HEADER_RULES:
        for value in message.get_all(header) or ():
            if re.search(pattern, str(value).strip(), re.IGNORECASE):
                return why
    content_type = (message.get_content_type() or "").lower()
    if content_type == "multipart/report" or (
        message.get_param("report-type", header="content-type") == "delivery-status"
    ):
        return "bounce"
    for header, pattern in extra_rules:
        for value in message.get_all(header) or ():
            if re.search(pattern, str(value), re.IGNORECASE):
                return "header_rule"
    return None


@contextmanager
def gateway_reason(why):
    """While the gateway delivers an email: automatic for ``why``, or
    written by a person (``why`` None)."""
    token = _GATEWAY_REASON.set(why or "")
    try:
        yield
    finally:
        _GATEWAY_REASON.reset(token)


def gateway_reason_now():
    """None outside the gateway; inside, the reason ("" for a person)."""
    return _GATEWAY_REASON.get()


def sent_automatically(env, vals, root_partner_id):
    """Whether a new message of our side (``vals``) was posted by no person:
    while a scheduled action runs, by OdooBot, by mass mailing or marketing
    automation (emails sent to a list, not posted in a discussion). An email
    the gateway delivers was written by a person unless its headers say
    otherwise, even while the mail-fetching scheduled action runs."""
    if gateway_reason_now() is not None and vals.get("message_type") == "email":
        return bool(gateway_reason_now())
    context = env.context
    return bool(
        context.get("ir_cron_progress_id")
        or context.get("cron_id")
        or context.get("mass_mailing_id")
        or context.get("default_mass_mailing_id")
        or vals.get("message_type") == "email_outgoing"
        or (root_partner_id and vals.get("author_id") == root_partner_id)
    )
