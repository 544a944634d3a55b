"""Reading the history of touch documents as the module would have, had it
been there: before install, and when a source is added in the settings."""

from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from . import response_target, settings, touch_rule

# A request this much older than the response target is late on any
# working-time calendar: its due moment is not worth planning precisely.
PLANNED_DAYS = 21


def read_history(env, models):
    """Read the history of the documents of ``models`` as the module would
    have, had it been there: the touch kind of their activities (and the
    done moment of the archived ones: midnight of their UTC done date, or
    now for today's), their messages classified, the replies already there
    answering the client emails and requests before them, the requests
    marked done answered then (otherwise every old request would wait
    forever and its account look neglected), and when each request still
    waiting becomes late. Used before install, and when an
    administrator adds a source in the settings."""
    models = tuple(models)
    if not models:
        return
    cr = env.cr
    now = fields.Datetime.now()
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
               AND a.res_model IN %(models)s AND a.touch_kind IS NULL
            """,
            today=now.date(),
            now=now,
            models=models,
        )
    )
    # History: a message's moment is its date, as the module never saw it come.
    sources = [touch_rule.SOURCE_BY_MODEL[model] for model in models]
    cr.execute(
        touch_rule.classify_sql(
            sources,
            SQL("m.model IN %s AND m.client_touch IS NULL", models),
            SQL("m.date"),
        )
    )
    # The columns just filled have no statistics yet: without them the
    # planner takes every message for a request and answers them one by one.
    cr.execute("ANALYZE mail_activity, mail_message")
    # The requests are answered by the messages sent after them, and by
    # being marked done (at their done moment, never before they were made).
    cr.execute(
        touch_rule.answer_sql(
            SQL(
                """
                SELECT model, res_id, client_touch_date AS moment, id AS message_id,
                       NULL::integer AS activity_id, author_id
                  FROM mail_message
                 WHERE client_touch = 'outgoing' AND model IN %(models)s
                UNION ALL
                SELECT a.res_model, a.res_id, GREATEST(a.done_datetime, %(asked)s),
                       NULL::integer, a.id, u.partner_id
                  FROM mail_activity a
                  LEFT JOIN res_users u ON u.id = a.user_id
                 WHERE %(waiting)s AND a.active IS NOT TRUE
                   AND a.done_datetime IS NOT NULL AND a.res_model IN %(models)s
                """,
                models=models,
                asked=touch_rule.sql(touch_rule.ACTIVITY_REQUESTED_ON, "a"),
                waiting=touch_rule.sql(touch_rule.ACTIVITY_WAITING, "a"),
            )
        )
    )
    _plan_answer_due(env, models, now)
    env.invalidate_all()


def _plan_answer_due(env, models, now):
    """When each request still waiting on ``models`` becomes late."""
    cr = env.cr
    days = settings.get(env, "response_target_days")
    recent = now - timedelta(days=days + PLANNED_DAYS)
    for waiting in (touch_rule.WAITING_ACTIVITIES, touch_rule.WAITING_EMAILS):
        table = SQL.identifier(waiting.table)
        where = SQL(
            "%s AND src.answer_due IS NULL AND src.%s IN %s",
            touch_rule.sql(waiting.where, "src"),
            SQL.identifier(waiting.model_column),
            models,
        )
        asked = touch_rule.sql(waiting.requested_on, "src")
        # Long overdue whatever the calendar.
        cr.execute(
            SQL(
                "UPDATE %s src SET answer_due = %s + %s * interval '1 day' "
                "WHERE %s AND %s < %s",
                table,
                asked,
                days,
                where,
                asked,
                recent,
            )
        )
        cr.execute(
            SQL(
                "SELECT src.id, src.%s, src.res_id, %s FROM %s src WHERE %s",
                SQL.identifier(waiting.model_column),
                asked,
                table,
                where,
            )
        )
        rows = cr.fetchall()
        companies = response_target.document_companies(
            env, [(r[1], r[2]) for r in rows]
        )
        dues = response_target.answer_dues(
            env,
            [
                (companies.get((model, res_id)), asked_on)
                for _id, model, res_id, asked_on in rows
            ],
        )
        if rows:
            cr.execute(
                SQL(
                    "UPDATE %s src SET answer_due = v.due "
                    "FROM unnest(%s::int[], %s::timestamp[]) AS v(id, due) "
                    "WHERE src.id = v.id",
                    table,
                    [row[0] for row in rows],
                    dues,
                )
            )


def replan_answer_due(env):
    """The response target changed: when each waiting request becomes late,
    again."""
    for waiting in (touch_rule.WAITING_ACTIVITIES, touch_rule.WAITING_EMAILS):
        env.cr.execute(
            SQL(
                "UPDATE %s src SET answer_due = NULL WHERE %s",
                SQL.identifier(waiting.table),
                touch_rule.sql(waiting.where, "src"),
            )
        )
    _plan_answer_due(env, touch_rule.touch_models(env), fields.Datetime.now())
    env.invalidate_all()
