"""client_value on a database with CRM alone: it depends on none of the
apps whose documents carry touches, and works without them.

``make test`` runs this folder on a second database, where only
client_value's dependencies are installed."""

from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.client_value.tools import touch_rule

from ..common import CALL, NOW, ClientValueCase

APPS = ("sale.order", "account.move", "project.task", "helpdesk.ticket")


@tagged("post_install", "-at_install", "client_value")
class TestCrmAlone(ClientValueCase):
    def test_contacts_and_opportunities_are_the_sources(self):
        for model in APPS:
            self.assertNotIn(model, self.env, "this database has CRM alone")
        self.assertEqual(
            set(touch_rule.touch_models(self.env)), {"res.partner", "crm.lead"}
        )
        self.assertTrue(
            self.env["client_value.touch"]
            ._sources_signature()
            .startswith("sources: res.partner,crm.lead;")
        )
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.client_value_installed_sources)
        settings.execute()
        form = self.env["res.config.settings"].get_views([(False, "form")])
        self.assertIn("client_value_sources_setting", form["views"]["form"]["arch"])

    def test_the_rule_works_on_contacts_and_opportunities(self):
        Watch = self.env["client_value.neglect.watch"]
        self.request(self.lead_b, self.ago(days=5))
        with self.at(NOW):
            Watch._cron_flag_neglected_accounts()
        self.env.invalidate_all()
        self.assertTrue(self.account.client_neglected)
        self.done(self.contact_a, NOW + timedelta(hours=1), xmlid=CALL)
        self.env.invalidate_all()
        self.assertFalse(self.account.client_neglected)
        figures = self.summary(self.account, NOW + timedelta(hours=2))
        # Our call; the client's request still waits.
        self.assertEqual((figures["touches"], figures["open"]), (1, 1))
