import logging
import threading

from odoo import api, fields, models, tools
from odoo.tools import SQL, formatLang

from ..tools import history, touch_rule
from ..tools.compat import cron_progress

_logger = logging.getLogger(__name__)

# Accounts read per batch, each batch committed.
BATCH_ACCOUNTS = 2000
# A database with no more accounts than this is read at once, in the
# transaction that asked (a new install on a small database, the tests).
INLINE_ACCOUNTS = BATCH_ACCOUNTS
CRON = "client_value.ir_cron_read_history"
# What a run reads, in each batch of accounts.
KINDS = [
    ("install", "Client history, after install"),
    ("sources", "Client documents added"),
    ("targets", "Response targets changed"),
    ("refresh", "Settings changed"),
]
# Kinds whose accounts the watch leaves alone until they are read: their
# touches are not all known yet.
READING = ("install", "sources")


class ClientValueHistoryRun(models.Model):
    """Reading the client history, in the background: after install, when
    an administrator adds a source of touches, changes a response target or
    a setting the figures are built from.

    A run reads the accounts in batches, in the order of their ids, each
    batch committed with its progress: installing takes seconds whatever the
    history, nothing locks the big tables for long, and a run stopped
    halfway (a restart, a killed worker) resumes from the last batch it
    committed. Each batch reads the documents of its accounts as the module
    would have, had it been there (``tools/history.py``), then puts their
    figures right (last touch, neglect moment). Until an account is read
    by a run that reads touches, its figures say so and the neglect watch
    leaves it alone. A database small enough is read at once.
    """

    _name = "client_value.history.run"
    _description = "Client History Reading"
    _order = "id"

    kind = fields.Selection(KINDS, required=True, readonly=True)
    source_models = fields.Char(
        readonly=True, help="The models whose documents are read (comma-separated)."
    )
    state = fields.Selection(
        [("pending", "Waiting"), ("running", "Reading"), ("done", "Done")],
        default="pending",
        required=True,
        readonly=True,
    )
    last_account_id = fields.Integer(
        readonly=True, help="The run reads the accounts up to this id."
    )
    cursor = fields.Integer(
        readonly=True, help="The last account read: the run resumes after it."
    )
    total = fields.Integer(string="Accounts", readonly=True)
    done = fields.Integer(string="Accounts Read", readonly=True)
    date_done = fields.Datetime(string="Finished On", readonly=True)
    progress = fields.Float(compute="_compute_progress")

    @api.depends("total", "done")
    def _compute_progress(self):
        for run in self:
            run.progress = 100.0 * run.done / run.total if run.total else 100.0

    # ------------------------------------------------------------------
    # Starting a run
    # ------------------------------------------------------------------

    @api.model
    def _start(self, kind, source_models=()):
        """Read ``kind`` for every account: at once on a small database,
        else in the background (the scheduled action is triggered)."""
        # sudo: the runs are the module's own bookkeeping, whoever starts one
        runs = self.sudo()
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        [(total, last)] = self.env.execute_query(
            SQL(
                "SELECT count(*), COALESCE(max(id), 0) FROM res_partner "
                "WHERE id = commercial_partner_id"
            )
        )
        run = runs.create(
            {
                "kind": kind,
                "source_models": ",".join(source_models),
                "last_account_id": last,
                "total": total,
            }
        )
        if total <= INLINE_ACCOUNTS:
            run._read(commit=False)
        else:
            _logger.info(
                "Client history: %s accounts to read in the background (%s).",
                total,
                kind,
            )
            cron = self.env.ref(CRON, raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
        return run

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_read_history(self, batch_size=None):
        """Read the runs not done, oldest first, a batch at a time, each
        batch committed (in tests: a savepoint)."""
        commit = not getattr(threading.current_thread(), "testing", False)
        # sudo: the runs are the module's own bookkeeping
        for run in self.sudo().search([("state", "!=", "done")]):
            run._read(commit=commit, batch_size=batch_size)

    def _read(self, commit, batch_size=None):
        self.ensure_one()
        batch_size = batch_size or BATCH_ACCOUNTS
        if self.state == "pending":
            # The partial indexes the module reads (at install, and any a new
            # version adds), built without blocking writers on a live
            # database.
            self.env["client_value.care"]._create_indexes(concurrently=commit)
            self._gather_statistics()
            self.state = "running"
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        while True:
            batch = self._next_batch(batch_size)
            if not batch:
                break
            with self.env.cr.savepoint():
                self._read_batch(batch)
                self.write({"cursor": batch[-1], "done": self.done + len(batch)})
            cron_progress(
                self.env,
                len(batch),
                self.done,
                max(self.total - self.done, 0),
                commit,
            )
        self._finish()
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _gather_statistics(self):
        """Gather the planner's statistics of the tables the run reads, before
        its first batch. The columns install added have none, and a database
        filled in bulk (an import, a restore) with autovacuum behind or off
        may have none at all: the planner then takes the messages of the
        documents read for a few hundred, and compares each with each of the
        batch's records (the first batch of 200,000 accounts ran for more
        than 27 minutes instead of seconds). ANALYZE reads a sample of each
        table, so its cost does not grow with the table."""
        tables = {"res_partner", "mail_message", "mail_activity"}
        tables.update(
            touch_rule.SOURCE_BY_MODEL[model].table
            for model in (self.source_models or "").split(",")
            if model in touch_rule.touch_models(self.env)
        )
        self.env.cr.execute(
            SQL("ANALYZE %s", SQL(", ").join(map(SQL.identifier, sorted(tables))))
        )

    def _next_batch(self, batch_size):
        """The next accounts to read: ids after the cursor, up to the last
        account of the run."""
        return [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT id FROM res_partner WHERE id = commercial_partner_id "
                    "AND id > %s AND id <= %s ORDER BY id LIMIT %s",
                    self.cursor,
                    self.last_account_id,
                    batch_size,
                )
            )
        ]

    def _read_batch(self, account_ids):
        """Read one batch of accounts; their figures follow."""
        env = self.env
        if self.kind in READING and self.source_models:
            models_ = [
                model
                for model in self.source_models.split(",")
                if model in touch_rule.touch_models(env)
            ]
            analyze = self._statistics_due(len(account_ids))
            history.read_history(env, models_, account_ids, analyze=analyze)
        elif self.kind == "targets":
            history.replan_accounts(env, account_ids)
        env["client_value.care"]._refresh_last_touch(account_ids)
        env["client_value.neglect.watch"]._refresh_moments(account_ids)

    def _statistics_due(self, batch_size):
        """Whether this batch gathers the planner's statistics of the
        columns it fills: on the first batch, then each time the number of
        batches read doubles. Without them the planner takes the columns
        the run fills for nearly empty, and answers, plans and figures row
        by row; with them as of half the accounts read, it stays within a
        factor of two."""
        batches = self.done // max(batch_size, 1)
        return batches & (batches + 1) == 0

    def _finish(self):
        self.write(
            {
                "state": "done",
                "date_done": fields.Datetime.now(),
                "done": max(self.done, self.total),
            }
        )
        _logger.info("Client history: %s read (%s accounts).", self.kind, self.done)

    # ------------------------------------------------------------------
    # Accounts not read yet
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        runs = super().create(vals_list)
        self.env.registry.clear_cache()
        return runs

    def write(self, vals):
        result = super().write(vals)
        if {"state", "cursor"} & set(vals):
            self.env.registry.clear_cache()
        return result

    @api.model
    def _reading(self):
        """The run reading touches now, if any (sudo)."""
        # sudo: whether the history is being read decides what figures say
        return self.sudo().search(
            [("state", "!=", "done"), ("kind", "in", READING)], limit=1
        )

    @api.model
    @tools.ormcache()
    def _unread_range(self):
        """(cursor, last account id) of the run reading touches, or None:
        the accounts in between are not read yet. Read once per process
        until a run moves on: the watch and the figures ask often."""
        run = self._reading()
        return (run.cursor, run.last_account_id) if run else None

    @api.model
    def _unread_sql(self, alias):
        """SQL: the account ``alias`` (a res_partner alias) is not read yet
        by the run reading touches (FALSE when none runs)."""
        unread = self._unread_range()
        if not unread:
            return SQL("FALSE")
        return SQL(
            "(%s.id > %s AND %s.id <= %s)", SQL(alias), unread[0], SQL(alias), unread[1]
        )

    @api.model
    def _unread(self, account_ids):
        """The ids among ``account_ids`` not read yet."""
        unread = self._unread_range()
        if not unread:
            return set()
        return {aid for aid in account_ids if unread[0] < aid <= unread[1]}

    @api.model
    def _banner(self):
        """What the settings say while a run reads: a sentence, or None."""
        run = self._reading() or self.sudo().search([("state", "!=", "done")], limit=1)
        if not run:
            return None
        progress = "%d%%" % round(run.progress)
        done = formatLang(self.env, run.done, digits=0)
        total = formatLang(self.env, run.total, digits=0)
        return self.env._(
            "Reading the client history: %(progress)s — %(done)s of %(total)s "
            "accounts. Their figures show once they are read; until then the "
            "neglect watch leaves them alone.",
            progress=progress,
            done=done,
            total=total,
        )
