"""The client-touch rule, defined once.

Every reader builds on the names below: the touch view (the timeline, the
care summary, the reports), the neglect watch, the partial indexes, the
classification of messages and the answer to requests.

Vocabulary, one name per concept:

- **account**: the commercial partner of a document's customer; a company
  and all its contacts are one account.
- **source**: a model whose records carry the account's touches, through
  their customer (:data:`SOURCES`).
- **touch**: a contact between the account and us on one of its documents:
  a done activity of a touch type, a request, a message sent to the client.
- **request**: something the client asked: a service request activity (open
  or done), or an email from the client.
- **waiting**: a request nobody answered yet.
- **answer**: the first message sent to the client on the same document
  after the request, or the request marked done. Its moment is the
  server's time when it happened (:func:`answer_sql`).
- **moment** of a touch: when it was done, sent, or, for a request, when the
  client asked (never later than when the server received it).
- **late**: a waiting request whose response target has passed: the target
  of its priority (and of key accounts, where set), counted on the
  working-time calendar of the company of the document it waits on; **due
  soon** a share of it before, **escalated** a while after
  (``tools/response_target.py``, :data:`SIGNALS`).
- **from the client**: a row of the touch view the client made: a request,
  or any email from the client (:data:`FROM_CLIENT`). The care card counts
  them apart from **our touches**: what we did, and the answers we gave to
  the client's requests, at the moment of the answer (:data:`OUR_MOMENT`).
- **recent touch**: a touch that is not waiting, whose moment (or, for a
  request, whose answer) falls in the look-back window (``CONTACT_MOMENTS``).

SQL pieces are format strings over a table alias ``{t}``; :func:`sql`
renders one for an alias, and the partial indexes render them for their
table, so a query and the index it relies on read the same text.
"""

from dataclasses import dataclass

from odoo.tools import SQL

from . import settings

TOUCH_KINDS = [
    ("sales", "Sales"),
    ("service", "Service request"),
    ("admin", "Administrative"),
]

# Message types that can be a touch: discussions and emails, never
# notifications (tracking, activity done, system notes).
MESSAGE_TYPES = ("email", "comment", "email_outgoing")

# Why a waiting request was closed without a reply. Answered by phone or in
# person is an answer (its moment counts, and its response time); the
# others close the request without one.
NO_REPLY_REASONS = [
    ("thanks", "Thanks"),
    ("information", "Information only"),
    ("duplicate", "Duplicate"),
    ("offline", "Answered by phone or in person"),
    ("other", "Other"),
]
# A request's answer that was a contact with the client: a real answer, or
# one given by phone or in person; not a request closed without a reply.
ANSWER_CONTACTS = (
    "({t}.client_value_no_reply_reason IS NULL "
    "OR {t}.client_value_no_reply_reason = 'offline')"
)


@dataclass(frozen=True)
class Source:
    """A model whose records carry touches of their customer's account."""

    model: str
    table: str
    # Column of the customer; None when the record is the contact itself.
    customer: str | None
    # Kind of a message sent to the client, and of an email from the client.
    sent_kind: str = "sales"
    request_kind: str = "service"
    # Column of the record's company.
    company: str = "company_id"
    # Which records of the model are documents of the customer (SQL on the
    # record row ``{t}``), e.g. customer invoices among all journal entries.
    condition: str = ""
    # An administrator can leave the documents of this source out
    # (CRM settings); contacts and opportunities always count.
    optional: bool = True
    # The document's priority field, and which of its values make the
    # client's emails on it high ("1") or urgent ("2"); any other value,
    # or no such field, is normal.
    priority_field: str | None = None
    priorities: tuple = ()
    # Who is responsible for the document (its salesperson or user); a
    # contact's is its salesperson, else its account's.
    user_field: str = "user_id"

    def responsible_of(self, record):
        """The internal user responsible for ``record``, or an empty
        recordset."""
        users = record[self.user_field] if self.user_field in record._fields else None
        if self.customer is None and not users:
            users = record.commercial_partner_id.user_id
        return (users or record.env["res.users"]).filtered(
            lambda user: user.active and not user.share
        )[:1]

    def priority_of(self, record):
        """The priority the client's emails on ``record`` take."""
        if not self.priority_field or self.priority_field not in record._fields:
            return "0"
        return dict(self.priorities).get(record[self.priority_field], "0")

    def contact_sql(self, alias):
        """The customer contact's id on the record row ``alias``."""
        return f"{alias}.{self.customer or 'id'}"

    def record_alias(self):
        """Alias of the record row in :func:`record_join`: the contact row
        ``p`` when the record is the contact, else ``d``."""
        return "d" if self.customer else "p"

    def condition_sql(self, alias):
        return SQL(f"AND {self.condition.format(t=alias)}" if self.condition else "")


# Declared once: each source's model, customer column, kinds and condition.
SOURCES = (
    Source("res.partner", "res_partner", None, optional=False),
    Source("crm.lead", "crm_lead", "partner_id", optional=False),
    Source("sale.order", "sale_order", "partner_id", "sales", "sales"),
    Source(
        "account.move",
        "account_move",
        "partner_id",
        "admin",
        "admin",
        condition="{t}.move_type IN ('out_invoice', 'out_refund')",
        user_field="invoice_user_id",
    ),
    Source(
        "project.task",
        "project_task",
        "partner_id",
        "service",
        "service",
        # Odoo's starred task is high.
        priority_field="priority",
        priorities=(("1", "1"),),
        user_field="user_ids",
    ),
    Source(
        "helpdesk.ticket",
        "helpdesk_ticket",
        "partner_id",
        "service",
        "service",
        # OCA helpdesk: high is high, very high urgent.
        priority_field="priority",
        priorities=(("2", "1"), ("3", "2")),
    ),
)
SOURCE_BY_MODEL = {source.model: source for source in SOURCES}


def active_sources(env):
    """The sources whose app is installed and that the settings keep."""
    disabled = settings.get(env, "disabled_sources")
    return tuple(
        source
        for source in SOURCES
        if source.model in env.registry
        and not (source.optional and source.model in disabled)
    )


def touch_models(env):
    """Names of the models whose messages and activities can be touches.

    Decided from the model name alone (settings are cached): messages and
    activities of any other model cost nothing."""
    return tuple(source.model for source in active_sources(env))


def flush_accounts(env, sources):
    """Write the pending changes the account of a record depends on (the
    customer of each document, contacts' companies) before SQL reads them."""
    env["res.partner"].flush_model(["parent_id", "commercial_partner_id", "company_id"])
    for source in sources:
        if source.customer:
            fnames = [source.customer, source.company]
            fnames += [
                name for name in ("move_type",) if name in env[source.model]._fields
            ]
            env[source.model].flush_model(fnames)


def flush_sources(env):
    """Write the pending changes of the tables the touches are read from."""
    for model in ("mail.activity", "mail.message", *touch_models(env)):
        env[model].flush_model()


def sql(piece, alias):
    """Render a piece of this module for the table alias ``alias``."""
    return SQL(piece.format(t=alias))


# ---------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------
# A done activity of a touch type (service requests aside).
ACTIVITY_DONE = (
    "{t}.touch_kind IS NOT NULL AND {t}.is_service_request IS NOT TRUE "
    "AND {t}.active IS NOT TRUE"
)
# A service request, open or done.
ACTIVITY_REQUEST = "{t}.is_service_request IS TRUE"
ACTIVITY_WAITING = "{t}.is_service_request IS TRUE AND {t}.date_answered IS NULL"
ACTIVITY_TOUCH = f"(({ACTIVITY_DONE}) OR ({ACTIVITY_REQUEST}))"
ACTIVITY_REQUESTED_ON = "COALESCE({t}.date_requested, {t}.create_date)"
# When the request becomes late (missing: as soon as it is made).
ACTIVITY_DUE = "COALESCE({t}.answer_due, " + ACTIVITY_REQUESTED_ON + ")"
ACTIVITY_MOMENT = (
    "CASE WHEN {t}.is_service_request IS TRUE THEN " + ACTIVITY_REQUESTED_ON + " "
    "ELSE {t}.done_datetime END"
)

# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
MESSAGE_SENT = "{t}.client_touch = 'outgoing'"
MESSAGE_REQUEST = "{t}.client_touch = 'incoming'"
MESSAGE_WAITING = "{t}.client_touch = 'incoming' AND {t}.date_answered IS NULL"
# An email a machine sent (tools/machine_mail.py): no request, no touch.
MESSAGE_AUTOMATIC = "{t}.client_value_automatic IS NOT NULL"
# A reply that answered a request is part of that request's touch.
MESSAGE_TOUCH = "{t}.client_touch IS NOT NULL AND {t}.answers_request IS NOT TRUE"
MESSAGE_MOMENT = "{t}.client_touch_date"
MESSAGE_DUE = "COALESCE({t}.answer_due, {t}.client_touch_date)"


# ---------------------------------------------------------------------------
# Rows of the touch view (``client_value.touch``)
# ---------------------------------------------------------------------------
# What the client made: a request, or any email from the client.
FROM_CLIENT = "({t}.is_request IS TRUE OR {t}.source = 'email_in')"
# When a row was a touch of ours: its moment; for the client's rows, the
# moment we answered (a contact, not a request closed without a reply).
OUR_MOMENT = (
    "CASE WHEN NOT " + FROM_CLIENT + " THEN {t}.date "
    "WHEN {t}.state = 'answered' THEN {t}.date_answered END"
)


@dataclass(frozen=True)
class Signal:
    """A service-level signal of a waiting request (``tools/response_target.py``):
    given once, when the request's ``moment`` column has come; ``given``
    says it was."""

    name: str
    moment: str
    given: str

    def pending(self):
        """SQL piece: the signal is planned and not given yet."""
        return f"{{t}}.{self.given} IS NOT TRUE AND {{t}}.{self.moment} IS NOT NULL"


# Due soon: the person responsible is told. Escalated: the team leader is.
SIGNALS = (
    Signal("warn", "client_value_warn_at", "client_value_warned"),
    Signal("escalate", "client_value_escalate_at", "client_value_escalated"),
)


@dataclass(frozen=True)
class Moment:
    """Rows of a table that are a contact with the account at ``column``."""

    name: str
    table: str
    model_column: str
    where: str
    column: str


# The moments at which we were in contact with the account: done activities,
# answers, messages sent. An email from the client is one too when incoming
# emails are not requests (then it never waits).
CONTACT_MOMENTS = (
    Moment("done", "mail_activity", "res_model", ACTIVITY_DONE, "done_datetime"),
    Moment(
        "answered",
        "mail_activity",
        "res_model",
        f"{ACTIVITY_REQUEST} AND {ANSWER_CONTACTS}",
        "date_answered",
    ),
    Moment("sent", "mail_message", "model", MESSAGE_SENT, "client_touch_date"),
    Moment(
        "replied",
        "mail_message",
        "model",
        f"{MESSAGE_REQUEST} AND {ANSWER_CONTACTS}",
        "date_answered",
    ),
)
EMAIL_MOMENT = Moment(
    "email", "mail_message", "model", MESSAGE_REQUEST, "client_touch_date"
)


@dataclass(frozen=True)
class Waiting:
    """Waiting requests of a table: the ref, the moment the client asked."""

    table: str
    model: str
    model_column: str
    where: str
    requested_on: str
    due: str


WAITING_ACTIVITIES = Waiting(
    "mail_activity",
    "mail.activity",
    "res_model",
    ACTIVITY_WAITING,
    ACTIVITY_REQUESTED_ON,
    ACTIVITY_DUE,
)
WAITING_EMAILS = Waiting(
    "mail_message",
    "mail.message",
    "model",
    MESSAGE_WAITING,
    MESSAGE_MOMENT,
    MESSAGE_DUE,
)


def emails_are_requests(env):
    """Which requests count: service requests always; emails from the
    client when the *Unanswered Emails Are Requests* setting is on (the
    default). Every figure reads it here: the touch view (built with it, so
    its ``is_request`` and ``state`` say it for every reader of the view:
    the contact's card, team cards, digest, dashboard, timeline) and the
    neglect watch."""
    return settings.get(env, "count_incoming_email")


def message_request(count_incoming_email):
    """SQL piece: a message that is a request, per the setting."""
    return MESSAGE_REQUEST if count_incoming_email else "FALSE"


def waiting_tables(env):
    """Where requests wait."""
    if emails_are_requests(env):
        return (WAITING_ACTIVITIES, WAITING_EMAILS)
    return (WAITING_ACTIVITIES,)


def contact_moments(env):
    """The contact moments: an email from the client is one when emails are
    not requests (then it never waits)."""
    if emails_are_requests(env):
        return CONTACT_MOMENTS
    return (*CONTACT_MOMENTS, EMAIL_MOMENT)


# ---------------------------------------------------------------------------
# Records and accounts
# ---------------------------------------------------------------------------
def record_join(source, alias, res_id):
    """Join the record of ``source`` whose id is ``res_id`` as ``d`` and its
    customer contact as ``p`` (``p.commercial_partner_id`` is the account)."""
    if source.customer is None:
        return SQL("JOIN res_partner p ON p.id = %s", SQL(res_id))
    return SQL(
        "JOIN %s d ON d.id = %s %s JOIN res_partner p ON p.id = %s",
        SQL.identifier(source.table),
        SQL(res_id),
        source.condition_sql("d"),
        SQL(source.contact_sql("d")),
    )


def account_records(sources, accounts, readable=None):
    """The records holding the touches of some accounts, one query: rows
    (account_id, model, res_id). ``accounts`` is an SQL condition on the
    account column, e.g. ``SQL("= ANY(%s)", ids)``; with ``readable``
    ({model: Query of the records a user may read}), only those records, of
    the models in it. Each source's condition applies (customer invoices,
    not vendor bills). The one place that lists an account's records."""
    branches = []
    for source in sources:
        if readable is not None and source.model not in readable:
            continue
        alias = source.record_alias()
        if source.customer is None:
            from_ = SQL("res_partner p")
        else:
            from_ = SQL(
                "%s d JOIN res_partner p ON p.id = %s",
                SQL.identifier(source.table),
                SQL(source.contact_sql("d")),
            )
        restrict = SQL()
        if readable is not None:
            restrict = SQL(
                "AND %s IN %s", SQL(f"{alias}.id"), readable[source.model].subselect()
            )
        branches.append(
            SQL(
                "SELECT p.commercial_partner_id AS account_id, %s::varchar AS model, "
                "%s AS res_id FROM %s WHERE p.commercial_partner_id %s %s %s",
                source.model,
                SQL(f"{alias}.id"),
                from_,
                accounts,
                source.condition_sql(alias),
                restrict,
            )
        )
    if not branches:
        return SQL("SELECT NULL::integer, NULL::varchar, NULL::integer WHERE FALSE")
    return SQL(" UNION ALL ").join(branches)


def account_of(sources, model_column, res_id):
    """SQL expression: the account of the record (``model_column``,
    ``res_id``), NULL for a record of none of ``sources``."""
    cases = []
    for source in sources:
        if source.customer is None:
            lookup = SQL(
                "SELECT p.commercial_partner_id FROM res_partner p WHERE p.id = %s",
                SQL(res_id),
            )
        else:
            lookup = SQL(
                "SELECT p.commercial_partner_id FROM %s d "
                "JOIN res_partner p ON p.id = %s WHERE d.id = %s %s",
                SQL.identifier(source.table),
                SQL(source.contact_sql("d")),
                SQL(res_id),
                source.condition_sql("d"),
            )
        cases.append(SQL("WHEN %s THEN (%s)", source.model, lookup))
    return SQL("(CASE %s %s END)", SQL(model_column), SQL(" ").join(cases))


# ---------------------------------------------------------------------------
# Classifying messages and answering requests
# ---------------------------------------------------------------------------
INTERNAL_AUTHOR = """EXISTS (SELECT 1 FROM res_users u
                        WHERE u.partner_id = {t}.author_id AND u.active
                          AND u.share IS NOT TRUE)"""
PUBLIC_MESSAGE = """{t}.is_internal IS NOT TRUE
    AND EXISTS (SELECT 1 FROM mail_message_subtype st
                 WHERE st.id = {t}.subtype_id AND st.internal IS NOT TRUE)"""


def classify_sql(sources, where, received):
    """Classify messages as touches, in one UPDATE.

    ``outgoing``: a public message or email written by an internal user,
    not sent automatically, at ``received`` (the server's time).
    ``incoming``: an email whose author belongs to the record's account and
    that no machine sent (``tools/machine_mail.py``), at its date but never
    later than ``received``. ``where`` selects the messages (alias ``m``). Returns the
    classified rows: id, model, res_id, client_touch, client_touch_date,
    author_id.
    """
    return SQL(
        """
        UPDATE mail_message m
           SET client_touch = c.touch,
               client_touch_date = CASE c.touch
                   WHEN 'outgoing' THEN %(received)s
                   ELSE LEAST(m.date, %(received)s) END
          FROM (
                SELECT m.id,
                       CASE WHEN %(internal)s THEN
                                 CASE WHEN %(public)s
                                       AND m.client_value_automated IS NOT TRUE
                                       AND m.client_value_automatic IS NULL
                                      THEN 'outgoing' END
                            WHEN m.message_type = 'email'
                             AND m.client_value_automatic IS NULL
                             AND author.commercial_partner_id = %(account)s
                            THEN 'incoming' END AS touch
                  FROM mail_message m
                  JOIN res_partner author ON author.id = m.author_id
                 WHERE %(where)s
                   AND m.model IN %(models)s AND m.res_id > 0
                   AND m.message_type IN %(types)s
               ) c
         WHERE m.id = c.id AND c.touch IS NOT NULL
     RETURNING m.id, m.model, m.res_id, m.client_touch, m.client_touch_date,
               m.author_id
        """,
        received=received,
        internal=sql(INTERNAL_AUTHOR, "m"),
        public=sql(PUBLIC_MESSAGE, "m"),
        account=account_of(sources, "m.model", "m.res_id"),
        where=where,
        models=tuple(source.model for source in sources),
        types=MESSAGE_TYPES,
    )


def answer_sql(events):
    """Answer the waiting requests that ``events`` answer, in one statement.

    ``events`` is a query of (model, res_id, moment, message_id,
    activity_id, author_id): a message sent to the client answers every request
    waiting on the same record since before its moment; a request marked
    done (``activity_id``) answers itself. Each request is answered by its
    first answer; the answering messages are marked ``answers_request``.
    Whatever way answers arrive (a reply, a done request, the history at
    install), this is the one place they are applied. Returns the answered
    requests: model, id, moment.
    """
    return SQL(
        """
        WITH events AS MATERIALIZED (%(events)s),
        waiting AS (
            SELECT 'mail.activity' AS req_model, a.id AS req_id,
                   a.res_model AS model, a.res_id, %(activity_asked)s AS asked
              FROM mail_activity a
             WHERE %(activity_waiting)s
               AND (a.res_model, a.res_id) IN (SELECT model, res_id FROM events)
            UNION ALL
            SELECT 'mail.message', m.id, m.model, m.res_id, %(message_asked)s
              FROM mail_message m
             WHERE %(message_waiting)s
               AND (m.model, m.res_id) IN (SELECT model, res_id FROM events)
        ),
        answers AS (
            SELECT DISTINCT ON (w.req_model, w.req_id)
                   w.req_model, w.req_id, w.asked, ev.moment, ev.message_id,
                   ev.author_id
              FROM waiting w
              JOIN events ev ON ev.model = w.model AND ev.res_id = w.res_id
             WHERE ev.moment >= w.asked
               AND (ev.activity_id IS NULL
                    OR (w.req_model = 'mail.activity' AND ev.activity_id = w.req_id))
          ORDER BY w.req_model, w.req_id, ev.moment, ev.message_id NULLS LAST
        ),
        activities AS (
            UPDATE mail_activity a
               SET date_answered = an.moment,
                   answered_by_id = an.author_id,
                   response_hours = GREATEST(
                       EXTRACT(EPOCH FROM an.moment - an.asked), 0) / 3600.0
              FROM answers an
             WHERE an.req_model = 'mail.activity' AND a.id = an.req_id
         RETURNING a.id
        ),
        emails AS (
            UPDATE mail_message m
               SET date_answered = an.moment, answered_by_id = an.author_id
              FROM answers an
             WHERE an.req_model = 'mail.message' AND m.id = an.req_id
         RETURNING m.id
        ),
        replies AS (
            UPDATE mail_message m SET answers_request = TRUE
             WHERE m.id IN (SELECT message_id FROM answers)
               AND m.answers_request IS NOT TRUE
         RETURNING m.id
        )
        SELECT req_model, req_id, moment FROM answers
        """,
        events=events,
        activity_asked=sql(ACTIVITY_REQUESTED_ON, "a"),
        activity_waiting=sql(ACTIVITY_WAITING, "a"),
        message_asked=sql(MESSAGE_MOMENT, "m"),
        message_waiting=sql(MESSAGE_WAITING, "m"),
    )
