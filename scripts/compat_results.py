"""Results of Odoo's own test suites, without and with client_value.

Used by `make compat` (scripts/compat.sh) in three ways:

- as a pytest plugin (``-p compat_results --compat-results=FILE``): records
  the outcome of every test id, collection errors included, and pytest's exit
  status into a JSON file;
- ``python compat_results.py key ...``: prints the cache key of the baseline
  results: the content hash of the template's modules (click-odoo-initdb's
  key), Odoo's core, the suites, the virtualenv and this script;
- ``python compat_results.py compare BASELINE ADDON``: prints both sides'
  counts and the tests that fail only with client_value; exits 1 when there
  are any, 2 when a run is unusable (crashed, interrupted, nothing ran).
"""

import argparse
import hashlib
import json
import os
import sys
import time

import pytest

FAILING = ("failed", "error")
# pytest exit statuses of a run that executed and reported its tests.
USABLE_EXIT = (0, 1)  # all passed / some failed


# --- pytest plugin ---------------------------------------------------------


def pytest_addoption(parser):
    parser.addoption(
        "--compat-results",
        metavar="FILE",
        help="write each test's outcome and the exit status to FILE (JSON)",
    )


class _Recorder:
    def __init__(self, path):
        self.path = path
        self.outcomes = {}
        self.messages = {}
        self.started = time.time()

    def _message(self, report):
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash else str(report.longrepr or "")
        return (text.strip().splitlines() or [""])[0][:300]

    @pytest.hookimpl
    def pytest_collectreport(self, report):
        if report.failed:
            self.outcomes[report.nodeid] = "error"
            self.messages[report.nodeid] = self._message(report)

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        previous = self.outcomes.get(report.nodeid)
        if report.failed:
            outcome = "failed" if report.when == "call" else "error"
            if previous not in FAILING:
                self.outcomes[report.nodeid] = outcome
                self.messages[report.nodeid] = self._message(report)
        elif report.skipped:
            if previous is None:
                self.outcomes[report.nodeid] = "skipped"
        elif report.when == "call" and previous is None:
            self.outcomes[report.nodeid] = "passed"

    @pytest.hookimpl
    def pytest_sessionfinish(self, session, exitstatus):
        data = {
            "exitstatus": int(exitstatus),
            "collected": session.testscollected,
            "duration": round(time.time() - self.started, 1),
            "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "outcomes": self.outcomes,
            "messages": self.messages,
        }
        with open(self.path, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)


def pytest_configure(config):
    path = config.getoption("--compat-results")
    if path:
        config.pluginmanager.register(_Recorder(path), "compat_results_recorder")


# --- cache keys --------------------------------------------------------------


def _tree_hash(top, h):
    """Hash file names and contents under top, in a stable order."""
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, top).encode())
            with open(path, "rb") as f:
                h.update(f.read())


def cmd_key(args):
    h = hashlib.sha256()
    for part in (args.modules_hash, args.odoo_src, args.venv, *args.suites):
        h.update(part.encode() + b"\0")
    # Odoo's core (ORM, test framework) is not a module: hash it too.
    _tree_hash(os.path.join(args.odoo_src, "odoo"), h)
    with open(__file__, "rb") as f:
        h.update(f.read())
    print(h.hexdigest()[:16])


# --- comparison ----------------------------------------------------------------


def _load(path, label):
    """The results of one side, or None with the reason printed."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{label}: no usable results ({e}): the run crashed")
        return None
    status = data.get("exitstatus")
    ran = [k for k, v in data["outcomes"].items() if v != "skipped"]
    if status not in USABLE_EXIT:
        print(
            f"{label}: pytest stopped with exit status {status} (interrupted,"
            " internal or usage error, or no test collected): see its output"
        )
        return None
    if not ran:
        print(f"{label}: no test ran")
        return None
    return data


def _counts(data):
    values = list(data["outcomes"].values())
    return ", ".join(
        f"{values.count(k)} {k}"
        for k in ("passed", "failed", "error", "skipped")
        if values.count(k) or k in ("passed", "failed")
    )


def _print_ids(ids, data, limit=None):
    ids = sorted(ids)
    for test_id in ids[:limit]:
        message = data["messages"].get(test_id, "")
        print(f"  {test_id}" + (f"\n      {message}" if message else ""))
    if limit and len(ids) > limit:
        print(f"  ... and {len(ids) - limit} more")


def cmd_compare(args):
    base = _load(args.baseline, "without client_value")
    addon = _load(args.addon, "with client_value")
    if base is None or addon is None:
        return 2
    bo, ao = base["outcomes"], addon["outcomes"]
    base_failing = {k for k, v in bo.items() if v in FAILING}
    addon_failing = {k for k, v in ao.items() if v in FAILING}
    only_addon = addon_failing - base_failing
    # Tests that ran without client_value but were skipped or never
    # collected with it: hidden failures count too.
    not_run = {
        k for k, v in bo.items() if v == "passed" and ao.get(k) in (None, "skipped")
    }

    print(f"without client_value: {len(bo)} tests: {_counts(base)}{args.baseline_note}")
    print(f"with client_value:    {len(ao)} tests: {_counts(addon)}")
    print(f"failing without client_value too (not ours): {len(base_failing)}")
    _print_ids(base_failing, base)
    fixed = {k for k in base_failing if ao.get(k) == "passed"}
    if fixed:
        print(f"failing without client_value but passing with it: {len(fixed)}")
        _print_ids(fixed, base)
    print()
    print(f"{len(only_addon)} tests of Odoo's suites fail only with client_value")
    _print_ids(only_addon, addon)
    if not_run:
        print(f"{len(not_run)} tests pass without client_value but did not run with it")
        _print_ids(not_run, base, limit=30)
    return 1 if only_addon or not_run else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    key = sub.add_parser("key", help="cache key of the baseline results")
    key.add_argument("--modules-hash", required=True)
    key.add_argument("--odoo-src", required=True)
    key.add_argument("--venv", required=True)
    key.add_argument("suites", nargs="+")
    compare = sub.add_parser("compare", help="compare the two sides")
    compare.add_argument("baseline")
    compare.add_argument("addon")
    compare.add_argument("--baseline-note", default="")
    args = parser.parse_args(argv)
    if args.command == "key":
        cmd_key(args)
        return 0
    return cmd_compare(args)


if __name__ == "__main__":
    sys.exit(main())
