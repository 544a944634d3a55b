from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

from ..tools import query_plan, settings, touch_rule
from ..tools.touch_rule import sql

# The records of the accounts a decision is limited to, read once (a CTE).
WATCHED_RECORDS = "watched_records"


class ClientValueNeglectMoments(models.AbstractModel):
    """When each account's decision comes: the watch stores on every
    account the moment it becomes neglected if nothing happens
    (``client_value_neglect_at``), kept current by every touch and answer,
    so that its frequent run reads only the accounts whose moment has come,
    through a partial index, instead of deciding every account."""

    _inherit = "client_value.neglect.watch"

    @api.model
    def _watch_tz(self):
        """The timezone the watch counts days in: that of the user its
        scheduled action runs as, whoever triggers it (a salesperson's
        answer, *Check Now*), so the moments stored on accounts do not
        depend on who caused them."""
        # sudo: the scheduled action's user, read for its timezone
        return self.env["res.users"].sudo().browse(SUPERUSER_ID).tz or "UTC"

    @api.model
    def _window_start(self):
        """UTC start of the look-back window, days counted in the watch's
        timezone."""
        return (
            self.env["client_value.care"]
            .with_context(tz=self._watch_tz())
            ._day_start(settings.get(self.env, "neglect_window_days"))
        )

    @api.model
    def _moment_ctes(self, account_ids=None):
        """The CTEs every decision of the watch starts from, for the
        accounts of ``account_ids`` (all when None): ``waiting_all``
        (account_id, due: the due moment of its first request to become
        late) and ``contact`` (account_id, moment: its latest touch within
        the look-back window). Only touches within today's window count: an
        older one has left every window to come.

        Over every account, they read the waiting requests and the window's
        touches through the partial indexes on them. Limited to some
        accounts, they read those accounts' records once
        (``watched_records``), then each record's requests and latest touch
        through the indexes on the record: a decision over a few accounts
        costs their records, not the window's touches of the database."""
        window_start = self._window_start()
        records = SQL()
        if account_ids is None:
            waiting = self._waiting_query(due_only=True)
            latest = self._rescued_query(window_start)
        else:
            records = SQL(
                "%s AS MATERIALIZED (%s),",
                SQL.identifier(WATCHED_RECORDS),
                self.env["client_value.care"]._account_records(account_ids),
            )
            waiting = self._waiting_of_records(WATCHED_RECORDS)
            latest = self._contact_of_records(WATCHED_RECORDS, window_start)
        return SQL(
            """
            %(records)s
            waiting_all AS MATERIALIZED (
                SELECT account_id, min(due) AS due FROM (%(waiting)s) w
              GROUP BY account_id),
            contact AS MATERIALIZED (%(latest)s)
            """,
            records=records,
            waiting=waiting,
            latest=latest,
        )

    @api.model
    def _waiting_of_records(self, records):
        """(account_id, due) of each waiting request on the records of
        ``records`` (a CTE of account_records' rows), through the partial
        indexes on the waiting requests of a record."""
        return SQL(" UNION ALL ").join(
            SQL(
                "SELECT r.account_id, %(due)s AS due FROM %(records)s r "
                "JOIN %(table)s src ON src.%(model_column)s = r.model "
                "AND src.res_id = r.res_id WHERE %(waiting)s",
                due=sql(waiting.due, "src"),
                records=SQL.identifier(records),
                table=SQL.identifier(waiting.table),
                model_column=SQL.identifier(waiting.model_column),
                waiting=sql(waiting.where, "src"),
            )
            for waiting in touch_rule.waiting_tables(self.env)
        )

    @api.model
    def _contact_of_records(self, records, window_start):
        """(account_id, moment): the latest contact moment since
        ``window_start`` of each account of ``records`` (a CTE of
        account_records' rows) that has one, looked up record by record."""
        latest = self._window_moments(
            window_start,
            "max({moment}) AS moment",
            "AND {model} = r.model AND src.res_id = r.res_id",
        )
        return SQL(
            "SELECT r.account_id, max(m.moment) AS moment FROM %s r "
            "CROSS JOIN LATERAL (%s) m "
            "GROUP BY r.account_id HAVING max(m.moment) IS NOT NULL",
            SQL.identifier(records),
            latest,
        )

    @api.model
    def _neglect_at_sql(self):
        """SQL over ``w`` (waiting_all) and ``c`` (contact): when the account
        becomes neglected if nothing happens, the later of its first due
        moment and the end of the look-back window of its latest touch. The
        neglect rule (``_neglected_query``) solved for time: an account whose
        moment has come and that is neither snoozed nor unread is
        neglected."""
        tz = self._watch_tz()
        return SQL(
            """
            GREATEST(w.due, ((date_trunc('day',
                (c.moment AT TIME ZONE 'UTC') AT TIME ZONE %(tz)s)
                + %(days)s * interval '1 day') AT TIME ZONE %(tz)s)
                AT TIME ZONE 'UTC')
            """,
            tz=tz,
            days=settings.get(self.env, "neglect_window_days") + 1,
        )

    @api.model
    def _store_moments_ctes(self, account_ids, now):
        """CTEs storing each account's neglect moment from ``waiting_all``
        and ``contact``: ``stored`` lists the ids of the accounts whose
        stored moment was wrong. A moment that has come stays come: the
        window only tells it apart from an earlier one that also has."""
        return SQL(
            """
            moments AS MATERIALIZED (
                SELECT w.account_id, %(neglect_at)s AS neglect_at
                  FROM waiting_all w
                  JOIN res_partner a ON a.id = w.account_id AND a.active
                  LEFT JOIN contact c ON c.account_id = w.account_id),
            set_moment AS (
                UPDATE res_partner acc
                   SET client_value_neglect_at = m.neglect_at
                  FROM moments m
                 WHERE acc.id = m.account_id
                   AND acc.client_value_neglect_at IS DISTINCT FROM m.neglect_at
                   AND NOT (acc.client_value_neglect_at <= %(now)s
                            AND m.neglect_at <= %(now)s)
             RETURNING acc.id),
            unset_moment AS (
                UPDATE res_partner acc
                   SET client_value_neglect_at = NULL
                 WHERE acc.client_value_neglect_at IS NOT NULL %(scope)s
                   AND acc.id NOT IN (SELECT account_id FROM moments)
             RETURNING acc.id),
            stored AS (SELECT id FROM set_moment UNION ALL SELECT id FROM unset_moment)
            """,
            neglect_at=self._neglect_at_sql(),
            now=now,
            scope=self._accounts_in("acc.id", account_ids),
        )

    @api.model
    def _refresh_moments(self, account_ids=None):
        """Store when each account of ``account_ids`` (ids or an SQL query
        of ids; every account when None) becomes neglected
        (``client_value_neglect_at``), from its requests and touches; returns
        the ids of the accounts whose stored moment was wrong (none, on a
        healthy database, for the daily full run: every touch keeps it
        current)."""
        if account_ids is not None and not isinstance(account_ids, SQL):
            account_ids = sorted({aid for aid in account_ids if aid})
            if not account_ids:
                return []
        touch_rule.flush_sources(self.env)
        self.env["res.partner"].flush_model(["active", "client_value_neglect_at"])
        now = fields.Datetime.now()
        rows = self.env.execute_query(
            SQL(
                "%s WITH %s, %s SELECT id FROM stored",
                query_plan.settings_for(account_ids),
                self._moment_ctes(account_ids),
                self._store_moments_ctes(account_ids, now),
            )
        )
        self.env["res.partner"].invalidate_model(["client_value_neglect_at"])
        return [row[0] for row in rows]

    @api.model
    def _due_accounts(self, account_ids=None):
        """Ids of the accounts whose neglect moment has come and that are
        neither flagged, archived nor snoozed: read through the partial index
        on the moment of the accounts not flagged, so a run costs what
        became due, not the number of accounts."""
        return [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
                    SELECT acc.id FROM res_partner acc
                     WHERE acc.client_value_neglect_at <= %(now)s
                       AND acc.client_neglected IS NOT TRUE
                       AND acc.active AND NOT (%(snoozed)s) AND NOT %(unread)s
                       %(scope)s
                    """,
                    now=fields.Datetime.now(),
                    snoozed=self._snoozed_sql(),
                    unread=self.env["client_value.history.run"]._unread_sql("acc"),
                    scope=SQL("AND acc.id = ANY(%s)", account_ids)
                    if account_ids is not None
                    else SQL(),
                )
            )
        ]
