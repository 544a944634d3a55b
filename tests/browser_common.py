"""Base class of the browser tests: Odoo's tours in headless Chromium.

Odoo's ``ChromeBrowser`` turns every browser problem (no executable, no
devtools port) into a skipped test. Here a browser that cannot run is a
failure with a message naming the package to install, since ``make test``
must always run the browser tests.
"""

import base64
import contextlib
import json
import os
import struct
import unittest
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

from pytz import utc

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import HttpCase, common, new_test_user
from odoo.tests.common import (
    TEST_CURSOR_COOKIE_NAME,
    ChromeBrowser,
    _find_executable,
    get_db_name,
)

CHROMIUM_MISSING = (
    "Chromium is required by the browser tests and was not found. Install "
    "Debian's package: apt-get install chromium (make test does it when run "
    "as root), or point ODOO_BROWSER_BIN at a Chromium executable."
)
# Headless switches the tests rely on: no sandbox (root in containers), no
# GPU (none on CI), no background traffic (no network besides Odoo).
REQUIRED_SWITCHES = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
)
# The bundles a backend page loads, built once per database (see below).
WEB_BUNDLES = (
    "web.assets_web",
    "web.assets_web_print",
    "web.assets_tests",
    "bus.websocket_worker_assets",
)
DESCRIPTION_DIR = (
    Path(__file__).resolve().parents[1] / "client_value/static/description"
)
# Resolves true once the selector matches, Odoo shows no loading indicator,
# fonts are loaded, transitions are over and two frames were painted; polls
# in the page so the devtools connection is not flooded. With ``scroll``, the
# element is first scrolled to the top of its view.
READY_JS = """(async () => {
    const ready = () => document.querySelector(%(selector)s)
        && !document.querySelector(".o_loading_indicator, .o_blockUI");
    for (let i = 0; i < 10 && !ready(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!ready()) {
        return false;
    }
    if (%(scroll)s) {
        document.querySelector(%(selector)s).scrollIntoView({block: "start"});
    }
    await document.fonts.ready;
    // Transitions still running (a tab fading in) end first; endless
    // animations (spinners) are not waited for.
    const ends = (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity;
    await Promise.all(
        document.getAnimations().filter(ends).map((a) => a.finished.catch(() => null))
    );
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return Boolean(ready());
})()"""
# Clicks the element once it is shown (e.g. a notebook tab); true when done.
CLICK_JS = """(() => {
    const element = document.querySelector(%(selector)s);
    if (!element || document.querySelector(".o_loading_indicator, .o_blockUI")) {
        return false;
    }
    element.click();
    return true;
})()"""


def raw_email(sender, subject, body, when):
    """A plain raw email from ``sender`` at ``when`` (naive UTC)."""
    return (
        "\r\n".join(
            [
                f"From: {sender}",
                "To: sales@example.com",
                f"Subject: {subject}",
                f"Message-ID: <cv-browser-{abs(hash((sender, subject)))}@example.com>",
                f"Date: {format_datetime(utc.localize(when))}",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "",
                body,
            ]
        )
        + "\r\n"
    )


def screenshot_dir():
    """Where screenshots go.

    ``make screenshots`` (``CLIENT_VALUE_SCREENSHOTS=update``) refreshes the
    committed pictures of the app page; every other run writes to the ignored
    ``tmp/`` folder so that running the tests never dirties the checkout.
    """
    if os.environ.get("CLIENT_VALUE_SCREENSHOTS") == "update":
        return DESCRIPTION_DIR
    return DESCRIPTION_DIR / "tmp"


def png_size(data):
    """(width, height) of PNG bytes, read from the IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", data[16:24])


class BrowserCase(HttpCase):
    browser_size = "1366x768"

    @classmethod
    def setUpClass(cls):
        cls._build_web_assets()
        super().setUpClass()
        if common.websocket is None:
            raise AssertionError(
                "websocket-client drives the browser: install requirements/dev.txt"
            )
        try:
            _find_executable()
        except unittest.SkipTest as exc:
            raise AssertionError(CHROMIUM_MISSING) from exc

    @classmethod
    def _setup_clinic(cls, name, salesman):
        """A clinic of ``salesman``, its contact Alice (with an email) and
        her opportunity, named after ``name``."""
        Partner = cls.env["res.partner"]
        clinic = Partner.create(
            {"name": f"{name} Clinic", "is_company": True, "user_id": salesman.id}
        )
        alice = Partner.create(
            {
                "name": f"Alice {name}",
                "parent_id": clinic.id,
                "email": f"alice@{name.lower()}-clinic.example.com",
            }
        )
        deal = cls.env["crm.lead"].create(
            {
                "name": f"{name} Clinic booking",
                "type": "opportunity",
                "partner_id": alice.id,
                "user_id": salesman.id,
                "team_id": False,
            }
        )
        return clinic, alice, deal

    def receive(self, record, contact, subject, body, days_ago):
        """The client's raw email through the gateway, ``days_ago`` days ago."""
        when = fields.Datetime.now().replace(microsecond=0) - timedelta(days=days_ago)
        raw = raw_email(f"{contact.name} <{contact.email}>", subject, body, when)
        self.env["mail.thread"].message_process(record._name, raw, thread_id=record.id)
        self.env.flush_all()
        return record.message_ids.filtered(lambda m: m.subject == subject)

    @classmethod
    def _setup_client_care(cls, login, groups):
        """The settings the browser tests read (no tracking, a 30-day
        window, client emails as requests) and the salesperson who drives
        the browser, whose password is the login."""
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("client_value.neglect_window_days", "30")
        params.set_param("client_value.count_incoming_email", "True")
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            name="Mia Salesman",
            groups=groups,
            tz="UTC",
        )

    @classmethod
    def _build_web_assets(cls):
        """Build the web client's bundles in a committed transaction.

        A browser test rolls back all it creates, generated bundles included:
        without this, every test would build them again, which takes tens of
        seconds on a small machine. Bundles already built are reused.
        """
        with Registry(get_db_name()).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for name in WEB_BUNDLES:
                bundle = env["ir.qweb"]._get_asset_bundle(name)
                bundle.js()
                bundle.css()

    def browser_js(self, *args, **kwargs):
        try:
            return super().browser_js(*args, **kwargs)
        except unittest.SkipTest as exc:
            self.fail("the browser could not run (%s). %s" % (exc, CHROMIUM_MISSING))

    def assertScreenshot(self, path, switches):
        self.assertEqual(png_size(path.read_bytes()), (1366, 768))
        # The browser runs headless, without sandbox, GPU or background traffic.
        for switch in REQUIRED_SWITCHES:
            self.assertIn(switch, switches)

    def take_client_care_screenshot(self, name, account, user):
        """Save ``<name>.png`` of the Client Care tab of ``account``, as
        ``user`` sees it once its timeline is shown."""
        tab = ".o_form_view .o_notebook .nav-link[name='client_care']"
        return self.take_screenshot(
            name,
            "/odoo/action-base.action_partner_form/%d" % account.id,
            tab,
            login=user.login,
            click=tab,
            shown=".o_notebook:has(.nav-link.active[name='client_care'])"
            ":has(.o_field_widget[name='account_touch_ids'] .o_data_row)",
        )

    def take_screenshot(
        self, name, url_path, selector, login, click=None, shown=None, until_js=None
    ):
        """Save ``<name>.png`` of ``url_path`` as ``login`` sees it.

        The page is opened in a fresh headless Chromium, like a tour, and
        captured once ``selector`` is shown and the page has settled. With
        ``click`` (e.g. a notebook tab), that element is clicked first, then
        the capture waits for ``shown`` and scrolls it to the top, so a page
        below the fold is in the picture. ``until_js``, a JS expression, is
        awaited too (for charts whose data arrives after they are drawn).
        Returns the path of the PNG and the command line of the browser.
        """
        try:
            browser = ChromeBrowser(self)
        except unittest.SkipTest as exc:
            self.fail("the browser could not run (%s). %s" % (exc, CHROMIUM_MISSING))
        # 19.0 lets a browser in through allow_requests(); 18.0 through the
        # test's request key and cookie, set by hand.
        allow_requests = getattr(self, "allow_requests", None)
        with contextlib.ExitStack() as stack:
            if allow_requests:  # 19.0
                stack.enter_context(allow_requests(browser=browser))
            else:  # 18.0
                self.http_request_key = self.canonical_tag + "_screenshot"

                def restore_key():
                    self.http_request_key = self.canonical_tag
                    self.opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key

                stack.callback(restore_key)
            stack.callback(self._wait_remaining_requests)
            stack.callback(browser.stop)
            cmdline = Path("/proc/%d/cmdline" % browser.chrome.pid).read_bytes()
            self.authenticate(login, login, browser=browser)
            self.http_request_strict_check = True
            self.cr.flush()
            self.cr.clear()
            browser.navigate_to(self.base_url() + url_path)
            ready = READY_JS % {"selector": json.dumps(selector), "scroll": "false"}
            self.assertTrue(
                browser._wait_ready(ready, timeout=60),
                "%s never showed %s" % (url_path, selector),
            )
            if click:
                self.assertTrue(
                    browser._wait_ready(
                        CLICK_JS % {"selector": json.dumps(click)}, timeout=30
                    ),
                    "%s: could not click %s" % (url_path, click),
                )
                shown = shown or click
                ready = READY_JS % {"selector": json.dumps(shown), "scroll": "true"}
                self.assertTrue(
                    browser._wait_ready(ready, timeout=60),
                    "%s never showed %s after clicking %s" % (url_path, shown, click),
                )
            if until_js:
                self.assertTrue(
                    browser._wait_ready(until_js, timeout=60),
                    "%s never satisfied %s" % (url_path, until_js),
                )
            shot = browser._websocket_request(
                "Page.captureScreenshot", params={"format": "png"}, timeout=30
            )
            self.assertFalse(
                browser.had_failure, "the page logged errors, see the test log"
            )
        data = base64.b64decode(shot["data"], validate=True)
        folder = screenshot_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ("%s.png" % name)
        path.write_bytes(data)
        return path, [arg.decode() for arg in cmdline.split(b"\0") if arg]
