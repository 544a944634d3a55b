"""The module's settings: one typed declaration each, one reader.

Every setting is an ``ir.config_parameter`` named ``client_value.<name>``,
set from CRM › Configuration › Settings. :func:`get` is the only reader; a
value that is out of range or unreadable (typed by hand in System
Parameters, or stored before validation existed) never breaks a page: it is
logged once, naming the parameter, and the default is used. :func:`check`
refuses such a value where it is set.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from odoo.exceptions import ValidationError
from odoo.tools import str2bool
from odoo.tools.translate import LazyTranslate

from . import machine_mail

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

PREFIX = "client_value."


@dataclass(frozen=True)
class Setting:
    kind: type
    default: object
    minimum: float | None = None
    maximum: float | None = None
    # What the value means, for the error message.
    label: object = ""
    # The value's own reader, for values other than numbers, booleans and
    # lists: raw text -> value, ValueError when it is not one.
    parser: Callable | None = None
    # What it accepts, in words, for a value read by ``parser``.
    accepts: object = ""

    def parse(self, raw):
        """The typed value of ``raw``; ValueError when it is not one."""
        if self.parser is not None:
            return self.parser(raw)
        if self.kind is frozenset:
            return frozenset(
                item.strip() for item in str(raw).split(",") if item.strip()
            )
        if self.kind is bool:
            if isinstance(raw, bool):
                return raw
            value = str2bool(str(raw).strip(), default=None)
            if value is None:
                raise ValueError(raw)
            return value
        value = self.kind(str(raw).strip())
        if value != value or value in (float("inf"), float("-inf")):  # NaN, inf
            raise ValueError(raw)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(raw)
        if self.maximum is not None and value > self.maximum:
            raise ValueError(raw)
        return value

    def accepted(self, env):
        """The accepted values, in words, e.g. "a whole number from 1 to 3,650"."""
        if self.parser is not None:
            return str(self.accepts)
        if self.kind is bool:
            return env._("True or False")
        if self.kind is frozenset:
            return env._("a list of model names separated by commas")
        low, high = self.minimum, self.maximum
        if self.kind is int:
            if high is not None:
                high_text = f"{high:,}"
                return env._(
                    "a whole number from %(low)s to %(high)s", low=low, high=high_text
                )
            return env._("a whole number of at least %(low)s", low=low)
        if high is not None:
            return env._("a number from %(low)s to %(high)s", low=low, high=high)
        return env._("a number of at least %(low)s", low=low)


# A missing parameter means the default. Odoo deletes a boolean parameter
# when its box is unticked, so a boolean that is on by default is stored as
# "True" or "False" by the settings form itself (res_config_settings.py).
SETTINGS = {
    "neglect_window_days": Setting(int, 30, 1, 3650, _lt("Look-back window (days)")),
    "impact_review_days": Setting(int, 30, 1, 3650, _lt("Impact Review delay (days)")),
    "neglect_batch_size": Setting(int, 500, 1, None, _lt("Neglect watch batch size")),
    "small_deal_threshold": Setting(float, 0.0, 0, None, _lt("Small deal threshold")),
    "require_impact_assessment": Setting(bool, False),
    "auto_rating_request": Setting(bool, False),
    "count_incoming_email": Setting(bool, True),
    "neglect_fallback_user_id": Setting(
        int, 0, 0, None, _lt("Follow-up fallback user")
    ),
    # Service levels (tools/response_target.py); the targets themselves are
    # the rows of Response Targets.
    "due_soon_percent": Setting(
        int, 75, 0, 99, _lt("Due soon at (percent of the target)")
    ),
    "escalation_days": Setting(
        float, 1.0, 0, 60, _lt("Escalate after (working days past due)")
    ),
    "key_account_tag_id": Setting(int, 0, 0, None, _lt("Key account tag")),
    # Documents whose touches do not count (model names); none by default.
    "disabled_sources": Setting(frozenset, frozenset(), label=_lt("Sources left out")),
    # Extra headers that mark an incoming email as automatic.
    "automatic_header_rules": Setting(
        tuple,
        (),
        label=_lt("Automatic email header rules"),
        parser=machine_mail.parse_header_rules,
        accepts=_lt("one rule per line, “Header-Name: pattern” (a regular expression)"),
    ),
}

# (database, key, raw value) already reported, so a bad value is logged once
# per process rather than on every read.
_REPORTED = set()


def get(env, name):
    """The value of setting ``name``, or its default when unset or invalid."""
    setting = SETTINGS[name]
    key = PREFIX + name
    # sudo: settings are system parameters, readable by administrators only
    raw = env["ir.config_parameter"].sudo().get_param(key)
    if raw in (None, False, ""):
        return setting.default
    try:
        return setting.parse(raw)
    except (TypeError, ValueError):
        marker = (env.cr.dbname, key, raw)
        if marker not in _REPORTED:
            _REPORTED.add(marker)
            _logger.warning(
                "System parameter %s = %r is not %s; using the default, %r.",
                key,
                raw,
                setting.accepted(env),
                setting.default,
            )
        return setting.default


def check(env, key, raw):
    """Refuse an invalid value for the parameter ``key`` before it is stored."""
    if not key or not key.startswith(PREFIX):
        return
    setting = SETTINGS.get(key[len(PREFIX) :])
    if setting is None or raw is None or raw is False or raw == "":
        return
    try:
        setting.parse(raw)
    except (TypeError, ValueError):
        raise ValidationError(
            env._(
                "%(label)s (%(key)s) must be %(accepted)s, not “%(value)s”.",
                label=str(setting.label) if setting.label else key,
                key=key,
                accepted=setting.accepted(env),
                value=raw,
            )
        ) from None
