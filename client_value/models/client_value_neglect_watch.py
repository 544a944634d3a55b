import hashlib
import logging
import threading

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_date, split_every

from ..tools import query_plan, settings, touch_rule, ui
from ..tools.compat import cron_progress
from ..tools.touch_rule import active_sources, sql

_logger = logging.getLogger(__name__)

NEGLECT_FOLLOWUP_TYPE = "client_value.mail_activity_type_neglect_followup"
# Why an account is snoozed: the watch leaves it alone until a date.
SNOOZE_REASONS = [
    ("holiday", "Closed for the holidays"),
    ("partner", "Handled by a partner"),
    ("legal_hold", "Legal hold"),
    ("other", "Other"),
]
# An account the watch leaves alone today (``acc`` a res_partner row).
SNOOZED = (
    "acc.client_value_snoozed_until IS NOT NULL "
    "AND acc.client_value_snoozed_until >= %(today)s"
)
# The PostgreSQL advisory lock that keeps two runs of the watch apart. It is
# held by the run's connection for the whole run, across its batch commits.
LOCK_NAME = "client_value.neglect_watch"


class ClientValueNeglectWatch(models.AbstractModel):
    """The neglect watch: flags accounts whose only recent touch is a
    request nobody answered, and clears those that recovered.

    Flagging is the scheduled action's job (``_cron_flag_neglected_accounts``,
    or *Check Now*). Clearing also happens at once, in the transaction of
    the touch or answer that rescues an account (``_reconsider``). Both read
    the same rule, built from ``tools/touch_rule.py``: an account is
    neglected when a request of it waits and none of its touches within the
    look-back window is anything but a waiting request.
    """

    _name = "client_value.neglect.watch"
    _description = "Neglected Account Watch"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _cron_flag_neglected_accounts(self, batch_size=None):
        """Run the watch over every account, in batches, each committed.

        One set-based query finds every change; accounts are then handled in
        batches, each committed with its progress, so a crash loses at most
        the current batch and the next run resumes from the data itself.
        The run holds an advisory lock for its whole duration: a second run
        started meanwhile finds it taken and stops at once.
        """
        # sudo: the watch covers every account, whoever runs the cron
        watch = self.sudo()
        if not watch._lock():
            _logger.info("Neglect watch: another run is in progress; this one stops.")
            return 0
        try:
            return watch._run(batch_size)
        finally:
            watch._unlock()

    @api.model
    def _action_check_now(self):
        """*Check Now*: run the watch at once for a salesperson, unless a run
        is in progress, and reload the list."""
        user = self.env.user
        if user.share or not user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                self.env._("Only sales users can check the neglected accounts.")
            )
        # sudo: the watch covers every account, whoever asks for a run
        watch = self.sudo()
        if not watch._lock():
            return self._notification(
                "warning",
                self.env._(
                    "The neglected accounts are already being checked; the list "
                    "will be up to date once that run ends."
                ),
            )
        try:
            changes = watch._run()
        finally:
            watch._unlock()
        return self._notification(
            "success",
            self.env._(
                "Neglected accounts checked: %(count)s change(s).", count=changes
            ),
        )

    @api.model
    def _reconsider(self, account_ids):
        """Clear, in the current transaction, the accounts among
        ``account_ids`` that are flagged but no longer neglected (a touch or
        an answer just happened). Flags are left to the scheduled action."""
        # sudo: a salesperson's answer clears the flag, whoever owns the account
        watch = self.sudo()
        changes = watch._changes(account_ids)
        clears = [change for change in changes if change["action"] == "clear"]
        if clears:
            watch._apply(clears)

    @api.model
    def _follow(self, account_ids):
        """Flag and clear, in the current transaction, the accounts among
        ``account_ids`` whose state no longer matches the rule, after one of
        Odoo's own flows moved touches between accounts (a merge, another
        customer, another company, an archived or restored account)."""
        # sudo: the flow's accounts follow the rule, whoever ran the flow
        watch = self.sudo()
        watch._refresh_moments(account_ids)
        changes = watch._changes(account_ids)
        if changes:
            watch._apply(changes)

    @api.model
    def _neglect_lock_key(self):
        return int.from_bytes(
            hashlib.sha1(LOCK_NAME.encode()).digest()[:8], "big", signed=True
        )

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    def _lock(self):
        [(locked,)] = self.env.execute_query(
            SQL("SELECT pg_try_advisory_lock(%s)", self._neglect_lock_key())
        )
        return locked

    def _unlock(self):
        self.env.execute_query(
            SQL("SELECT pg_advisory_unlock(%s)", self._neglect_lock_key())
        )

    @api.model
    def _cron_watch(self):
        """The frequent run (every 15 minutes by default): the accounts
        whose neglect moment has come are flagged, and the requests whose
        due-soon or escalation moment has come are signalled. It reads only
        those, through partial indexes: its cost follows what became due,
        not the size of the database."""
        # sudo: the watch covers every account, whoever runs the cron
        watch = self.sudo()
        if not watch._lock():
            _logger.info("Neglect watch: another run is in progress; this one stops.")
            return 0
        try:
            return watch._run_due()
        finally:
            watch._unlock()

    def _run_due(self):
        self._end_snoozes()
        changes = []
        due = self._due_accounts()
        if due:
            # Their moments first: one that came too early (a request
            # deleted meanwhile) moves on, and its account leaves the set.
            self._refresh_moments(due)
            due = self._due_accounts(due)
        if due:
            changes = self._changes(due)
            for batch in split_every(
                settings.get(self.env, "neglect_batch_size"), changes
            ):
                self._apply(batch)
        self._signal_requests()
        return len(changes)

    def _run(self, batch_size=None):
        """The full run (daily, and *Check Now*): every account's neglect
        moment is checked and put right (``repaired``, logged; nothing on a
        healthy database), then every account is flagged or cleared by the
        rule, then the requests are signalled."""
        batch_size = batch_size or settings.get(self.env, "neglect_batch_size")
        self._end_snoozes()
        changes, repaired = self._decide(store_moments=True)
        if repaired:
            _logger.info(
                "Neglect watch: the neglect moment of %s account(s) was put right.",
                len(repaired),
            )
        total = len(changes)
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        for batch in split_every(batch_size, changes):
            with self.env.cr.savepoint():
                self._apply(batch)
            done += len(batch)
            cron_progress(self.env, len(batch), done, total - done, auto_commit)
        if not total:
            cron_progress(self.env, 0, 0, 0)
        self._signal_requests()
        return total

    @api.model
    def _notification(self, kind, message):
        return ui.notification(kind, message, ui.SOFT_RELOAD)

    # ------------------------------------------------------------------
    # The rule, on sets of accounts
    # ------------------------------------------------------------------

    @api.model
    def _waiting_query(
        self, account_ids=None, accounts_only=False, late_at=None, due_only=False
    ):
        """Waiting requests, one row each: (account_id, request,
        requested_on, partner_id, company_id, due), ``request`` being
        ``mail.activity,<id>`` or ``mail.message,<id>``; with
        ``accounts_only``, the distinct accounts that have one. Read through
        the partial indexes on waiting requests; limited to ``account_ids``
        when given, and to the requests late at ``late_at`` when given.
        With ``due_only``: (account_id, due) of each request."""
        branches = []
        for waiting in touch_rule.waiting_tables(self.env):
            for source in active_sources(self.env):
                columns = SQL("p.commercial_partner_id AS account_id")
                if due_only:
                    columns = SQL("%s, %s AS due", columns, sql(waiting.due, "src"))
                elif not accounts_only:
                    columns = SQL(
                        "%s, %s || src.id AS request, %s AS requested_on, "
                        "p.id AS partner_id, %s AS company_id, %s AS due",
                        columns,
                        waiting.model + ",",
                        sql(waiting.requested_on, "src"),
                        SQL(f"{source.record_alias()}.{source.company}"),
                        sql(waiting.due, "src"),
                    )
                branches.append(
                    SQL(
                        "SELECT %(columns)s FROM %(table)s src %(join)s "
                        "WHERE src.%(model_column)s = %(model)s AND %(waiting)s "
                        "%(late)s %(accounts)s",
                        columns=columns,
                        table=SQL.identifier(waiting.table),
                        join=touch_rule.record_join(source, "src", "src.res_id"),
                        model_column=SQL.identifier(waiting.model_column),
                        model=source.model,
                        waiting=sql(waiting.where, "src"),
                        late=SQL("AND %s <= %s", sql(waiting.due, "src"), late_at)
                        if late_at
                        else SQL(),
                        accounts=self._accounts_in(
                            "p.commercial_partner_id", account_ids
                        ),
                    )
                )
        return SQL(" UNION " if accounts_only else " UNION ALL ").join(branches)

    @api.model
    def _accounts_in(self, column, account_ids):
        """SQL: ``column`` is one of ``account_ids`` (ids, or an SQL query of
        ids); nothing when None."""
        if account_ids is None:
            return SQL()
        if isinstance(account_ids, SQL):
            return SQL("AND %s IN (%s)", SQL(column), account_ids)
        return SQL("AND %s = ANY(%s)", SQL(column), list(account_ids))

    @api.model
    def _rescued_query(self, window_start):
        """(account_id, moment) of every account with a recent touch: its
        latest contact moment (done, sent, answered) within the window, read
        through the partial indexes on those moments. The decisions over a
        few accounts read their records instead
        (``_contact_of_records``)."""
        touched = self._window_moments(
            window_start, "{model} AS model, src.res_id, {moment} AS moment"
        )
        rescued = SQL(" UNION ALL ").join(
            SQL(
                "SELECT p.commercial_partner_id AS account_id, t.moment "
                "FROM touched t %s WHERE t.model = %s",
                touch_rule.record_join(source, "t", "t.res_id"),
                source.model,
            )
            for source in active_sources(self.env)
        )
        return SQL(
            "WITH touched AS (%s) SELECT account_id, max(moment) AS moment "
            "FROM (%s) r GROUP BY account_id",
            touched,
            rescued,
        )

    @api.model
    def _window_moments(self, window_start, columns, condition=""):
        """One SELECT per contact moment (``touch_rule.contact_moments``),
        joined by UNION ALL: ``columns`` of its rows ``src`` whose moment is
        within the window since ``window_start``, and that meet
        ``condition``. Both are text in which ``{moment}`` and ``{model}``
        name the moment's column and the record's model column."""
        branches = []
        for moment in touch_rule.contact_moments(self.env):
            names = {
                "moment": f'src."{moment.column}"',
                "model": f'src."{moment.model_column}"',
            }
            branches.append(
                SQL(
                    "SELECT %s FROM %s src WHERE %s AND %s >= %s %s",
                    SQL(columns.format(**names)),
                    SQL.identifier(moment.table),
                    sql(moment.where, "src"),
                    SQL(names["moment"]),
                    window_start,
                    SQL(condition.format(**names)),
                )
            )
        return SQL(" UNION ALL ").join(branches)

    # -- the watch's rules, each a named piece of its query ---------------------

    @api.model
    def _snoozed_sql(self):
        """The account ``acc`` is snoozed today."""
        return SQL(SNOOZED, today=fields.Date.context_today(self))

    @api.model
    def _neglected_query(self, waiting, rescued):
        """The neglected accounts: an active account, not snoozed, whose
        history is read, with a late request waiting (``waiting``, a CTE
        name) and no recent touch (``rescued``)."""
        return SQL(
            """
            SELECT pd.account_id
              FROM %(waiting)s pd
              JOIN res_partner acc ON acc.id = pd.account_id
             WHERE acc.active AND NOT (%(snoozed)s) AND NOT %(unread)s
            EXCEPT
            SELECT account_id FROM %(rescued)s
            """,
            waiting=SQL.identifier(waiting),
            rescued=SQL.identifier(rescued),
            snoozed=self._snoozed_sql(),
            unread=self.env["client_value.history.run"]._unread_sql("acc"),
        )

    @api.model
    def _recovery_reason_sql(self, waiting):
        """Why a flagged account recovered (``acc``): archived, snoozed,
        touched again while a request still waits, or every request
        answered."""
        return SQL(
            """
            CASE WHEN acc.active IS NOT TRUE THEN 'archived'
                 WHEN %(snoozed)s THEN 'snoozed'
                 WHEN EXISTS (SELECT 1 FROM %(waiting)s pd
                               WHERE pd.account_id = acc.id)
                 THEN 'touched'
                 ELSE 'answered' END
            """,
            waiting=SQL.identifier(waiting),
            snoozed=self._snoozed_sql(),
        )

    @api.model
    def _end_snoozes(self):
        """Snoozes that ended (their last day is past) end: the account is
        watched again, and its chatter says so."""
        rows = self.env.execute_query(
            SQL(
                """
                WITH ended AS (
                    SELECT id, client_value_snoozed_until AS until
                      FROM res_partner
                     WHERE client_value_snoozed_until < %(today)s
                )
                UPDATE res_partner acc
                   SET client_value_snoozed_until = NULL,
                       client_value_snooze_reason = NULL,
                       client_value_snooze_note = NULL
                  FROM ended
                 WHERE acc.id = ended.id
             RETURNING acc.id, ended.until
                """,
                today=fields.Date.context_today(self),
            )
        )
        if not rows:
            return
        self.env["res.partner"].invalidate_model(
            [
                "client_value_snoozed_until",
                "client_value_snooze_reason",
                "client_value_snooze_note",
            ]
        )
        self._post_notes(
            {
                account_id: Markup("<p>%s</p>")
                % self.env._(
                    "The snooze ended: the account was snoozed until %(date)s.",
                    date=format_date(self.env, until),
                )
                for account_id, until in rows
            }
        )

    @api.model
    def _followup_user_sql(self):
        """Who gets the follow-up of the account ``acc``: its salesperson,
        else the leader of the sales team of its latest opportunity, else
        the fallback user of the settings."""
        return SQL(
            """
            COALESCE(
                (SELECT su.id FROM res_users su
                  WHERE su.id = acc.user_id AND su.active
                    AND su.share IS NOT TRUE),
                (SELECT t.user_id
                   FROM res_partner ct
                   JOIN crm_lead l ON l.partner_id = ct.id
                   JOIN crm_team t ON t.id = l.team_id
                   JOIN res_users tu ON tu.id = t.user_id
                  WHERE ct.commercial_partner_id = acc.id AND tu.active
               ORDER BY l.active DESC, l.id DESC
                  LIMIT 1),
                %(fallback_user_id)s)
            """,
            fallback_user_id=self._fallback_user().id,
        )

    @api.model
    def _open_followups_sql(self):
        """The open follow-ups of the account ``acc``, oldest first."""
        return SQL(
            """
            ARRAY(SELECT a.id FROM mail_activity a
                   WHERE a.res_model = 'res.partner' AND a.res_id = acc.id
                     AND a.activity_type_id = %(followup_type_id)s
                     AND a.active
                ORDER BY a.id)
            """,
            followup_type_id=self.env.ref(NEGLECT_FOLLOWUP_TYPE).id,
        )

    @api.model
    def _changes(self, account_ids=None):
        """Accounts to flag and accounts to clear (all of them, or those of
        ``account_ids``): see :meth:`_decide`."""
        return self._decide(account_ids)[0]

    @api.model
    def _decide(self, account_ids=None, store_moments=False):
        """Accounts to flag and accounts to clear (all of them, or those of
        ``account_ids``), in one query, then the oldest waiting request of
        each account to flag, in a second one. With ``store_moments``, the
        same query stores every account's neglect moment (the full run).

        Returns the changes, dicts with ``action`` ('flag' or 'clear'),
        ``account_id``, the oldest waiting ``request`` ('model,id'),
        ``requested_on``, ``company_id`` (of the record holding it),
        ``waiting_count``, ``user_id`` (who gets the follow-up),
        ``followup_ids`` (open follow-ups) and, for clearances,
        ``clear_reason``; and the ids of the accounts whose stored moment
        was wrong (with ``store_moments``).
        """
        touch_rule.flush_sources(self.env)
        self.env["res.partner"].flush_model(
            ["active", "client_neglected", "client_value_neglect_at"]
        )
        now = fields.Datetime.now()
        flagged = SQL("SELECT id FROM res_partner WHERE client_neglected")
        if account_ids is not None:
            flagged = SQL("%s AND id = ANY(%s)", flagged, account_ids)
        stored = SQL()
        stored_rows = SQL()
        if store_moments:
            stored = SQL("%s,", self._store_moments_ctes(account_ids, now))
            stored_rows = SQL(
                "UNION ALL SELECT 'moment', id, NULL, NULL, NULL FROM stored"
            )
        query = SQL(
            """
            %(plan)s
            WITH %(moments)s,
            waiting AS (SELECT account_id FROM waiting_all WHERE due <= %(now)s),
            rescued AS (SELECT account_id FROM contact),
            neglected AS (%(neglected)s),
            %(stored)s
            changes AS (
                SELECT 'flag' AS action, n.account_id, NULL AS clear_reason
                  FROM neglected n
                  JOIN res_partner acc ON acc.id = n.account_id
                 WHERE acc.client_neglected IS NOT TRUE
                UNION ALL
                SELECT 'clear', acc.id, %(recovery_reason)s
                  FROM (%(flagged)s
                        EXCEPT
                        SELECT account_id FROM neglected) recovered
                  JOIN res_partner acc ON acc.id = recovered.id
            )
            SELECT * FROM (
                SELECT ch.action, ch.account_id, ch.clear_reason,
                       %(followup_user)s AS user_id,
                       %(open_followups)s AS followup_ids
                  FROM changes ch
                  JOIN res_partner acc ON acc.id = ch.account_id
                %(stored_rows)s
            ) result
          ORDER BY account_id
            """,
            plan=query_plan.settings_for(account_ids),
            moments=self._moment_ctes(account_ids),
            now=now,
            neglected=self._neglected_query("waiting", "rescued"),
            stored=stored,
            recovery_reason=self._recovery_reason_sql("waiting"),
            flagged=flagged,
            followup_user=self._followup_user_sql(),
            open_followups=self._open_followups_sql(),
            stored_rows=stored_rows,
        )
        names = ("action", "account_id", "clear_reason", "user_id", "followup_ids")
        rows = [
            dict(zip(names, row, strict=True)) for row in self.env.execute_query(query)
        ]
        if store_moments:
            self.env["res.partner"].invalidate_model(["client_value_neglect_at"])
        repaired = [row["account_id"] for row in rows if row["action"] == "moment"]
        changes = [row for row in rows if row["action"] != "moment"]
        flag_ids = [c["account_id"] for c in changes if c["action"] == "flag"]
        oldest = self._oldest_requests(flag_ids)
        none = {
            "request": None,
            "requested_on": None,
            "company_id": None,
            "waiting_count": 0,
        }
        for change in changes:
            change.update(oldest.get(change["account_id"], none))
        return changes, repaired

    @api.model
    def _oldest_requests(self, account_ids):
        """The oldest waiting request of each of ``account_ids``: its
        ``request``, ``requested_on`` and the ``company_id`` of the record
        holding it, with the account's ``waiting_count``."""
        if not account_ids:
            return {}
        query = SQL(
            """
            SELECT pd.account_id,
                   (array_agg(pd.request ORDER BY pd.requested_on, pd.request))[1],
                   min(pd.requested_on),
                   (array_agg(pd.company_id ORDER BY pd.requested_on, pd.request))[1],
                   count(*)
              FROM (%s) pd
          GROUP BY pd.account_id
            """,
            self._waiting_query(account_ids),
        )
        names = ("request", "requested_on", "company_id", "waiting_count")
        return {
            row[0]: dict(zip(names, row[1:], strict=True))
            for row in self.env.execute_query(query)
        }

    @api.model
    def _fallback_user(self):
        """Who gets the follow-up of an account without salesperson or team
        leader: the user chosen in the settings, else the administrator."""
        user_id = settings.get(self.env, "neglect_fallback_user_id")
        # sudo: the fallback user is read from settings, whoever runs the watch
        users = self.env["res.users"].sudo()
        user = users.browse(user_id).exists() if user_id else users
        if not user or not user.active:
            user = self.env.ref("base.user_admin", raise_if_not_found=False) or users
        return user or self.env.user
