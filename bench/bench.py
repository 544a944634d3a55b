"""`make bench`: the neglect watch, care summaries and impact pipeline at scale.

For each size N (accounts) a fresh database holds the base modules only;
the script then
1. generates the core CRM history in SQL (bench/generate.py),
2. times the installation of client_value on that data,
3. adds the module's own layer (service requests, classified messages, a
   controlled share of neglected accounts), then vacuums the tables as
   autovacuum would have before the next daily run,
4. measures, each in its own process (wall time, SQL queries, peak memory):
   the lower bound (one hand-written SQL query for the flag set), the
   neglect cron's first run and its steady-state re-run, the frequent run
   when requests came due and when nothing did, the care summary of
   every account, a page of the customer list sorted by last touch, and
   read_group of weighted_impact by salesperson and stage,
5. checks the cron flagged exactly the lower bound's set,
and prints a table and writes JSON under bench/results/.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VACUUMED = ("res_partner", "crm_lead", "mail_activity", "mail_message")
RESULTS = HERE / "results"

# The flag set, written by hand from the rule, reading the tables through the
# module's partial indexes: late waiting requests (open service requests and
# unanswered client emails whose due moment has passed), done touches by
# date, answered requests by date and outgoing messages by date, on contacts,
# opportunities and the documents of each installed app. Single company.
# Deliberately written apart from the module's own query, so that the
# equality check means something.
RECORD_JOINS = {
    "res.partner": "JOIN res_partner p ON p.id = {t}.res_id",
    "crm.lead": "JOIN crm_lead d ON d.id = {t}.res_id "
    "JOIN res_partner p ON p.id = d.partner_id",
    "sale.order": "JOIN sale_order d ON d.id = {t}.res_id "
    "JOIN res_partner p ON p.id = d.partner_id",
    "account.move": "JOIN account_move d ON d.id = {t}.res_id "
    "AND d.move_type IN ('out_invoice', 'out_refund') "
    "JOIN res_partner p ON p.id = d.partner_id",
    "project.task": "JOIN project_task d ON d.id = {t}.res_id "
    "JOIN res_partner p ON p.id = d.partner_id",
}
# Each condition is the predicate of one of the module's partial indexes
# (written out here, not imported), so that the hand-written query reads the
# same indexes as the module's: the lower bound is the cost of the flag set
# itself, not of a slower plan.
WAITING = (
    "SELECT p.commercial_partner_id AS account_id FROM mail_activity a {join} "
    "WHERE a.res_model = '{model}' AND a.is_service_request IS TRUE "
    "AND a.date_answered IS NULL "
    "AND COALESCE(a.answer_due, a.date_requested, a.create_date) <= %(now)s",
    "SELECT p.commercial_partner_id FROM mail_message m {join} "
    "WHERE m.model = '{model}' AND m.client_touch = 'incoming' "
    "AND m.date_answered IS NULL "
    "AND COALESCE(m.answer_due, m.client_touch_date) <= %(now)s",
)
TOUCHED = """
    SELECT a.res_model AS model, a.res_id FROM mail_activity a
     WHERE a.touch_kind IS NOT NULL AND a.is_service_request IS NOT TRUE
       AND a.active IS NOT TRUE AND a.done_datetime IS NOT NULL
       AND a.done_datetime >= %(window_start)s
    UNION ALL
    SELECT a.res_model, a.res_id FROM mail_activity a
     WHERE a.is_service_request IS TRUE
       AND (a.client_value_no_reply_reason IS NULL
            OR a.client_value_no_reply_reason = 'offline')
       AND a.date_answered IS NOT NULL AND a.date_answered >= %(window_start)s
    UNION ALL
    SELECT m.model, m.res_id FROM mail_message m
     WHERE m.client_touch = 'outgoing' AND m.client_touch_date IS NOT NULL
       AND m.client_touch_date >= %(window_start)s
    UNION ALL
    SELECT m.model, m.res_id FROM mail_message m
     WHERE m.client_touch = 'incoming'
       AND (m.client_value_no_reply_reason IS NULL
            OR m.client_value_no_reply_reason = 'offline')
       AND m.date_answered IS NOT NULL AND m.date_answered >= %(window_start)s
"""


def lower_bound_query(models):
    """The hand-written flag set over the records of ``models``."""
    waiting = "\n UNION \n".join(
        branch.format(join=RECORD_JOINS[model].format(t=alias), model=model)
        for model in models
        for branch, alias in zip(WAITING, ("a", "m"), strict=True)
    )
    rescued = "\n UNION \n".join(
        "SELECT p.commercial_partner_id AS account_id FROM touched t "
        f"{RECORD_JOINS[model].format(t='t')} WHERE t.model = '{model}'"
        for model in models
    )
    return f"""
WITH waiting AS ({waiting}),
touched AS ({TOUCHED}),
rescued AS ({rescued})
SELECT w.account_id FROM waiting w
  JOIN res_partner acc ON acc.id = w.account_id AND acc.active
EXCEPT
SELECT account_id FROM rescued
"""


def _env(conf, db):
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {}), cr


def measure(conf, db, name, accounts):
    """One measurement, in this (fresh) process; prints one JSON line."""
    import odoo.fields
    import odoo.sql_db

    env, cr = _env(conf, db)
    result = {}
    sys.path.insert(0, str(HERE))
    import generate

    queries = odoo.sql_db.sql_counter
    start = time.perf_counter()
    if name == "core":
        result["rows"] = generate.core(env, accounts)
    elif name == "history":
        runs = env["client_value.history.run"]
        result["accounts"] = sum(runs.search([]).mapped("total"))
        runs._cron_read_history()
        result["pending"] = runs.search_count([("state", "!=", "done")])
    elif name == "layer":
        result["rows"] = generate.client_value_layer(env)
    elif name == "lower_bound":
        window_start = env["client_value.care"]._day_start(30)
        models = [model for model in RECORD_JOINS if model in env]
        query = lower_bound_query(models)
        result["models"] = models
        now = odoo.fields.Datetime.now()
        best, ids = None, []
        # Without JIT compilation, which only slows this query down (the
        # module's query runs without it too): the best the query can do.
        cr.execute("SET LOCAL jit = off")
        for _i in range(3):
            t0 = time.perf_counter()
            cr.execute(query, {"window_start": window_start, "now": now})
            ids = sorted(row[0] for row in cr.fetchall())
            best = min(best or 1e9, time.perf_counter() - t0)
        result["best_seconds"] = best
        result["ids"] = ids
    elif name == "cron":
        env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        cr.execute("SELECT id FROM res_partner WHERE client_neglected ORDER BY id")
        result["ids"] = [row[0] for row in cr.fetchall()]
    elif name == "watch_due":
        # The same number of requests come due at every size: 1 % of the
        # waiting requests of 100,000 accounts, so that comparing sizes
        # shows what the database's size adds to a frequent run.
        scale = 100_000 / max(accounts, 100_000)
        count = round(0.01 * generate.waiting_count(env) * scale)
        result["came_due"], result["quiet"] = generate.requests_come_due(env, count)
        cr.commit()
        # The scheduled action runs in a worker that has run before: the
        # registry's field triggers, built lazily by a process's first write,
        # are built already (0.16 s at 20,000 accounts, whatever came due).
        env.registry._field_triggers  # noqa: B018
        queries, start = odoo.sql_db.sql_counter, time.perf_counter()
        result["flagged"] = env["client_value.neglect.watch"]._cron_watch()
    elif name == "watch_steady":
        result["flagged"] = env["client_value.neglect.watch"]._cron_watch()
    elif name == "care":
        cr.execute(
            "SELECT id FROM res_partner WHERE is_company AND ref LIKE 'bench-%%'"
        )
        accounts_rs = env["res.partner"].browse([row[0] for row in cr.fetchall()])
        # Exported as the web client exports a list: three figures of the
        # care summary of every account (one computation gives them all).
        figures = ["touch_count", "waiting_request_count", "avg_response_hours"]
        rows = accounts_rs.export_data(["name", *figures])["datas"]
        result["touches"] = sum(row[1] for row in rows)
        result["accounts"] = len(rows)
    elif name == "list":
        # The customer list, 80 accounts a page, sorted by last touch, as
        # the web client reads it.
        Partner = env["res.partner"]
        fields = [
            "display_name",
            "email",
            "user_id",
            "last_touch_date",
            "last_touch_kind",
        ]
        timings = []
        for _i in range(3):
            env.invalidate_all()
            t0 = time.perf_counter()
            Partner.web_search_read(
                [("is_company", "=", True)],
                {name: {} for name in fields},
                limit=80,
                order="last_touch_date desc",
            )
            timings.append(time.perf_counter() - t0)
        result["best_seconds"] = min(timings)
    elif name == "read_group":
        Lead = env["crm.lead"]
        timings = {}
        for group in ("user_id", "stage_id"):
            t0 = time.perf_counter()
            groups = Lead._read_group(
                [("type", "=", "opportunity")], [group], ["weighted_impact:sum"]
            )
            timings[group] = time.perf_counter() - t0
            result[f"groups_{group}"] = len(groups)
        result["by"] = timings
    result["seconds"] = time.perf_counter() - start
    result["queries"] = odoo.sql_db.sql_counter - queries
    cr.commit()
    cr.close()
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH_RESULT " + json.dumps(result))


def run(conf, db, name, accounts=0):
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--conf",
            conf,
            "--measure",
            name,
            "--db",
            db,
            str(accounts),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT ") :])
    sys.stderr.write(out.stdout[-3000:] + out.stderr[-5000:])
    raise SystemExit(f"bench step {name} failed on {db}")


def bench_size(conf, odoo_bin, n):
    # Databases of another series than 18.0 carry its suffix (scripts/lib.sh).
    db = f"client_value_bench_{n}{os.environ.get('DB_SUFFIX', '')}"
    print(f"== {n} accounts ({db})", flush=True)
    r = {"accounts": n, "core": run(conf, db, "core", n)}
    print(
        "   generated", r["core"]["rows"], f"in {r['core']['seconds']:.1f}s", flush=True
    )
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            odoo_bin,
            "-c",
            conf,
            "-d",
            db,
            "-i",
            "client_value",
            "--stop-after-init",
            "--max-cron-threads=0",
            "--log-level=warn",
        ],
        check=True,
    )
    r["install_seconds"] = time.perf_counter() - t0
    print(f"   installed client_value in {r['install_seconds']:.1f}s", flush=True)
    # What install left to the background: the history, read by its
    # scheduled action a batch of accounts at a time.
    r["history"] = run(conf, db, "history")
    print(f"   history read in {r['history']['seconds']:.1f}s", flush=True)
    r["layer"] = run(conf, db, "layer")
    # The daily cron runs on tables autovacuum has visited: do it now.
    subprocess.run(
        ["psql", "-X", "-q", "-d", db]
        + [f"-c VACUUM ANALYZE {table}" for table in VACUUMED],
        check=True,
    )
    r["lower_bound"] = run(conf, db, "lower_bound")
    r["cron_first"] = run(conf, db, "cron")
    r["cron_steady"] = run(conf, db, "cron")
    r["watch_due"] = run(conf, db, "watch_due", n)
    r["watch_steady"] = run(conf, db, "watch_steady")
    r["care"] = run(conf, db, "care")
    r["list"] = run(conf, db, "list")
    r["read_group"] = run(conf, db, "read_group")
    expected = r["lower_bound"].pop("ids")
    flagged = r["cron_first"].pop("ids")
    steady_flagged = r["cron_steady"].pop("ids")
    r["flagged"] = len(flagged)
    r["sets_equal"] = flagged == expected and steady_flagged == expected
    r["steady_over_lower_bound"] = (
        r["cron_steady"]["seconds"] / r["lower_bound"]["best_seconds"]
    )
    return r


def table(results):
    rows = [
        ("accounts", lambda r: f"{r['accounts']:,}"),
        (
            "activities / messages",
            lambda r: "{:,} / {:,}".format(
                r["layer"]["rows"]["mail_activity"], r["layer"]["rows"]["mail_message"]
            ),
        ),
        (
            "orders / invoices / tasks",
            lambda r: " / ".join(
                "{:,}".format(r["layer"]["rows"].get(table, 0))
                for table in ("sale_order", "account_move", "project_task")
            ),
        ),
        ("install client_value (s)", lambda r: f"{r['install_seconds']:.1f}"),
        ("history read after install (s)", lambda r: f"{r['history']['seconds']:.1f}"),
        ("lower bound SQL (s)", lambda r: f"{r['lower_bound']['best_seconds']:.3f}"),
        ("cron first run (s)", lambda r: f"{r['cron_first']['seconds']:.2f}"),
        (
            "  queries / peak MB",
            lambda r: "{} / {:.0f}".format(
                r["cron_first"]["queries"], r["cron_first"]["peak_mb"]
            ),
        ),
        ("cron steady re-run (s)", lambda r: f"{r['cron_steady']['seconds']:.3f}"),
        (
            "  queries / peak MB",
            lambda r: "{} / {:.0f}".format(
                r["cron_steady"]["queries"], r["cron_steady"]["peak_mb"]
            ),
        ),
        ("steady / lower bound", lambda r: f"{r['steady_over_lower_bound']:.2f}"),
        (
            "frequent run: requests came due / flagged",
            lambda r: "{:,} / {:,}".format(
                r["watch_due"]["came_due"], r["watch_due"]["flagged"]
            ),
        ),
        (
            "frequent run, requests came due (s)",
            lambda r: f"{r['watch_due']['seconds']:.3f}",
        ),
        ("  queries", lambda r: str(r["watch_due"]["queries"])),
        (
            "frequent run, nothing due (s)",
            lambda r: f"{r['watch_steady']['seconds']:.3f}",
        ),
        ("  queries", lambda r: str(r["watch_steady"]["queries"])),
        ("flagged accounts", lambda r: f"{r['flagged']:,}"),
        ("cron set == lower bound set", lambda r: str(r["sets_equal"])),
        ("care summary, all accounts (s)", lambda r: f"{r['care']['seconds']:.2f}"),
        ("  queries", lambda r: str(r["care"]["queries"])),
        (
            "customer list page, 80 by last touch (s)",
            lambda r: f"{r['list']['best_seconds']:.3f}",
        ),
        (
            "read_group weighted_impact by user (s)",
            lambda r: f"{r['read_group']['by']['user_id']:.3f}",
        ),
        (
            "read_group weighted_impact by stage (s)",
            lambda r: f"{r['read_group']['by']['stage_id']:.3f}",
        ),
    ]
    width = max(len(label) for label, _f in rows)
    lines = []
    for label, fmt in rows:
        cells = "".join(f"{fmt(r):>28}" for r in results)
        lines.append(f"{label:<{width}}{cells}")
    if len(results) == 2:
        a, b = results
        for label, key in (
            ("2N/N cron first run", lambda r: r["cron_first"]["seconds"]),
            ("2N/N cron steady re-run", lambda r: r["cron_steady"]["seconds"]),
            ("2N/N frequent run, came due", lambda r: r["watch_due"]["seconds"]),
            ("2N/N lower bound", lambda r: r["lower_bound"]["best_seconds"]),
            ("2N/N care summary", lambda r: r["care"]["seconds"]),
            ("2N/N install", lambda r: r["install_seconds"]),
            ("2N/N history read", lambda r: r["history"]["seconds"]),
        ):
            lines.append(f"{label:<{width}}{key(b) / key(a):>28.2f}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conf", required=True)
    parser.add_argument("--odoo-bin")
    parser.add_argument("--measure")
    parser.add_argument("--db")
    parser.add_argument("sizes", nargs="*", type=int)
    args = parser.parse_args()
    if args.measure:
        return measure(args.conf, args.db, args.measure, (args.sizes or [0])[0])
    results = []
    for n in args.sizes:
        results.append(bench_size(args.conf, args.odoo_bin, n))
        print(table(results[-1:]), flush=True)
    text = table(results)
    print()
    print(text)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"bench-{'-'.join(map(str, args.sizes))}-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, sort_keys=True))
    print(f"\nresults written to {path.relative_to(HERE.parent)}")
    if not all(r["sets_equal"] for r in results):
        raise SystemExit("the cron's flag set differs from the lower bound's")


if __name__ == "__main__":
    main()
