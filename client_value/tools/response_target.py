"""The response target, defined once: when a request becomes late.

The target is a number of working days (*Response target* setting), counted
on the working-time calendar of the company of the document the request
waits on: days of that calendar's ``hours_per_day`` working hours, its public
holidays excluded. A request made on Friday evening with a target of 2
working days is not late on Monday morning; it is on Wednesday.
"""

from bisect import bisect_left, bisect_right
from datetime import timedelta

from pytz import utc

from . import settings
from .touch_rule import SOURCE_BY_MODEL


def answer_due(env, company, requested_on):
    """When a request made at ``requested_on`` on a document of ``company``
    becomes late: the response target, in working days, counted on the
    company's working-time calendar (days of ``hours_per_day`` working
    hours). A request made on Friday evening with a target of 2 working days
    is not late on Monday morning; it is on Wednesday."""
    return answer_dues(env, [(company, requested_on)])[0]


def answer_dues(env, requests):
    """:func:`answer_due` of many requests at once: ``requests`` is a list of
    (company, requested_on); returns their due moments, in order.

    The working intervals of each calendar are read once for the whole span
    of the requests, not once per request: the history of a database (at
    install, when the target changes) holds tens of thousands of waiting
    requests. Without a calendar, the target counts calendar days."""
    days = settings.get(env, "response_target_days")
    if not days:
        return [requested_on for _company, requested_on in requests]
    by_calendar = {}
    for index, (company, _requested_on) in enumerate(requests):
        calendar = (company or env.company).resource_calendar_id
        by_calendar.setdefault(calendar, []).append(index)
    dues = [None] * len(requests)
    for calendar, indexes in by_calendar.items():
        asked = [requests[index][1] for index in indexes]
        planned = _plan_working_days(calendar, days, asked) if calendar else asked
        for index, requested_on, due in zip(indexes, asked, planned, strict=True):
            dues[index] = (
                due if calendar and due else requested_on + timedelta(days=days)
            )
    return dues


def _plan_working_days(calendar, days, asked):
    """The moments ``days`` working days of ``calendar`` after each of the
    (naive, UTC) moments ``asked``, as ``calendar.plan_hours`` gives them,
    from one reading of the calendar's working intervals."""
    work = timedelta(hours=days * (calendar.hours_per_day or 8.0))
    # Room for the target after the last request, holidays included.
    start = min(asked).replace(tzinfo=utc)
    end = max(asked).replace(tzinfo=utc) + timedelta(days=days * 7 + 60)
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
    for requested_on in asked:
        moment = requested_on.replace(tzinfo=utc)
        # Working time up to the request, then the target on top of it.
        i = bisect_right(starts, moment) - 1
        done = (
            before[i] + min(moment, intervals[i][1]) - starts[i]
            if i >= 0
            else timedelta()
        )
        target = done + work
        # The first interval at whose end the target is reached.
        j = bisect_left(before, target, lo=1) - 1
        if j < len(intervals):
            due = starts[j] + (target - before[j])
            planned.append(due.astimezone(utc).replace(tzinfo=None))
        else:
            # Beyond the intervals read (a long closure): one by one.
            planned.append(
                calendar.plan_hours(
                    work.total_seconds() / 3600, requested_on, compute_leaves=True
                )
            )
    return planned


def document_companies(env, documents):
    """{(model, res_id): company} of ``documents`` ((model, res_id) pairs of
    sources), read with one query per model."""
    by_model = {}
    for model, res_id in documents:
        by_model.setdefault(model, set()).add(res_id)
    companies = {}
    for model, ids in by_model.items():
        source = SOURCE_BY_MODEL[model]
        # sudo: the company decides the calendar, whoever logs the request
        for record in env[model].sudo().browse(ids):
            companies[(model, record.id)] = record[source.company]
    return companies
