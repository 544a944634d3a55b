from contextlib import closing
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models, sql_db
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..tools import query_plan, settings, touch_indexes, touch_rule

# Settings whose change the figures follow (``_settings_changed``): those
# that plan the requests, and those that move the accounts' neglect moment.
PLAN_SETTINGS = {"due_soon_percent", "escalation_days", "key_account_tag_id"}
FOLLOWED_SETTINGS = (
    *sorted(PLAN_SETTINGS),
    "neglect_window_days",
    "count_incoming_email",
)
# The touch view's columns the care summary and the last touch read.
SUMMARY_COLUMNS = (
    "kind",
    "source",
    "date",
    "state",
    "is_request",
    "answer_due",
    "response_hours",
    "date_answered",
    "company_id",
    "res_model",
    "res_id",
)
LATEST_COLUMNS = (
    "id",
    "kind",
    "date",
    "state",
    "date_answered",
    "account_id",
    "res_model",
    "res_id",
)
# A list of more accounts than this reads their figures at once, at most
# this many a time.
BULK_ACCOUNTS = 5000
BULK_MOST = 200_000
# The care summary's average response time looks this many days back.
RESPONSE_DAYS = 90
# The figures of the care summary, in the order of its query, named after
# the account's fields that show them (``res_partner_care.py``).
SUMMARY_FIGURES = (
    "last_sales_touch_date",
    "waiting_request_count",
    "late_request_count",
    "avg_response_hours",
    "answered_request_count",
    "touch_count",
    "sales_touch_count",
    "service_touch_count",
    "admin_touch_count",
    "our_last_touch_date",
    "last_request_date",
    "client_request_count",
)


class ClientValueCare(models.AbstractModel):
    """The owner of the care figures.

    Everything that reads or keeps an account's figures goes through here:
    the account's records (built once, ``touch_rule.account_records``), the
    care summary as a reader sees it, the figures stored on the account (the
    last touch) kept current by every touch and by Odoo's own flows, the
    partial indexes the rule reads, and the history read again or replanned
    when a setting changes. Which requests count is the rule's
    (``touch_rule.emails_are_requests``); the touch view
    (``client_value.touch``) is a read-only SQL view of the touches.
    """

    _name = "client_value.care"
    _description = "Client Care Figures"

    def init(self):
        # At install the history run builds them, without blocking writers
        # (client_value.history.run); an upgrade builds the missing ones.
        if self._history_started():
            self._create_indexes()

    @api.model
    def _history_started(self):
        """Whether a history run was ever started in this database."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass('client_value_history_run')")
        if not cr.fetchone()[0]:
            return False
        cr.execute("SELECT 1 FROM client_value_history_run LIMIT 1")
        return bool(cr.fetchone())

    @api.model
    def _create_indexes(self, concurrently=False):
        """The partial indexes the rule reads, built from the rule's own
        pieces; those of an earlier definition of the rule are dropped.
        ``concurrently``: on a connection of their own, in autocommit,
        without blocking the writers of the big tables (the history run on
        a live database; the current transaction is committed first)."""
        wanted = touch_indexes.indexes()
        names = [name for name, *_rest in wanted]
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT indexname FROM pg_indexes WHERE tablename IN %s "
                "AND (indexname LIKE %s OR indexname LIKE %s)",
                ("mail_activity", "mail_message"),
                *(prefix + "%" for prefix in touch_indexes.INDEX_PREFIXES),
            )
        )
        existing = {row[0] for row in cr.fetchall()}
        stale = existing - set(names)
        missing = [index for index in wanted if index[0] not in existing]
        if not concurrently:
            for name in stale:
                cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
            for name, table, columns, where in missing:
                create_index(cr, name, table, columns, where=where)
            return
        cr.commit()  # pylint: disable=invalid-commit
        with closing(sql_db.db_connect(cr.dbname).cursor()) as own:
            own._cnx.autocommit = True
            try:
                for name in stale:
                    own.execute(
                        SQL(
                            "DROP INDEX CONCURRENTLY IF EXISTS %s",
                            SQL.identifier(name),
                        )
                    )
                for name, table, columns, where in missing:
                    own.execute(
                        SQL(
                            "CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s) "
                            "WHERE %s",
                            SQL.identifier(name),
                            SQL.identifier(table),
                            SQL(", ").join(SQL.identifier(c) for c in columns),
                            SQL(where),
                        )
                    )
            finally:
                own._cnx.autocommit = False

    # ------------------------------------------------------------------
    # Days, as the reader counts them
    # ------------------------------------------------------------------

    @api.model
    def _day_start(self, days_back):
        """UTC start of the day ``days_back`` days before today, days being
        counted in the user's timezone like the state of activities."""
        tz_name = self.env.context.get("tz") or self.env.user.tz or "UTC"
        try:
            tz = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()
        start = tz.localize(
            datetime.combine(today - timedelta(days=days_back), time.min)
        )
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    # ------------------------------------------------------------------
    # The account's records
    # ------------------------------------------------------------------

    @api.model
    def _account_records(self, account_ids, readable=None):
        """The records holding the touches of ``account_ids`` (ids, or an SQL
        query of ids): (account_id, model, res_id), limited to ``readable``
        ({model: Query}) unless None."""
        if isinstance(account_ids, SQL):
            accounts = SQL("IN (%s)", account_ids)
        else:
            accounts = SQL("= ANY(%s)", list(account_ids))
        return touch_rule.account_records(
            touch_rule.active_sources(self.env), accounts, readable
        )

    @api.model
    def _accounts_of(self, records):
        """Ids of the accounts of ``records`` ((model, res_id) pairs of
        sources), in one query."""
        records = list(records)
        if not records:
            return []
        rows = self.env.execute_query(
            SQL("SELECT DISTINCT account_id FROM (%s) a", self._accounts_query(records))
        )
        return [row[0] for row in rows if row[0]]

    @api.model
    def _accounts_query(self, records):
        """SQL: the account of each of ``records`` ((model, res_id) pairs)."""
        sources = touch_rule.active_sources(self.env)
        touch_rule.flush_accounts(self.env, sources)
        return SQL(
            "SELECT %s AS account_id FROM unnest(%s::varchar[], %s::int[]) "
            "AS e(model, res_id)",
            touch_rule.account_of(sources, "e.model", "e.res_id"),
            [model for model, _res_id in records],
            [res_id for _model, res_id in records],
        )

    # ------------------------------------------------------------------
    # The care summary, as the reader sees it
    # ------------------------------------------------------------------

    @api.model
    def _summary(self, account_ids, bulk=False):
        """Care figures of ``account_ids`` as the user sees them, in one
        aggregate query: only the touches of records they may read.

        The records holding the accounts' touches come first. The figures
        of each record's touches are then summed up per record, and those of
        the records per account. Each record is looked up among the touches
        through the sources' indexes (an aggregate per record, which keeps
        the lookup per record), so a batch of accounts costs the same
        whatever the database's size; with ``bulk`` (a list of many accounts,
        an export), the touches are read once, summed up per document and
        joined to the records, one row per document. The touches are the
        view's rows, with only the columns the figures read.

        Returns {account_id: {figure: value}} (``SUMMARY_FIGURES``);
        accounts without any touch are absent.
        """
        account_ids = [aid for aid in account_ids if aid]
        if not account_ids:
            return {}
        Touch = self.env["client_value.touch"]
        touch_rule.flush_sources(self.env)
        # Each touch with what the figures ask of it: whether it is ours and
        # when (``OUR_MOMENT``), whether the client made it, whether it is a
        # request answered within the response period.
        touches = SQL(
            """
            SELECT t.res_model, t.res_id, t.kind, t.state, t.is_request,
                   t.answer_due, t.response_hours, t.date,
                   %(ours)s AS ours, %(from_client)s AS from_client,
                   t.is_request AND t.date_answered >= %(response_start)s
                       AS answered_recently
              FROM (%(touches)s) t
             WHERE t.company_id IS NULL OR t.company_id = ANY(%(company_ids)s)
            """,
            ours=touch_rule.sql(touch_rule.OUR_MOMENT, "t"),
            from_client=touch_rule.sql(touch_rule.FROM_CLIENT, "t"),
            response_start=self._day_start(RESPONSE_DAYS),
            touches=Touch._touch_query(SUMMARY_COLUMNS, automatic=False),
            company_ids=self.env.companies.ids,
        )
        # The figures of one document's touches, then of the account's
        # documents: a list of accounts joins one row per document, not one
        # per touch.
        window_start = self._day_start(settings.get(self.env, "neglect_window_days"))
        per_document = SQL(
            """
            SELECT res_model, res_id,
                   max(ours) FILTER (WHERE kind = 'sales') AS last_sales,
                   count(*) FILTER (WHERE state = 'waiting' AND is_request) AS waiting,
                   count(*) FILTER (WHERE state = 'waiting' AND is_request
                                      AND answer_due <= %(now)s) AS late,
                   sum(response_hours) FILTER (WHERE answered_recently)
                       AS response_sum,
                   count(response_hours) FILTER (WHERE answered_recently)
                       AS answered,
                   count(kind) FILTER (WHERE ours >= %(window_start)s) AS ours,
                   count(*) FILTER (WHERE ours >= %(window_start)s
                                      AND kind = 'sales') AS sales,
                   count(*) FILTER (WHERE ours >= %(window_start)s
                                      AND kind = 'service') AS service,
                   count(*) FILTER (WHERE ours >= %(window_start)s
                                      AND kind = 'admin') AS admin,
                   max(ours) FILTER (WHERE kind IS NOT NULL) AS last_ours,
                   max(date) FILTER (WHERE from_client AND kind IS NOT NULL)
                       AS last_request,
                   count(*) FILTER (WHERE from_client AND kind IS NOT NULL
                                      AND date >= %(window_start)s) AS requests
              FROM (%(touches)s) t
            """,
            now=fields.Datetime.now(),
            window_start=window_start,
            touches=touches,
        )
        if bulk:
            documents = SQL(
                "JOIN (%s GROUP BY res_model, res_id) d "
                "ON d.res_model = r.model AND d.res_id = r.res_id",
                per_document,
            )
        else:
            # Looked up per record through the sources' indexes, so a batch
            # costs the same whatever the database's size.
            documents = SQL(
                "CROSS JOIN LATERAL (%s WHERE t.res_model = r.model "
                "AND t.res_id = r.res_id GROUP BY res_model, res_id) d",
                per_document,
            )
        query = SQL(
            """
            %(plan)s
            WITH records AS MATERIALIZED (%(records)s)
            SELECT r.account_id,
                   max(d.last_sales),
                   sum(d.waiting)::int,
                   sum(d.late)::int,
                   sum(d.response_sum) / NULLIF(sum(d.answered), 0),
                   sum(d.answered)::int,
                   sum(d.ours)::int,
                   sum(d.sales)::int,
                   sum(d.service)::int,
                   sum(d.admin)::int,
                   max(d.last_ours),
                   max(d.last_request),
                   sum(d.requests)::int
              FROM records r
              %(documents)s
          GROUP BY r.account_id
            """,
            plan=query_plan.MANY_ROWS,
            documents=documents,
            records=self._account_records(account_ids, Touch._readable_records()),
        )
        return {
            row[0]: dict(zip(SUMMARY_FIGURES, row[1:], strict=True))
            for row in self.env.execute_query(query)
        }

    # ------------------------------------------------------------------
    # The figures stored on the account
    # ------------------------------------------------------------------

    @api.model
    def _latest_touches(self, account_ids):
        """SQL: the latest touch (or answer to one) of each account of
        ``account_ids`` (ids, an SQL query of ids, or None for all):
        account_id, moment, kind."""
        # A touch, or the answer to one (not a request closed without a
        # reply); automatic emails have no kind: they are no touch.
        moment = SQL(
            "CASE WHEN t.kind IS NOT NULL THEN GREATEST(t.date, "
            "CASE WHEN t.state <> 'closed' THEN t.date_answered END) END"
        )
        touches = self.env["client_value.touch"]._touch_query(
            LATEST_COLUMNS, automatic=False
        )
        if account_ids is None:
            return SQL(
                "SELECT DISTINCT ON (t.account_id) t.account_id, %(moment)s AS moment,"
                " t.kind FROM (%(touches)s) t WHERE %(moment)s IS NOT NULL"
                " ORDER BY t.account_id, %(moment)s DESC, t.id DESC",
                moment=moment,
                touches=touches,
            )
        return SQL(
            """
            SELECT DISTINCT ON (r.account_id) r.account_id,
                   %(moment)s AS moment, t.kind
              FROM (%(records)s) r
             CROSS JOIN LATERAL (
                    SELECT * FROM (%(touches)s) v
                     WHERE v.res_model = r.model AND v.res_id = r.res_id
                    OFFSET 0) t
             WHERE %(moment)s IS NOT NULL
          ORDER BY r.account_id, %(moment)s DESC, t.id DESC
            """,
            moment=moment,
            records=self._account_records(account_ids),
            touches=touches,
        )

    @api.model
    def _refresh_last_touch(self, account_ids=None):
        """Store the last touch of ``account_ids`` (ids or an SQL query of
        ids; every account when None) on the account and its contacts, from
        the view, whoever reads it.

        The last touch is the latest moment of a touch or of an answer to
        one. Returns the ids of the accounts among them that are flagged as
        neglected, so a caller can reconsider them.
        """
        touch_rule.flush_sources(self.env)
        if account_ids is None:
            untouched = SQL("TRUE")
        elif isinstance(account_ids, SQL):
            untouched = SQL("p.commercial_partner_id IN (%s)", account_ids)
        else:
            account_ids = [aid for aid in account_ids if aid]
            if not account_ids:
                return []
            untouched = SQL("p.commercial_partner_id = ANY(%s)", account_ids)
        rows = self.env.execute_query(
            SQL(
                """
                %(plan)s
                WITH latest AS MATERIALIZED (%(latest)s),
                updated AS (
                    UPDATE res_partner p
                       SET last_touch_date = l.moment,
                           last_touch_kind = l.kind
                      FROM latest l
                     WHERE p.commercial_partner_id = l.account_id
                       AND (p.last_touch_date IS DISTINCT FROM l.moment
                            OR p.last_touch_kind IS DISTINCT FROM l.kind)
                ),
                untouched AS (
                    -- Accounts that have no touch (any more) have no last touch.
                    UPDATE res_partner p
                       SET last_touch_date = NULL,
                           last_touch_kind = NULL
                     WHERE p.last_touch_date IS NOT NULL
                       AND %(untouched)s
                       AND p.commercial_partner_id NOT IN (
                               SELECT account_id FROM latest)
                )
                SELECT acc.id FROM res_partner acc
                 WHERE acc.id IN (SELECT account_id FROM latest)
                   AND acc.client_neglected
                """,
                plan=query_plan.MANY_ROWS,
                latest=self._latest_touches(account_ids),
                untouched=untouched,
            )
        )
        self.env["res.partner"].invalidate_model(["last_touch_date", "last_touch_kind"])
        return [row[0] for row in rows]

    @api.model
    def _touched(self, records):
        """``records`` ((model, res_id) pairs of sources) just got a touch,
        a request or an answer: refresh their accounts' last touch, and let
        the neglect watch reconsider those that are flagged, in the same
        transaction; the moment they become neglected follows too. A few
        queries, and a few more only for flagged accounts."""
        records = list(records)
        if not records:
            return
        accounts = self._accounts_query(records)
        flagged = self._refresh_last_touch(accounts)
        watch = self.env["client_value.neglect.watch"]
        # sudo: the accounts' neglect moment is the watch's own bookkeeping
        watch.sudo()._refresh_moments(accounts)
        if flagged:
            watch._reconsider(flagged)

    @api.model
    def _accounts_changed_later(self, partner_ids=(), documents=()):
        """The accounts of ``partner_ids`` (contacts or accounts) and of
        ``documents`` ((model, res_id) pairs) follow once, just before the
        transaction commits: a mass operation (converting or merging many
        leads, importing contacts) costs one run for all its accounts, and
        nothing while it works."""
        precommit = self.env.cr.precommit
        data = precommit.data.setdefault(
            "client_value.accounts_changed", {"partners": set(), "documents": set()}
        )
        if not data["partners"] and not data["documents"]:
            precommit.add(self._accounts_changed_now)
        data["partners"].update(pid for pid in partner_ids if pid)
        data["documents"].update(documents)

    @api.model
    def _accounts_changed_now(self):
        data = self.env.cr.precommit.data.pop("client_value.accounts_changed", None)
        if not data:
            return
        # sudo: the accounts follow their touches, whoever made the change
        care = self.sudo()
        account_ids = set(care._accounts_of(data["documents"]))
        if data["partners"]:
            care.env["res.partner"].flush_model(["commercial_partner_id"])
            rows = care.env.execute_query(
                SQL(
                    "SELECT DISTINCT commercial_partner_id FROM res_partner "
                    "WHERE id = ANY(%s)",
                    list(data["partners"]),
                )
            )
            account_ids.update(row[0] for row in rows)
        care._accounts_changed(account_ids)

    @api.model
    def _accounts_changed(self, account_ids):
        """Touches changed account, or an account its state: one of Odoo's
        own flows merged contacts, gave a document another customer, moved
        a contact to another company, archived, restored or deleted a
        record. The accounts' last touch and neglect flag follow at once,
        both ways: a flow can make an account neglected as well as rescue
        it."""
        account_ids = sorted({aid for aid in account_ids if aid})
        if not account_ids:
            return
        self._refresh_last_touch(account_ids)
        self.env["client_value.neglect.watch"]._follow(account_ids)

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------

    @api.model
    def _settings_snapshot(self):
        """The settings the figures are built from, as they are now: give it
        back to :meth:`_settings_changed` once they are set."""
        return {
            "sources": frozenset(touch_rule.touch_models(self.env)),
            **{name: settings.get(self.env, name) for name in FOLLOWED_SETTINGS},
        }

    @api.model
    def _settings_changed(self, before):
        """The figures follow the settings that changed since ``before`` (a
        :meth:`_settings_snapshot`): the views follow the sources and which
        requests count; sources added have their history read; new service
        levels re-plan the waiting requests; the accounts' last touch and
        neglect moments follow all of the above. Through history runs: at
        once on a small database, else in the background, a batch of
        accounts at a time (``client_value.history.run``)."""
        after = self._settings_snapshot()
        changed = {name for name in after if after[name] != before.get(name)}
        if not changed:
            return
        if changed & {"sources", "count_incoming_email"}:
            self.env["client_value.touch"]._rebuild_views()
        runs = self.env["client_value.history.run"]
        added = after["sources"] - before["sources"]
        if added:
            runs._start("sources", sorted(added))
        if changed & PLAN_SETTINGS:
            runs._start("targets")
        elif not added:
            runs._start("refresh")
