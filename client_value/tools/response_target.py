"""Service levels, defined once: when a request is due soon, late, escalated.

A request has a **priority** (normal, high, urgent: :data:`PRIORITIES`). Its
**target** is the row of *Response Targets* (``client_value.response.target``)
for that priority, the key-account row when the request's account is a key
account and such a row exists: a number of working hours or working days.
The target is counted on the working-time calendar of the company of the
document the request waits on (a working day being that calendar's
``hours_per_day`` working hours, its public holidays excluded):

- **due** (``answer_due``): the target has passed, the request is *late*
  (breached). A request made on Friday evening with a target of 2 working
  days is not late on Monday morning; it is on Wednesday.
- **due soon** (``client_value_warn_at``): a share of the target has passed
  (*Due soon at*, 75 % by default); the person responsible is told once.
- **escalated** (``client_value_escalate_at``): still waiting a while after
  the due moment (*Escalate after*, 1 working day by default); the team
  leader is told once.

Without a calendar, working hours are hours and working days are days.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from pytz import utc

from odoo.tools import SQL

from . import settings
from .touch_rule import SOURCE_BY_MODEL

# The priority of a request, as Odoo's priority widget shows it (stars).
PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]
NORMAL = "0"
UNITS = [("hours", "Working hours"), ("days", "Working days")]
# The targets a database starts with: {priority: (duration, unit)}.
DEFAULT_TARGETS = {"2": (4.0, "hours"), "1": (1.0, "days"), "0": (2.0, "days")}

# An account that is a key account (``acc`` its res_partner row): marked so
# on the account, or carrying the partner tag chosen in the settings.
KEY_ACCOUNT = """(acc.client_value_key_account IS TRUE OR EXISTS (
    SELECT 1 FROM res_partner_res_partner_category_rel kr
     WHERE kr.partner_id = acc.id AND kr.category_id = %(key_tag)s))"""


@dataclass(frozen=True)
class Target:
    duration: float
    unit: str

    def hours(self, calendar):
        """Working hours of ``calendar`` (or hours, without one)."""
        if self.unit == "hours":
            return self.duration
        return self.duration * ((calendar and calendar.hours_per_day) or 24.0)


@dataclass(frozen=True)
class Plan:
    """When a request is due soon, due, and escalated (naive UTC; the first
    and last are None when that signal is switched off)."""

    warn_at: datetime | None
    due: datetime
    escalate_at: datetime | None


@dataclass(frozen=True)
class Request:
    """What planning a request needs."""

    company: object  # res.company record, or None
    requested_on: datetime
    priority: str = NORMAL
    key_account: bool = False


def targets(env):
    """{(priority, key_account): Target} of the *Response Targets* (the
    defaults before the module's models are loaded: the history read before
    install)."""
    if "client_value.response.target" not in env.registry:
        return {
            (priority, False): Target(duration, unit)
            for priority, (duration, unit) in DEFAULT_TARGETS.items()
        }
    found = {
        (priority, key_account): Target(duration, unit)
        for priority, key_account, duration, unit in env[
            "client_value.response.target"
        ]._targets_table()
    }
    for priority, (duration, unit) in DEFAULT_TARGETS.items():
        found.setdefault((priority, False), Target(duration, unit))
    return found


def target_of(table, priority, key_account):
    """The target of a request: the key-account row when the account is a
    key account and there is one, else the priority's row."""
    priority = priority or NORMAL
    if key_account and (priority, True) in table:
        return table[(priority, True)]
    return table[(priority, False)]


def key_account_sql():
    """SQL: whether the account ``acc`` is a key account."""
    return KEY_ACCOUNT


def plan(env, request):
    """:class:`Plan` of one :class:`Request`."""
    return plan_many(env, [request])[0]


def plan_many(env, requests):
    """:class:`Plan` of many :class:`Request` at once, in order.

    The working intervals of each calendar are read once for the whole span
    of the requests, not once per request: the history of a database (at
    install, when a target changes) holds tens of thousands of waiting
    requests."""
    if not requests:
        return []
    table = targets(env)
    share = settings.get(env, "due_soon_percent") / 100.0
    escalate_days = settings.get(env, "escalation_days")
    by_calendar = {}
    for index, request in enumerate(requests):
        calendar = (request.company or env.company).resource_calendar_id
        by_calendar.setdefault(calendar, []).append(index)
    plans = [None] * len(requests)
    for calendar, indexes in by_calendar.items():
        items = []
        for index in indexes:
            request = requests[index]
            hours = target_of(table, request.priority, request.key_account).hours(
                calendar
            )
            escalation = escalate_days * ((calendar and calendar.hours_per_day) or 24.0)
            items.append((request.requested_on, hours * share))
            items.append((request.requested_on, hours))
            items.append((request.requested_on, hours + escalation))
        moments = _plan_working(calendar, items)
        for position, index in enumerate(indexes):
            warn_at, due, escalate_at = moments[3 * position : 3 * position + 3]
            plans[index] = Plan(
                warn_at=warn_at if share else None,
                due=due,
                escalate_at=escalate_at if escalate_days else None,
            )
    return plans


def _plan_working(calendar, items):
    """The moments ``hours`` working hours of ``calendar`` after each of the
    (naive, UTC) moments ``asked``, for ``items`` ((asked, hours) pairs), as
    ``calendar.plan_hours`` gives them, from one reading of the calendar's
    working intervals. Without a calendar: hours."""
    if not calendar:
        return [asked + timedelta(hours=hours) for asked, hours in items]
    longest = max(hours for _asked, hours in items)
    days = longest / (calendar.hours_per_day or 8.0)
    # Room for the targets after the last request, holidays included.
    start = min(asked for asked, _hours in items).replace(tzinfo=utc)
    end = max(asked for asked, _hours in items).replace(tzinfo=utc) + timedelta(
        days=days * 7 + 60
    )
    intervals = [
        (begin, stop)
        for begin, stop, _meta in calendar._work_intervals_batch(
            start, end, compute_leaves=True
        )[False]
    ]
    starts = [begin for begin, _stop in intervals]
    # Working time before each interval, from the first one.
    before = [timedelta()]
    for begin, stop in intervals:
        before.append(before[-1] + (stop - begin))
    planned = []
    for asked, hours in items:
        if not hours:
            planned.append(asked)
            continue
        moment = asked.replace(tzinfo=utc)
        # Working time up to the request, then the target on top of it.
        i = bisect_right(starts, moment) - 1
        done = (
            before[i] + min(moment, intervals[i][1]) - starts[i]
            if i >= 0
            else timedelta()
        )
        target = done + timedelta(hours=hours)
        # The first interval at whose end the target is reached.
        j = bisect_left(before, target, lo=1) - 1
        if j < len(intervals):
            due = starts[j] + (target - before[j])
            planned.append(due.astimezone(utc).replace(tzinfo=None))
        else:
            # Beyond the intervals read (a long closure): one by one.
            planned.append(calendar.plan_hours(hours, asked, compute_leaves=True))
    return planned


def document_facts(env, documents):
    """{(model, res_id): (company, priority, key_account)} of ``documents``
    ((model, res_id) pairs of sources): the company whose calendar counts,
    the priority the document gives the client's emails on it, and whether
    its account is a key account. One query per model, and one for the
    accounts."""
    by_model = {}
    for model, res_id in documents:
        by_model.setdefault(model, set()).add(res_id)
    facts = {}
    accounts = {}
    for model, ids in by_model.items():
        source = SOURCE_BY_MODEL[model]
        # sudo: the company and priority decide the plan, whoever logs the
        # request; nothing read here is shown
        for record in env[model].sudo().browse(ids):
            customer = record[source.customer] if source.customer else record
            facts[(model, record.id)] = (
                record[source.company],
                source.priority_of(record),
                customer.commercial_partner_id.id,
            )
            accounts[(model, record.id)] = customer.commercial_partner_id.id
    keys = key_accounts(env, set(accounts.values()))
    return {
        document: (company, priority, account_id in keys)
        for document, (company, priority, account_id) in facts.items()
    }


def key_accounts(env, account_ids):
    """The ids among ``account_ids`` that are key accounts."""
    account_ids = [aid for aid in account_ids if aid]
    if not account_ids:
        return set()
    # Before install (the history read), the module's fields are not loaded.
    env["res.partner"].flush_model(
        [
            fname
            for fname in ("client_value_key_account", "category_id")
            if fname in env["res.partner"]._fields
        ]
    )
    rows = env.execute_query(
        SQL(
            "SELECT acc.id FROM res_partner acc WHERE acc.id = ANY(%s) AND %s",
            account_ids,
            SQL(key_account_sql(), key_tag=settings.get(env, "key_account_tag_id")),
        )
    )
    return {row[0] for row in rows}
