"""A flag people keep switched on: machine mail is no request and no answer,
"no reply needed" is one click, an account can be snoozed.

Client emails arrive as raw RFC 822 messages through Odoo's mail gateway
(``message_process``), as a mail server delivers them.
"""

import email
import email.policy
from datetime import timedelta
from email.utils import format_datetime

from pytz import utc

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.client_value.tools import machine_mail
from odoo.addons.mail.tools.discuss import Store

from .common import NOW, SERVICE
from .compat import registry_test_mode
from .test_neglect import NeglectCommon


def raw_email(sender, subject, body, when, headers=(), content_type="text/plain"):
    """A raw email from ``sender`` at ``when`` (naive UTC)."""
    lines = [
        f"From: {sender}",
        "To: sales@example.com",
        f"Subject: {subject}",
        f"Message-ID: <cv-noise-{abs(hash((sender, subject, when)))}@example.com>",
        f"Date: {format_datetime(utc.localize(when))}",
        "MIME-Version: 1.0",
        *headers,
        f"Content-Type: {content_type}; charset=utf-8",
        "",
        body,
    ]
    return "\r\n".join(lines) + "\r\n"


class NoiseCase(NeglectCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact_a.email = "alice@acme.example.com"

    def receive(self, record, when, subject="Question", body="Can you help?", **kw):
        """The client's raw email through the gateway, at ``when``."""
        raw = raw_email(
            f"Alice Acme <{self.contact_a.email}>", subject, body, when, **kw
        )
        with self.at(when):
            self.env["mail.thread"].message_process(
                record._name, raw, thread_id=record.id
            )
            self.env.flush_all()
        return record.message_ids.filtered(lambda m: m.subject == subject)[:1]


@tagged("post_install", "-at_install", "client_value")
class TestMachineMail(NoiseCase):
    """Automatic emails are kept in the chatter, neither request nor touch."""

    RULES = {
        "auto-replied (RFC 3834)": (["Auto-Submitted: auto-replied"], "auto_reply"),
        "auto-generated": (["Auto-Submitted: auto-generated"], "auto_reply"),
        "X-Autoreply": (["X-Autoreply: yes"], "auto_reply"),
        "X-Autorespond": (["X-Autorespond: Out of office"], "auto_reply"),
        "Precedence auto_reply": (["Precedence: auto_reply"], "auto_reply"),
        "Precedence bulk": (["Precedence: bulk"], "mailing_list"),
        "Precedence junk": (["Precedence: junk"], "mailing_list"),
        "Precedence list": (["Precedence: list"], "mailing_list"),
        "List-Id": (["List-Id: Acme news <news.acme.example.com>"], "mailing_list"),
        "List-Unsubscribe": (
            ["List-Unsubscribe: <mailto:unsub@acme.example.com>"],
            "mailing_list",
        ),
    }

    def test_each_header_rule(self):
        for index, (name, (headers, reason)) in enumerate(self.RULES.items()):
            with self.subTest(rule=name):
                email = self.receive(
                    self.lead_b,
                    self.ago(days=5, minutes=index),
                    subject=f"Out of office {index}",
                    headers=headers,
                )
                self.assertTrue(email, "kept in the chatter")
                self.assertEqual(email.client_value_automatic, reason)
                self.assertFalse(email.client_touch, "neither request nor touch")
        self.assertEqual(self.summary(self.account)["open"], 0)
        self.run_cron()
        self.assertNotFlagged(self.account)

    def test_a_delivery_report_is_no_request(self):
        """Odoo's gateway handles most delivery reports as bounces; one that
        reaches a record is marked as one, and is no request either way."""
        dsn = raw_email(
            f"Mail Delivery System <{self.contact_a.email}>",
            "Delivery Status Notification (Failure)",
            "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--b--",
            self.ago(days=5),
            content_type='multipart/report; report-type=delivery-status; boundary="b"',
        )
        message = email.message_from_string(dsn, policy=email.policy.SMTP)
        self.assertEqual(machine_mail.reason(message), "bounce")
        with self.at(self.ago(days=5)):
            self.env["mail.thread"].message_process(
                "res.partner", dsn, thread_id=self.contact_a.id
            )
            self.env.flush_all()
        self.assertFalse(
            self.contact_a.message_ids.filtered(lambda m: m.client_touch),
            "no request, no touch",
        )
        for posted in self.contact_a.message_ids.filtered(
            lambda m: m.message_type == "email"
        ):
            self.assertEqual(posted.client_value_automatic, "bounce")
        self.assertEqual(self.summary(self.account)["open"], 0)

    def test_an_auto_reply_does_not_make_the_account_late(self):
        """The must-show: an out-of-office reply through the gateway does
        not make the account late or flagged."""
        self.receive(
            self.contact_a,
            self.ago(days=6),
            subject="Automatic reply: your invoice",
            body="I am out of the office until Monday.",
            headers=["Auto-Submitted: auto-replied"],
        )
        summary = self.summary(self.account)
        self.assertEqual((summary["open"], summary["touches"]), (0, 0))
        self.account.invalidate_recordset()
        self.assertEqual(self.account.late_request_count, 0)
        self.run_cron()
        self.assertNotFlagged(self.account)

    def test_a_person_writing_is_still_a_request(self):
        email = self.receive(
            self.contact_a,
            self.ago(days=6),
            subject="Still waiting",
            headers=["Auto-Submitted: no"],
        )
        self.assertFalse(email.client_value_automatic)
        self.assertEqual(email.client_touch, "incoming")
        self.run_cron()
        self.assertFlagged(self.account)

    def test_extra_header_rules_from_the_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        with self.assertRaises(ValidationError):
            params.set_param("client_value.automatic_header_rules", "X-Mailer: (")
        params.set_param("client_value.automatic_header_rules", "X-Mailer: ^Zendesk")
        email = self.receive(
            self.contact_a,
            self.ago(days=5),
            subject="Ticket #42 updated",
            headers=["X-Mailer: Zendesk mailer"],
        )
        self.assertEqual(email.client_value_automatic, "header_rule")
        self.assertFalse(email.client_touch)
        human = self.receive(
            self.contact_a,
            self.ago(days=4),
            subject="From Thunderbird",
            headers=["X-Mailer: Thunderbird"],
        )
        self.assertEqual(human.client_touch, "incoming")

    def test_the_marking_is_the_gateways_own(self):
        """No one marks a message automatic (or sent automatically) by hand:
        the gateway and the module decide, and the fields are protected."""
        with self.assertRaises(ValueError):  # Odoo refuses it; so would we
            self.contact_a.with_user(self.salesman).message_post(
                body="Hi", message_type="comment", client_value_automatic="auto_reply"
            )
        for field in ("client_value_automatic", "client_value_automated"):
            with self.assertRaises(AccessError):
                self.env["mail.message"].with_user(self.salesman).create(
                    {
                        "model": "res.partner",
                        "res_id": self.contact_a.id,
                        "body": "Hi",
                        "message_type": "email",
                        field: "auto_reply" if field.endswith("c") else True,
                    }
                )


@tagged("post_install", "-at_install", "client_value")
class TestOnlyAPersonAnswers(NoiseCase):
    """Mail our side sends automatically answers nothing; a salesperson's
    does."""

    def scheduled_action(self, code):
        """A scheduled action running ``code`` as the salesperson, run the
        way the scheduler runs it."""
        cron = self.env["ir.cron"].create(
            {
                "name": "CV automated follow-up",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": code,
                "user_id": self.env.ref("base.user_admin").id,
                "interval_number": 1,
                "interval_type": "days",
            }
        )
        with self.at(self.ago(days=4)), registry_test_mode(self):
            cron.method_direct_trigger()
            self.env.flush_all()
        self.env.invalidate_all()

    def test_a_scheduled_action_answers_no_request(self):
        email = self.receive(self.contact_a, self.ago(days=6))
        self.scheduled_action(
            f"env['res.partner'].browse({self.contact_a.id}).message_post("
            "body='Your monthly statement', message_type='comment', "
            "subtype_xmlid='mail.mt_comment')"
        )
        sent = self.contact_a.message_ids.filtered(
            lambda m: "monthly statement" in str(m.body)
        )
        self.assertTrue(sent.client_value_automated)
        self.assertFalse(sent.client_touch)
        self.assertFalse(email.date_answered)
        self.run_cron()
        self.assertFlagged(self.account)

    def test_the_same_message_by_a_person_answers(self):
        email = self.receive(self.contact_a, self.ago(days=6))
        self.reply(self.contact_a, self.ago(days=4))
        self.assertTrue(email.date_answered)
        self.assertEqual(email.answered_by_id, self.salesman.partner_id)

    def test_odoobot_and_mass_mail_answer_nothing(self):
        email = self.receive(self.contact_a, self.ago(days=6))
        with self.at(self.ago(days=4)):
            self.contact_a.message_post(
                body="OdooBot here",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=self.env.ref("base.partner_root").id,
            )
            self.contact_a.with_user(self.salesman).message_post(
                body="Our newsletter",
                message_type="email_outgoing",
                subtype_xmlid="mail.mt_comment",
            )
            self.env.flush_all()
        self.assertFalse(email.date_answered)

    def test_a_request_marked_done_by_the_system_is_answered_by_its_owner(self):
        """A request marked done by a scheduled action or the superuser is
        answered by the person it was assigned to, never by OdooBot."""
        request = self.request(self.contact_a, self.ago(days=6))
        with self.at(self.ago(days=4)):
            request.sudo().action_done()
            self.env.flush_all()
        self.assertEqual(request.answered_by_id, self.salesman.partner_id)


@tagged("post_install", "-at_install", "client_value")
class TestInvoiceSent(NoiseCase):
    """The invoice case of the issue: sent by a scheduled action, it answers
    nothing; sent by a person from its Send button, it answers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="cv_noise_accountant",
            groups="account.group_account_invoice,base.group_partner_manager",
            email="accounting@example.com",
            tz="UTC",
        )

    def invoice(self):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.contact_a.id,
                "invoice_line_ids": [(0, 0, {"name": "Service", "price_unit": 100})],
            }
        )
        move.action_post()
        return move

    def send(self, move, user):
        wizard_action = move.with_user(user).action_send_and_print()
        wizard = (
            self.env[wizard_action["res_model"]]
            .with_user(user)
            .with_context(wizard_action["context"])
            .create({})
        )
        wizard.action_send_and_print()

    def test_sent_by_a_scheduled_action(self):
        move = self.invoice()
        email = self.receive(move, self.ago(days=6), subject="Charged twice?")
        self.assertEqual(email.client_touch, "incoming")
        cron = self.env["ir.cron"].create(
            {
                "name": "CV send invoices",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "state": "code",
                "code": f"env['account.move'].browse({move.id}).message_post("
                "body='Your invoice', message_type='comment', "
                "subtype_xmlid='mail.mt_comment')",
                "user_id": self.env.ref("base.user_admin").id,
                "interval_number": 1,
                "interval_type": "days",
            }
        )
        with self.at(self.ago(days=4)), registry_test_mode(self):
            cron.method_direct_trigger()
            self.env.flush_all()
        email.invalidate_recordset()
        self.assertFalse(email.date_answered)

    def test_sent_by_a_person(self):
        move = self.invoice()
        email = self.receive(move, self.ago(days=6), subject="Charged twice?")
        with self.at(self.ago(days=4)):
            self.send(move, self.accountant)
            self.env.flush_all()
        email.invalidate_recordset()
        self.assertTrue(email.date_answered)
        # Odoo signs the invoice's email as its salesperson: that person
        # answered, never OdooBot.
        sent = move.message_ids.filtered(lambda m: m.client_touch == "outgoing")
        self.assertEqual(len(sent), 1)
        self.assertEqual(email.answered_by_id, sent.author_id)
        self.assertNotEqual(sent.author_id, self.env.ref("base.partner_root"))


@tagged("post_install", "-at_install", "client_value")
class TestNoReplyNeeded(NoiseCase):
    def no_reply(self, touch_record, reason, user=None, note=False, when=None):
        wizard = (
            self.env["client_value.no.reply.wizard"]
            .with_user(user or self.salesman)
            .create(
                {
                    "res_model": touch_record._name,
                    "res_id": touch_record.id,
                    "reason": reason,
                    "note": note,
                    "answered_on": when,
                }
            )
        )
        with self.at(NOW):
            wizard.action_confirm()
            self.env.flush_all()
        self.env.invalidate_all()

    def test_a_thanks_email_closed_clears_the_flag_and_keeps_the_average(self):
        """The must-show: a "thanks" email closed as no reply needed clears
        the flag at once and leaves the average response time unchanged."""
        asked = self.receive(self.contact_a, self.ago(days=50), subject="Question")
        self.reply(self.contact_a, self.ago(days=50, hours=-4))
        self.assertTrue(asked.date_answered)
        thanks = self.receive(
            self.contact_a, self.ago(days=10), subject="Thank you, all clear!"
        )
        self.assertEqual(thanks.client_touch, "incoming")
        self.run_cron()
        self.assertFlagged(self.account)
        before = self.summary(self.account, when=NOW)["avg_hours"]
        self.no_reply(thanks, "thanks")
        self.assertFalse(self.account.client_neglected, "cleared at once")
        self.assertEqual(self.summary(self.account)["open"], 0)
        self.assertEqual(self.summary(self.account)["avg_hours"], before)
        self.assertEqual(thanks.client_value_no_reply_reason, "thanks")
        logged = self.contact_a.message_ids.filtered(
            lambda m: "No reply needed" in str(m.body)
        )
        self.assertTrue(logged, "logged in the chatter")
        self.assertIn("Thanks", str(logged[0].body))

    def test_each_reason(self):
        reasons = ("thanks", "information", "duplicate", "offline", "other")
        for index, reason in enumerate(reasons):
            with self.subTest(reason=reason):
                request = self.request(self.contact_a, self.ago(days=8, minutes=index))
                when = self.ago(days=7) if reason == "offline" else None
                if reason == "offline":
                    with self.assertRaises(UserError):
                        self.no_reply(request, reason)  # when it happened
                if reason == "other":
                    with self.assertRaises(UserError):
                        self.no_reply(request, reason)  # a note
                self.no_reply(request, reason, note="Called them", when=when)
                self.assertEqual(request.client_value_no_reply_reason, reason)
                self.assertTrue(request.date_answered)
                if reason == "offline":
                    self.assertEqual(request.date_answered, self.ago(days=7))
                    self.assertAlmostEqual(request.response_hours, 24, delta=0.1)
                else:
                    self.assertFalse(request.response_hours)

    def test_only_who_may_write_the_document(self):
        request = self.request(self.lead_b, self.ago(days=8))
        outsider = new_test_user(
            self.env,
            login="cv_noise_outsider",
            groups="sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            self.no_reply(request, "duplicate", user=outsider)
        # The dialog read the request with sudo: it names it to no one who
        # may not read its document.
        Wizard = self.env["client_value.no.reply.wizard"]
        values = {"res_model": request._name, "res_id": request.id}
        self.assertFalse(Wizard.with_user(outsider).create(values).summary)
        self.assertTrue(Wizard.with_user(self.salesman).create(values).summary)
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).write(
                {"client_value_no_reply_reason": "duplicate"}
            )

    def test_the_chatter_offers_it_on_waiting_emails(self):
        """The chatter's data marks an email that waits, so that its message
        actions offer *No Reply Needed* (the tour clicks it)."""
        thanks = self.receive(self.contact_a, self.ago(days=3), subject="Thanks!")

        def offered(user):
            data = Store().add(thanks.with_user(user)).get_result()
            return any(
                row.get("client_value_waiting")
                for row in data["mail.message"]
                if row["id"] == thanks.id
            )

        self.assertTrue(offered(self.salesman))
        self.no_reply(thanks, "thanks")
        self.assertFalse(offered(self.salesman))

    def test_the_dismissals_per_salesperson(self):
        request = self.request(self.contact_a, self.ago(days=8))
        self.no_reply(request, "duplicate")
        report = self.env["client_value.touch"].with_user(self.manager)
        groups = report._read_group(
            [("no_reply_reason", "!=", False)], ["no_reply_by_id"], ["__count"]
        )
        self.assertIn((self.salesman.partner_id, 1), groups)


@tagged("post_install", "-at_install", "client_value")
class TestSnooze(NoiseCase):
    def snooze(self, account, until, reason="holiday", user=None):
        wizard = (
            self.env["client_value.snooze.wizard"]
            .with_user(user or self.salesman)
            .with_context(active_model="res.partner", active_id=account.id)
            .create({"partner_id": account.id, "until": until, "reason": reason})
        )
        with self.at(NOW):
            wizard.action_snooze()
            self.env.flush_all()
        self.env.invalidate_all()

    def test_not_flagged_during_the_snooze_and_flagged_after(self):
        """The must-show: a snoozed account is not flagged on a run during
        the snooze and is on the first run after it."""
        self.request(self.contact_a, self.ago(days=10))
        self.snooze(self.account, (NOW + timedelta(days=7)).date())
        with self.at(NOW):
            self.assertTrue(self.account.client_value_snoozed)
        self.run_cron(NOW + timedelta(days=1))
        self.assertNotFlagged(self.account)
        self.run_cron(NOW + timedelta(days=8))
        self.assertFlagged(self.account)
        self.assertFalse(self.account.client_value_snoozed_until)
        bodies = " ".join(str(body) for body in self.account.message_ids.mapped("body"))
        self.assertIn("Snoozed until", bodies)
        self.assertIn("snooze ended", bodies)

    def test_snoozing_a_flagged_account_clears_it(self):
        self.request(self.contact_a, self.ago(days=10))
        self.run_cron()
        self.assertFlagged(self.account)
        self.snooze(self.account, (NOW + timedelta(days=7)).date(), "legal_hold")
        self.assertFalse(self.account.client_neglected)
        self.assertFalse(self.followups(self.account).filtered("active"))

    def test_who_may_snooze(self):
        self.account.user_id = self.salesman
        with self.assertRaises(AccessError):
            self.snooze(
                self.account, (NOW + timedelta(days=3)).date(), user=self.other_salesman
            )
        self.snooze(self.account, (NOW + timedelta(days=3)).date(), user=self.manager)
        self.assertEqual(
            self.account.client_value_snoozed_until, (NOW + timedelta(days=3)).date()
        )
        with self.assertRaises(AccessError):
            self.account.with_user(self.salesman).write(
                {"client_value_snoozed_until": NOW.date()}
            )
        with self.assertRaises(ValidationError):
            self.snooze(self.account, (NOW - timedelta(days=1)).date())

    def test_team_cards_count_snoozed_accounts_apart(self):
        team = self.env["crm.team"].create(
            {"name": "CV Snooze Team", "member_ids": [(6, 0, self.salesman.ids)]}
        )
        self.request(self.contact_a, self.ago(days=10))
        self.snooze(self.account, (NOW + timedelta(days=7)).date())
        with self.at(NOW):
            team.invalidate_recordset()
            self.assertEqual(team.client_snoozed_count, 1)
            self.assertEqual(team.client_neglected_count, 0)

    def test_a_service_request_on_a_snoozed_account_waits_unflagged(self):
        self.snooze(self.account, (NOW + timedelta(days=30)).date(), "partner")
        self.request(self.contact_a, self.ago(days=1), xmlid=SERVICE)
        self.run_cron(NOW + timedelta(days=20))
        self.assertNotFlagged(self.account)
