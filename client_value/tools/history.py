"""Reading the history of touch documents as the module would have, had it
been there: before install, and when a source is added in the settings."""

from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from . import query_plan, response_target, settings, touch_rule

# A request this much older than the response target is late on any
# working-time calendar: its due moment is not worth planning precisely.
PLANNED_DAYS = 21


# The records of the accounts read in one batch (``read_history`` with
# ``accounts``): a temporary table, dropped at the batch's commit.
RECORDS_TABLE = "client_value_history_records"


def _batch_records(env, models, accounts):
    """Fill the batch's records table with the records of ``models`` held by
    ``accounts`` (ids, or an SQL query of ids); returns the SQL that reads
    it: (model, res_id). The batch's queries read its records through their
    indexes, as those of a few accounts do (``query_plan.FEW_ROWS``, for the
    rest of the batch's transaction): with PostgreSQL's default prices they
    scan every message and activity of the database in each batch (a batch
    of 2,000 accounts at 200,000: 9 s instead of 4)."""
    cr = env.cr
    cr.execute(query_plan.FEW_ROWS)
    table = SQL.identifier(RECORDS_TABLE)
    cr.execute(SQL("DROP TABLE IF EXISTS %s", table))
    sources = [touch_rule.SOURCE_BY_MODEL[model] for model in models]
    if isinstance(accounts, SQL):
        condition = SQL("IN (%s)", accounts)
    else:
        condition = SQL("= ANY(%s)", list(accounts))
    cr.execute(
        SQL(
            "CREATE TEMP TABLE %s ON COMMIT DROP AS "
            "SELECT DISTINCT model, res_id FROM (%s) r",
            table,
            touch_rule.account_records(sources, condition),
        )
    )
    cr.execute(SQL("ANALYZE %s", table))
    return SQL("SELECT model, res_id FROM %s", table)


def read_history(env, models, accounts=None, analyze=None):
    """Read the history of the documents of ``models`` as the module would
    have, had it been there: the touch kind of their activities (and the
    done moment of the archived ones: midnight of their UTC done date, or
    now for today's), their messages classified, the replies already there
    answering the client emails and requests before them, the requests
    marked done answered then (otherwise every old request would wait
    forever and its account look neglected), and when each request still
    waiting is due soon, late and escalated. With ``accounts`` (ids, or an
    SQL query of ids), only the documents of those accounts: the history
    job reads a database a batch of accounts at a time
    (``client_value.history.run``). ``analyze``: gather the planner's
    statistics of the columns just filled, before answering and once read
    (by default when reading every account; the history job asks for it
    as the share of the accounts it has read grows). Reading twice changes
    nothing."""
    models = tuple(models)
    if not models:
        return
    cr = env.cr
    now = fields.Datetime.now()
    records = None if accounts is None else _batch_records(env, models, accounts)

    def restrict(model_column, alias):
        if records is None:
            return SQL()
        return SQL(
            "AND (%s.%s, %s.res_id) IN (%s)",
            SQL(alias),
            SQL.identifier(model_column),
            SQL(alias),
            records,
        )

    cr.execute(
        SQL(
            """
            UPDATE mail_activity a
               SET touch_kind = t.touch_kind,
                   is_service_request = t.touch_kind = 'service',
                   done_datetime = CASE WHEN a.active THEN NULL
                                        WHEN a.date_done < %(today)s
                                        THEN a.date_done::timestamp
                                        ELSE %(now)s END
              FROM mail_activity_type t
             WHERE t.id = a.activity_type_id AND t.touch_kind IS NOT NULL
               AND a.res_model IN %(models)s AND a.touch_kind IS NULL %(restrict)s
            """,
            today=now.date(),
            now=now,
            models=models,
            restrict=restrict("res_model", "a"),
        )
    )
    # History: a message's moment is its date, as the module never saw it come.
    sources = [touch_rule.SOURCE_BY_MODEL[model] for model in models]
    cr.execute(
        touch_rule.classify_sql(
            sources,
            SQL(
                "m.model IN %s AND m.client_touch IS NULL %s",
                models,
                restrict("model", "m"),
            ),
            SQL("m.date"),
        )
    )
    if records is None if analyze is None else analyze:
        # The columns just filled have no statistics yet: without them the
        # planner takes every message for a request and answers them one
        # by one (a batch of 2,000 accounts took 20 s instead of 2).
        cr.execute("ANALYZE mail_activity, mail_message")
    # The requests are answered by the messages sent after them, and by
    # being marked done (at their done moment, never before they were made).
    cr.execute(
        touch_rule.answer_sql(
            SQL(
                """
                SELECT m.model, m.res_id, m.client_touch_date AS moment,
                       m.id AS message_id, NULL::integer AS activity_id,
                       m.author_id
                  FROM mail_message m
                 WHERE m.client_touch = 'outgoing' AND m.model IN %(models)s
                       %(messages)s
                UNION ALL
                SELECT a.res_model, a.res_id, GREATEST(a.done_datetime, %(asked)s),
                       NULL::integer, a.id, u.partner_id
                  FROM mail_activity a
                  LEFT JOIN res_users u ON u.id = a.user_id
                 WHERE %(waiting)s AND a.active IS NOT TRUE
                   AND a.done_datetime IS NOT NULL AND a.res_model IN %(models)s
                       %(activities)s
                """,
                models=models,
                asked=touch_rule.sql(touch_rule.ACTIVITY_REQUESTED_ON, "a"),
                waiting=touch_rule.sql(touch_rule.ACTIVITY_WAITING, "a"),
                messages=restrict("model", "m"),
                activities=restrict("res_model", "a"),
            )
        )
    )
    plan_waiting(env, models, now, records)
    if analyze:
        # And of the answers and plans: the figures of the batch read them.
        cr.execute("ANALYZE mail_activity, mail_message")
    env.invalidate_all()


# The request columns the plan writes (``tools/response_target.py``).
PLAN_COLUMNS = (
    "answer_due",
    "client_value_warn_at",
    "client_value_escalate_at",
    "client_value_warned",
    "client_value_escalated",
)


def plan_waiting(env, models, now, records=None):
    """Plan the requests still waiting on ``models`` that have no plan yet
    (limited to ``records``, an SQL query of (model, res_id), when given):
    when each is due soon, due, and escalated, by its priority, its
    account's targets and its document company's calendar. Emails take the
    priority of their document.

    Signals are given for the moments that pass while the module watches:
    a request whose moment is already past when it is planned here (the
    history read at install, a target changed) is late if it is, but not
    signalled again."""
    cr = env.cr
    table_targets = response_target.targets(env)
    longest = max(
        target.hours(None) / 24.0 for target in table_targets.values()
    ) + settings.get(env, "escalation_days")
    recent = now - timedelta(days=longest * 2 + PLANNED_DAYS)
    for waiting in (touch_rule.WAITING_ACTIVITIES, touch_rule.WAITING_EMAILS):
        table = SQL.identifier(waiting.table)
        where = SQL(
            "%s AND src.answer_due IS NULL AND src.%s IN %s %s",
            touch_rule.sql(waiting.where, "src"),
            SQL.identifier(waiting.model_column),
            tuple(models),
            SQL(
                "AND (src.%s, src.res_id) IN (SELECT model, res_id FROM (%s) r)",
                SQL.identifier(waiting.model_column),
                records,
            )
            if records is not None
            else SQL(),
        )
        asked = touch_rule.sql(waiting.requested_on, "src")
        # Long overdue whatever the calendar and the target: every moment past.
        cr.execute(
            SQL(
                "UPDATE %s src SET answer_due = %s + %s * interval '1 day', "
                "client_value_warn_at = %s, client_value_escalate_at = %s "
                "+ %s * interval '1 day', client_value_warned = TRUE, "
                "client_value_escalated = TRUE WHERE %s AND %s < %s",
                table,
                asked,
                longest,
                asked,
                asked,
                longest,
                where,
                asked,
                recent,
            )
        )
        priority = (
            SQL("src.client_value_priority")
            if waiting.table == "mail_activity"
            else SQL("NULL")
        )
        cr.execute(
            SQL(
                "SELECT src.id, src.%s, src.res_id, %s, %s FROM %s src WHERE %s",
                SQL.identifier(waiting.model_column),
                asked,
                priority,
                table,
                where,
            )
        )
        rows = cr.fetchall()
        if not rows:
            continue
        facts = response_target.document_facts(env, [(r[1], r[2]) for r in rows])
        requests = []
        for _id, model, res_id, asked_on, own_priority in rows:
            company, document_priority, key = facts.get(
                (model, res_id), (None, response_target.NORMAL, False)
            )
            requests.append(
                response_target.Request(
                    company, asked_on, own_priority or document_priority, key
                )
            )
        plans = response_target.plan_many(env, requests)
        cr.execute(
            SQL(
                """
                UPDATE %(table)s src
                   SET answer_due = v.due,
                       client_value_warn_at = v.warn_at,
                       client_value_escalate_at = v.escalate_at,
                       client_value_priority = v.priority,
                       client_value_warned = src.client_value_warned IS TRUE
                           OR v.warn_at <= %(now)s,
                       client_value_escalated = src.client_value_escalated IS TRUE
                           OR v.escalate_at <= %(now)s
                  FROM unnest(%(ids)s::int[], %(dues)s::timestamp[],
                              %(warns)s::timestamp[], %(escalations)s::timestamp[],
                              %(priorities)s::varchar[])
                       AS v(id, due, warn_at, escalate_at, priority)
                 WHERE src.id = v.id
                """,
                table=table,
                now=now,
                ids=[row[0] for row in rows],
                dues=[plan.due for plan in plans],
                warns=[plan.warn_at for plan in plans],
                escalations=[plan.escalate_at for plan in plans],
                priorities=[request.priority for request in requests],
            )
        )


def replan(env, account_ids=None):
    """A target, a key account or a service-level setting changed: plan the
    waiting requests again, of ``account_ids`` at once, or of every account
    through a history run (at once on a small database, else in the
    background)."""
    if account_ids is None:
        env["client_value.history.run"]._start("targets")
        return
    replan_accounts(env, account_ids)
    env["client_value.neglect.watch"]._refresh_moments(account_ids)


def replan_accounts(env, account_ids):
    """Plan the waiting requests of ``account_ids`` again."""
    now = fields.Datetime.now()
    records = _batch_records(env, touch_rule.touch_models(env), account_ids)
    touch_rule.flush_sources(env)
    for waiting in (touch_rule.WAITING_ACTIVITIES, touch_rule.WAITING_EMAILS):
        env.cr.execute(
            SQL(
                "UPDATE %s src SET answer_due = NULL WHERE %s "
                "AND (src.%s, src.res_id) IN (%s)",
                SQL.identifier(waiting.table),
                touch_rule.sql(waiting.where, "src"),
                SQL.identifier(waiting.model_column),
                records,
            )
        )
    plan_waiting(env, touch_rule.touch_models(env), now, records)
    env.invalidate_all()
