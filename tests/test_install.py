from odoo.tests import TransactionCase, tagged

from .compat import SERIES


@tagged("post_install", "-at_install", "client_value")
class TestInstall(TransactionCase):
    def test_module_installed_with_its_dependencies(self):
        module = self.env["ir.module.module"].search([("name", "=", "client_value")])
        self.assertEqual(module.state, "installed")
        self.assertEqual(module.latest_version, SERIES + ".1.1.0")
        deps = set(module.dependencies_id.mapped("name"))
        self.assertTrue({"crm", "mail", "rating", "spreadsheet_dashboard"} <= deps)
        installed = self.env["ir.module.module"].search(
            [("name", "in", list(deps)), ("state", "=", "installed")]
        )
        self.assertEqual(set(installed.mapped("name")), deps)
