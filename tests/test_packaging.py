"""The addon ships as an OCA-style wheel built by whool.

The wheel is built offline (whool is a project requirement, hence
``--no-build-isolation``), installed into a scratch folder and looked up by a
separate Odoo process that knows nothing about this checkout.
"""

import ast
import email.parser
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docutils.core
import docutils.utils

from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from .compat import SERIES

ADDON_DIR = Path(__file__).resolve().parents[1] / "client_value"
WHEEL_NAME = "odoo_addon_client_value-%s-py3-none-any.whl"


def _manifest():
    return ast.literal_eval((ADDON_DIR / "__manifest__.py").read_text())


def _version():
    """The manifest's version, as Odoo (and the wheel) of this series read it."""
    return "%s.%s" % (SERIES, _manifest()["version"])


@tagged("post_install", "-at_install", "client_value")
class TestPackaging(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="client_value_wheel_")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.wheel_dir = Path(cls.tmp.name) / "dist"
        # The wheel of the series this test runs on, built from the one source.
        cls.build = subprocess.run(
            [
                sys.executable,
                str(ADDON_DIR.parent / "scripts/wheel.py"),
                *("--series", SERIES, "--wheel-dir", str(cls.wheel_dir)),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def _wheel(self):
        self.assertEqual(
            self.build.returncode, 0, self.build.stdout + self.build.stderr
        )
        wheels = list(self.wheel_dir.glob("*.whl"))
        self.assertEqual(len(wheels), 1, wheels)
        return wheels[0]

    def test_wheel_name_follows_the_manifest_version(self):
        version = _manifest()["version"]
        self.assertEqual(version.count("."), 2, "a series-neutral x.y.z version")
        self.assertEqual(self._wheel().name, WHEEL_NAME % _version())

    def test_wheel_metadata(self):
        manifest = _manifest()
        with zipfile.ZipFile(self._wheel()) as whl:
            raw = whl.read(
                "odoo_addon_client_value-%s.dist-info/METADATA" % _version()
            ).decode()
        metadata = email.parser.HeaderParser().parsestr(raw)
        self.assertEqual(metadata["Name"], "odoo-addon-client_value")
        self.assertEqual(metadata["Version"], _version())
        self.assertEqual(metadata["License"], manifest["license"])
        self.assertEqual(metadata["Summary"], manifest["summary"])
        # Odoo core addons (crm, mail, ...) collapse into one requirement on Odoo.
        self.assertEqual(metadata.get_all("Requires-Dist"), [f"odoo=={SERIES}.*"])
        self.assertIn(f"Framework :: Odoo :: {SERIES}", metadata.get_all("Classifier"))
        # The long description is the addon's README.rst.
        self.assertIn("Client Value", metadata.get_payload())

    def test_wheel_holds_the_addon_under_odoo_addons(self):
        manifest = _manifest()
        with zipfile.ZipFile(self._wheel()) as whl:
            names = set(whl.namelist())
        prefix = "odoo/addons/client_value/"
        dist_info = "odoo_addon_client_value-%s.dist-info/" % _version()
        stray = {n for n in names if not n.startswith((prefix, dist_info))}
        self.assertFalse(stray, "files outside the addon folder")
        expected = {"__init__.py", "__manifest__.py", "README.rst"}
        expected |= {"static/description/icon.png", "static/description/index.html"}
        expected |= set(manifest["data"])
        # The translation template and the languages that ship (fr, es).
        expected |= {"i18n/" + p.name for p in (ADDON_DIR / "i18n").glob("*.po*")}
        for assets in manifest.get("assets", {}).values():
            expected |= {
                path.removeprefix("client_value/")
                for path in assets
                if isinstance(path, str) and "*" not in path
            }
        missing = {prefix + path for path in expected} - names
        self.assertFalse(
            missing,
            "files missing from the wheel (whool packs the files git tracks: "
            "`git add` new files)",
        )
        # Build configuration and local leftovers stay out of the wheel.
        self.assertNotIn(prefix + "pyproject.toml", names)
        self.assertFalse([n for n in names if "__pycache__" in n or n.endswith(".pyc")])
        self.assertFalse([n for n in names if "/static/description/tmp/" in n])

    def test_installed_wheel_is_found_by_odoo(self):
        """pip-installing the wheel is enough for Odoo to find the addon."""
        target = Path(self.tmp.name) / "site"
        install = subprocess.run(
            [
                sys.executable,
                *("-m", "pip", "install", "--no-deps", "--no-index"),
                *("--target", str(target)),
                str(self._wheel()),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.assertEqual(install.returncode, 0, install.stdout + install.stderr)
        # A fresh interpreter whose addons path holds only Odoo's own addons:
        # client_value can only come from the installed wheel.
        paths = config["addons_path"]  # a list on 19.0, a string on 18.0
        paths = paths if isinstance(paths, list) else paths.split(",")
        odoo_addons = [p for p in paths if Path(p, "crm").is_dir()]
        probe = (
            "import sys\n"
            "from odoo.tools import config\n"
            "config.parse_config(['--addons-path', sys.argv[1]])\n"
            "from odoo.modules.module import get_module_path, get_manifest\n"
            "print(get_module_path('client_value'))\n"
            "print(get_manifest('client_value')['version'])\n"
        )
        env = dict(os.environ, PYTHONPATH=str(target))
        env.pop("ODOO_RC", None)
        found = subprocess.run(
            [sys.executable, "-c", probe, ",".join(odoo_addons)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
            cwd=self.tmp.name,
        )
        self.assertEqual(found.returncode, 0, found.stderr)
        path, version = found.stdout.split()
        self.assertEqual(Path(path), target / "odoo" / "addons" / "client_value")
        self.assertEqual(version, _version())


@tagged("post_install", "-at_install", "client_value")
class TestDescription(TransactionCase):
    """The app page and README.rst that Odoo's Apps and the wheel show."""

    def test_readme_rst_is_assembled_from_the_fragments(self):
        check = subprocess.run(
            [sys.executable, str(ADDON_DIR.parent / "scripts/readme.py"), "--check"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(check.returncode, 0, check.stderr)
        for fragment in ("DESCRIPTION", "USAGE", "CONFIGURE", "CONTEXT"):
            self.assertTrue((ADDON_DIR / "readme" / ("%s.md" % fragment)).is_file())

    def test_readme_rst_renders_without_warnings(self):
        """It is the wheel's long description: broken markup shows on indexes."""
        try:
            docutils.core.publish_doctree(
                (ADDON_DIR / "README.rst").read_text(),
                settings_overrides={"report_level": 2, "halt_level": 2},
            )
        except docutils.utils.SystemMessage as exc:
            self.fail("README.rst: %s" % exc)

    def test_app_page_shows_the_screenshots(self):
        module = self.env["ir.module.module"].search([("name", "=", "client_value")])
        html = module.description_html
        for name in (
            "pipeline",
            "opportunity_impact",
            "partner_care",
            "dashboard",
            "closed_without_reply",
            "client_tasks",
            "waiting_requests",
            "neglected_accounts",
            "neglect_trend",
        ):
            self.assertIn('src="/client_value/static/description/%s.png"' % name, html)
        # Screenshots taken by the browser tests (make screenshots).
        for name in (
            "pipeline",
            "opportunity_impact",
            "partner_care",
            "dashboard",
            "closed_without_reply",
            "client_tasks",
            "waiting_requests",
            "neglected_accounts",
            "neglect_trend",
        ):
            png = (ADDON_DIR / "static/description" / ("%s.png" % name)).read_bytes()
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n", name)
