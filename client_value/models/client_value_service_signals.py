from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_datetime

from ..tools import query_plan, touch_rule
from ..tools.touch_rule import SIGNALS, SOURCE_BY_MODEL, active_sources, sql
from .client_value_neglect_watch import NEGLECT_FOLLOWUP_TYPE

REPLY_DUE_TYPE = "client_value.mail_activity_type_reply_due"
ESCALATION_TYPE = "client_value.mail_activity_type_escalation"


class ClientValueNeglectWatch(models.AbstractModel):
    """The service-level signals the watch gives, once per request, when
    their moment comes (``tools/response_target.py``):

    - **due soon**: whoever is responsible for the document is told, without
      doubling their to-do list: a service request, already on their list,
      gets its deadline set to its due moment (and shows as due soon); an
      email from the client, which has no activity, gets one *Reply Due*
      activity due then.
    - **escalated**: still waiting a while after its due moment, the leader
      of the responsible person's sales team gets one *Escalation* activity
      on the document; the document's chatter and the account's open
      follow-up say so.

    Both end by themselves when the request is answered (the *Reply Due*
    and *Escalation* activities go, see ``mail.activity``). Snoozed and
    archived accounts get none. The requests are read through partial
    indexes on the moments of the signals not given yet: a run costs what
    came due, not the size of the database.
    """

    _inherit = "client_value.neglect.watch"

    @api.model
    def _signal_requests(self):
        rows = self._requests_to_signal(fields.Datetime.now())
        due_soon = [row for row in rows if row["signal"] == "warn"]
        escalations = [row for row in rows if row["signal"] == "escalate"]
        if due_soon:
            self._signal_due_soon(due_soon)
        if escalations:
            self._signal_escalations(escalations)

    @api.model
    def _requests_to_signal(self, now):
        """Waiting requests with a signal due at ``now`` and not given, on
        active accounts not snoozed, in one query: dicts with ``signal``
        ('warn' or 'escalate'), ``model`` (of the request), ``id``,
        ``res_model``, ``res_id`` (its document), ``user_id`` (a service
        request's assignee), ``due``, ``requested_on`` and ``account_id``."""
        sources = active_sources(self.env)
        if not sources:
            return []
        touch_rule.flush_sources(self.env)
        models_ = tuple(source.model for source in sources)
        branches = []
        for waiting in touch_rule.waiting_tables(self.env):
            column = SQL.identifier(waiting.model_column)
            for signal in SIGNALS:
                branches.append(
                    SQL(
                        """
                        SELECT %(signal)s AS signal, %(model)s AS model, src.id,
                               src.%(column)s AS res_model, src.res_id,
                               %(user)s AS user_id, src.answer_due AS due,
                               %(asked)s AS requested_on, %(account)s AS account_id
                          FROM %(table)s src
                         WHERE %(waiting)s AND %(pending)s
                           AND src.%(moment)s <= %(now)s
                           AND src.%(column)s IN %(models)s
                        """,
                        signal=signal.name,
                        model=waiting.model,
                        column=column,
                        user=SQL("src.user_id")
                        if waiting.table == "mail_activity"
                        else SQL("NULL::integer"),
                        asked=sql(waiting.requested_on, "src"),
                        account=touch_rule.account_of(
                            sources, f"src.{waiting.model_column}", "src.res_id"
                        ),
                        table=SQL.identifier(waiting.table),
                        waiting=sql(waiting.where, "src"),
                        pending=sql(signal.pending(), "src"),
                        moment=SQL.identifier(signal.moment),
                        now=now,
                        models=models_,
                    )
                )
        query = SQL(
            """
            %(plan)s
            WITH due AS MATERIALIZED (%(due)s)
            SELECT due.* FROM due
              JOIN res_partner acc ON acc.id = due.account_id
             WHERE acc.active AND NOT (%(snoozed)s) AND NOT %(unread)s
          ORDER BY due.signal, due.model, due.id
            """,
            # It reads what came due through the partial indexes: few rows,
            # which JIT compiling (the first time in a process, loading the
            # compiler: about 0.1 s) or parallel workers would only slow down.
            plan=query_plan.FEW_ROWS,
            due=SQL(" UNION ALL ").join(branches),
            snoozed=self._snoozed_sql(),
            unread=self.env["client_value.history.run"]._unread_sql("acc"),
        )
        names = (
            "signal",
            "model",
            "id",
            "res_model",
            "res_id",
            "user_id",
            "due",
            "requested_on",
            "account_id",
        )
        return [
            dict(zip(names, row, strict=True)) for row in self.env.execute_query(query)
        ]

    # -- who is told -------------------------------------------------------

    @api.model
    def _responsible_users(self, rows):
        """{(res_model, res_id): res.users} of the documents of ``rows``:
        the document's salesperson or user, else who follows the account
        up."""
        by_model = {}
        for row in rows:
            by_model.setdefault(row["res_model"], set()).add(row["res_id"])
        found = {}
        for model, ids in by_model.items():
            source = SOURCE_BY_MODEL[model]
            # sudo: who is responsible for the document, whoever runs the watch
            for record in self.env[model].sudo().browse(ids).exists():
                found[(model, record.id)] = source.responsible_of(record)
        # Documents without anyone responsible: who follows the account up.
        orphans = {
            row["account_id"]
            for row in rows
            if not found.get((row["res_model"], row["res_id"]))
        }
        followers = {}
        if orphans:
            followers = dict(
                self.env.execute_query(
                    SQL(
                        "SELECT acc.id, %s FROM res_partner acc WHERE acc.id = ANY(%s)",
                        self._followup_user_sql(),
                        list(orphans),
                    )
                )
            )
        users = self.env["res.users"].sudo()
        return {
            (row["res_model"], row["res_id"]): found.get(
                (row["res_model"], row["res_id"])
            )
            or users.browse(followers.get(row["account_id"]))
            for row in rows
        }

    @api.model
    def _escalation_user(self, responsible):
        """Who a request of ``responsible`` is escalated to: the leader of
        their sales team, else the fallback user of the settings."""
        leader = responsible.sale_team_id.user_id
        if leader and leader.active and leader != responsible:
            return leader
        return self._fallback_user()

    @api.model
    def _user_date(self, user, moment):
        """The day of ``moment`` for ``user`` (their timezone)."""
        return fields.Datetime.context_timestamp(
            self.with_context(tz=user.tz or "UTC"), moment
        ).date()

    # -- due soon --------------------------------------------------------------

    @api.model
    def _signal_due_soon(self, rows):
        now = fields.Datetime.now()
        requests = [row for row in rows if row["model"] == "mail.activity"]
        emails = [row for row in rows if row["model"] == "mail.message"]
        if requests:
            # sudo: the assignees of the requests, read for their timezone
            users = self.env["res.users"].sudo()
            self.env.execute_query(
                SQL(
                    """
                    UPDATE mail_activity a
                       SET date_deadline = v.deadline,
                           client_value_warned = TRUE,
                           write_date = %s
                      FROM unnest(%s::int[], %s::date[]) AS v(id, deadline)
                     WHERE a.id = v.id
                    """,
                    now,
                    [row["id"] for row in requests],
                    [
                        self._user_date(users.browse(row["user_id"]), row["due"])
                        for row in requests
                    ],
                )
            )
            self.env["mail.activity"].invalidate_model(
                ["date_deadline", "client_value_warned"]
            )
        if emails:
            responsible = self._responsible_users(emails)
            reply_due = self.env.ref(REPLY_DUE_TYPE)
            model_ids = {
                row["res_model"]: self.env["ir.model"]._get_id(row["res_model"])
                for row in emails
            }
            values = []
            for row in emails:
                user = responsible[(row["res_model"], row["res_id"])]
                values.append(
                    {
                        "res_model_id": model_ids[row["res_model"]],
                        "res_id": row["res_id"],
                        "activity_type_id": reply_due.id,
                        "summary": reply_due.summary or reply_due.name,
                        "note": Markup("<p>%s</p>")
                        % self.env._(
                            "The client's email of %(asked)s is due for an "
                            "answer by %(due)s.",
                            asked=format_datetime(
                                self.env,
                                row["requested_on"],
                                tz=user.tz or "UTC",
                                dt_format="short",
                            ),
                            due=format_datetime(
                                self.env,
                                row["due"],
                                tz=user.tz or "UTC",
                                dt_format="short",
                            ),
                        ),
                        "user_id": user.id,
                        "date_deadline": self._user_date(user, row["due"]),
                        "automated": True,
                        "client_value_signal": "reply_due",
                        "client_value_for_message_id": row["id"],
                    }
                )
            # sudo: the reply-due activity goes to whoever is responsible
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(values)
            self._mark_given("mail_message", "client_value_warned", emails)

    # -- escalation --------------------------------------------------------

    @api.model
    def _signal_escalations(self, rows):
        responsible = self._responsible_users(rows)
        # sudo: the assignees of the service requests
        users = self.env["res.users"].sudo()
        escalation = self.env.ref(ESCALATION_TYPE)
        values, notes, followup_notes = [], {}, {}
        for row in rows:
            person = (
                users.browse(row["user_id"])
                if row["user_id"]
                else responsible[(row["res_model"], row["res_id"])]
            )
            leader = self._escalation_user(person)
            said = self.env._(
                "Escalated to %(leader)s: the client's request of %(asked)s, "
                "for %(person)s, is still waiting %(due)s after it was due.",
                leader=leader.name,
                asked=format_datetime(
                    self.env,
                    row["requested_on"],
                    tz=leader.tz or "UTC",
                    dt_format="short",
                ),
                person=person.name or self.env._("nobody"),
                due=self._overdue_words(row["due"]),
            )
            values.append(
                {
                    "res_model_id": self.env["ir.model"]._get_id(row["res_model"]),
                    "res_id": row["res_id"],
                    "activity_type_id": escalation.id,
                    "summary": escalation.summary or escalation.name,
                    "note": Markup("<p>%s</p>") % said,
                    "user_id": leader.id,
                    "date_deadline": fields.Date.context_today(
                        self.with_context(tz=leader.tz or "UTC")
                    ),
                    "automated": True,
                    "client_value_signal": "escalation",
                    "client_value_for_activity_id": row["id"]
                    if row["model"] == "mail.activity"
                    else False,
                    "client_value_for_message_id": row["id"]
                    if row["model"] == "mail.message"
                    else False,
                }
            )
            notes.setdefault(row["res_model"], {}).setdefault(row["res_id"], []).append(
                said
            )
            followup_notes.setdefault(row["account_id"], []).append(said)
        # sudo: the escalation goes to the team leader
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(values)
        for table in ("mail_activity", "mail_message"):
            model = "mail.activity" if table == "mail_activity" else "mail.message"
            self._mark_given(
                table,
                "client_value_escalated",
                [row for row in rows if row["model"] == model],
            )
        for model, bodies in notes.items():
            self._post_notes(
                {
                    res_id: Markup("").join(
                        Markup("<p>%s</p>") % said for said in saids
                    )
                    for res_id, saids in bodies.items()
                },
                activity_type=escalation,
                model=model,
            )
        self._tell_followups(followup_notes)

    @api.model
    def _overdue_words(self, due):
        hours = max((fields.Datetime.now() - due).total_seconds() / 3600.0, 0)
        if hours < 48:
            return self.env._("%(hours)s hours", hours=round(hours))
        return self.env._("%(days)s days", days=round(hours / 24))

    @api.model
    def _tell_followups(self, saids):
        """The open follow-ups of flagged accounts say their requests were
        escalated."""
        followups = (
            self.env["mail.activity"]
            # sudo: the watch writes on the follow-ups it opened
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", list(saids)),
                    ("activity_type_id", "=", self.env.ref(NEGLECT_FOLLOWUP_TYPE).id),
                ]
            )
        )
        for followup in followups:
            added = Markup("").join(
                Markup("<p>%s</p>") % said for said in saids[followup.res_id]
            )
            followup.note = (followup.note or Markup("")) + added

    @api.model
    def _mark_given(self, table, column, rows):
        if not rows:
            return
        self.env.execute_query(
            SQL(
                "UPDATE %s SET %s = TRUE WHERE id = ANY(%s)",
                SQL.identifier(table),
                SQL.identifier(column),
                [row["id"] for row in rows],
            )
        )
        model = "mail.activity" if table == "mail_activity" else "mail.message"
        self.env[model].invalidate_model([column])
