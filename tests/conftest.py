"""pytest-odoo glue for the top-level test suite.

Odoo gives test classes their module and tags only under ``odoo.addons``;
these tests live outside the addon, so they are attributed here. Every
skipped test fails the run: a skipped test is not a passed one.
"""

import pytest

_SKIPPED = []


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        cls = getattr(item, "cls", None)
        if cls is not None and not hasattr(cls, "test_module"):
            cls.test_module = "client_value"
            cls.test_class = cls.__name__
            cls.test_sequence = 0


def pytest_runtest_logreport(report):
    if report.skipped:
        _SKIPPED.append(report.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if _SKIPPED and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    from .smtp import REPORTED

    if REPORTED:
        terminalreporter.section("real parts")
        for line in REPORTED:
            terminalreporter.write_line(line)
    if _SKIPPED:
        terminalreporter.write_line(
            "FAILED: %d skipped test(s); the suite allows no skips:" % len(_SKIPPED),
            red=True,
        )
        for nodeid in _SKIPPED:
            terminalreporter.write_line("  " + nodeid, red=True)
