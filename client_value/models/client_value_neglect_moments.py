from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

from ..tools import query_plan, settings, touch_rule


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
        older one has left every window to come."""
        return SQL(
            """
            waiting_all AS MATERIALIZED (
                SELECT account_id, min(due) AS due FROM (%(waiting)s) w
              GROUP BY account_id),
            contact AS MATERIALIZED (%(latest)s)
            """,
            waiting=self._waiting_query(account_ids, due_only=True),
            latest=self._rescued_query(self._window_start(), account_ids, latest=True),
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
