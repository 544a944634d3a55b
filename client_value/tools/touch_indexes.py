"""The partial indexes the client-touch rule reads, built from the same
pieces as its queries (``tools/touch_rule.py``): a query and the index it
relies on read the same text."""

import hashlib

from .touch_rule import (
    ACTIVITY_TOUCH,
    CONTACT_MOMENTS,
    EMAIL_MOMENT,
    MESSAGE_AUTOMATIC,
    MESSAGE_TOUCH,
    SIGNALS,
    WAITING_ACTIVITIES,
    WAITING_EMAILS,
)


def _index(table, name, columns, where):
    piece = where.format(t=table)
    digest = hashlib.sha1(f"{columns}{piece}".encode()).hexdigest()[:6]
    return (f"{table}_cv_{name}_{digest}", table, columns, piece)


def indexes():
    """(name, table, columns, predicate) of every partial index the rule
    reads. The name carries a digest of the definition, so a changed rule
    gets a new index and the old one is dropped."""
    result = [
        # The care summary and the timeline: the touches of one record.
        _index("mail_activity", "touch", ["res_id"], ACTIVITY_TOUCH),
        _index("mail_message", "touch", ["res_id"], MESSAGE_TOUCH),
        # The timeline's automatic emails of one record.
        _index("mail_message", "automatic", ["res_id"], MESSAGE_AUTOMATIC),
    ]
    for waiting in (WAITING_ACTIVITIES, WAITING_EMAILS):
        result.append(
            _index(
                waiting.table,
                "waiting",
                [waiting.model_column, "res_id"],
                waiting.where,
            )
        )
    # The requests whose signal is still to give, by its moment.
    for waiting in (WAITING_ACTIVITIES, WAITING_EMAILS):
        for signal in SIGNALS:
            result.append(
                _index(
                    waiting.table,
                    signal.name,
                    [signal.moment],
                    f"{waiting.where} AND {signal.pending()}",
                )
            )
    for moment in (*CONTACT_MOMENTS, EMAIL_MOMENT):
        result.append(
            _index(
                moment.table,
                moment.name,
                [moment.column, moment.model_column, "res_id"],
                f"{moment.where} AND {{t}}.{moment.column} IS NOT NULL",
            )
        )
    return result


INDEX_PREFIXES = ("mail_activity_cv_", "mail_message_cv_")
