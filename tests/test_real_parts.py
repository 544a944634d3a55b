"""Real parts: a real SMTP server, real RPC clients over HTTP, raw emails
through Odoo's mail gateway.

The email of *Ask the Client* and of the automatic rating request goes
through Odoo's mail queue to the SMTP server of the test run; the client
follows the link found in the email it received, over HTTP. Integrations
call client_value's models through ``/xmlrpc/2/object`` and ``/jsonrpc``
and get what Odoo answers without the addon.
"""

import json
import xmlrpc.client
from datetime import timedelta
from email.utils import formatdate
from urllib.parse import urlsplit

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import ClientValueHttpCase
from .compat import ODOO_19
from .smtp import SmtpCase, free_port, links, report


@tagged("post_install", "-at_install", "client_value")
class TestRatingRequestThroughSmtp(SmtpCase, ClientValueHttpCase):
    """The rating request leaves through a real mail server; the client
    follows the link of the email it received and rates the deal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.clinic_deal("CV Smtp Clinic")
        cls.lead.action_set_won()

    def _csrf_token(self, page):
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _rate_from_email(self, message, score, feedback):
        """Follow the ``score`` link of the received email over HTTP, then
        confirm with a comment, as the client does."""
        found = [
            link for link in links(message, "/rate/") if link.endswith("/%s" % score)
        ]
        self.assertEqual(len(found), 1, "one link per score")
        path = urlsplit(found[0]).path
        self.authenticate(None, None)
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn('value="%s" checked' % score, page.text)
        token = path.split("/")[2]
        response = self.url_open(
            "/rate/%s/submit_feedback" % token,
            data={
                "rate": score,
                "feedback": feedback,
                "csrf_token": self._csrf_token(page),
            },
        )
        self.assertEqual(response.status_code, 200)
        return path

    def test_ask_the_client_composer_round_trip(self):
        lead = self.lead.with_user(self.salesman)
        action = lead.action_ask_client_rating()
        composer = lead.env["mail.compose.message"].with_context(action["context"])
        with self.smtp_sending() as inbox:
            notification = composer.create({}).action_send_mail()
        self.assertEqual(notification["params"]["type"], "success")
        received = inbox.received()
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["to"], ["ana@example.com"])
        message = received[0]["message"]
        self.assertIn("How did we do?", message["Subject"])
        report(
            "email caught by the SMTP server: %r to %s"
            % (message["Subject"], received[0]["to"])
        )
        # The email left and its template deleted it; the deal keeps the request.
        self.env.invalidate_all()
        self.assertTrue(self.lead.rating_request_date)
        self.assertTrue(self.lead.rating_ids.sudo().filtered(lambda r: not r.consumed))
        path = self._rate_from_email(message, 4, "Scheduling is finally painless")
        report("link followed: %s" % path)
        self.env.invalidate_all()
        self.assertEqual(self.lead.rating_last_value, 4)
        self.assertEqual(
            self.lead.client_rating_comment, "Scheduling is finally painless"
        )
        report(
            "rating stored on %r: %s / 5, %r"
            % (
                self.lead.name,
                self.lead.rating_last_value,
                self.lead.client_rating_comment,
            )
        )

    def test_automatic_rating_request_round_trip(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("client_value.auto_rating_request", True)
        # sudo: the review came due a day ago
        self.lead.sudo().write(
            {"impact_review_date": fields.Date.today() - timedelta(days=1)}
        )
        self.env["crm.lead"]._cron_send_due_rating_requests()
        self.assertTrue(self.lead.rating_request_date)
        # The request's email, as the mail queue's scheduled action sends it.
        queued = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "in", self.lead.message_ids.ids)])
        )
        self.assertTrue(queued)
        with self.smtp_sending() as inbox:
            self.env["mail.mail"].sudo().process_email_queue(queued.ids)
        received = [
            item for item in inbox.received() if item["to"] == ["ana@example.com"]
        ]
        self.assertEqual(len(received), 1)
        report("automatic request caught: %r" % received[0]["message"]["Subject"])
        path = self._rate_from_email(received[0]["message"], 5, "")
        report("link followed: %s" % path)
        self.env.invalidate_all()
        self.assertEqual(self.lead.rating_last_value, 5)
        report("rating stored: %s / 5" % self.lead.rating_last_value)

    def test_a_refused_email_is_reported(self):
        # Nothing listens on the server's port any more.
        self.mail_server.smtp_port = free_port()
        lead = self.lead.with_user(self.salesman)
        action = lead.action_ask_client_rating()
        composer = lead.env["mail.compose.message"].with_context(action["context"])
        with self.smtp_sending():
            notification = composer.create({}).action_send_mail()
        self.assertEqual(notification["params"]["type"], "danger")
        self.assertIn("could not be sent", notification["params"]["message"])


@tagged("post_install", "-at_install", "client_value")
class TestRpcContracts(ClientValueHttpCase):
    """client_value's models answer integrations as Odoo does: ids, not
    recordsets, through the real XML-RPC and JSON-RPC endpoints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman.write({"password": "cv_salesman"})
        cls.lead = cls.clinic_deal("CV Rpc Deal")
        cls.won = cls.clinic_deal("CV Rpc Won")
        cls.won.action_set_won()
        cls.uid = cls.salesman.id
        cls.password = "cv_salesman"

    def xmlrpc(self, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )

    def jsonrpc(self, model, method, *args, **kwargs):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    self.uid,
                    self.password,
                    model,
                    method,
                    list(args),
                    kwargs,
                ],
            },
        }
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        answer = response.json()
        if "error" in answer:
            raise AssertionError(answer["error"]["data"]["message"])
        return answer["result"]

    def both(self, model, method, *args, **kwargs):
        """Call through both endpoints; returns their two answers."""
        return (
            self.xmlrpc(model, method, *args, **kwargs),
            self.jsonrpc(model, method, *args, **kwargs),
        )

    def test_message_post_on_a_deal_answers_the_message_id(self):
        """As Odoo answers on a model client_value does not extend there
        (a contact's chatter): the id on 18.0, [id] on 19.0."""
        for endpoint in (self.xmlrpc, self.jsonrpc):
            kwargs = dict(
                body="Posted by an integration",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            odoo = endpoint("res.partner", "message_post", [self.ana.id], **kwargs)
            before = len(self.lead.message_ids)
            answer = endpoint("crm.lead", "message_post", [self.lead.id], **kwargs)
            self.assertEqual(type(answer), type(odoo), endpoint.__name__)
            self.lead.invalidate_recordset()
            self.assertEqual(len(self.lead.message_ids), before + 1, "posted once")
            self.assertEqual(
                self.lead.message_ids[0].id, answer[0] if ODOO_19 else answer
            )

    def json2(self, model, method, ids=(), **kwargs):
        """Odoo 19's ``/json/2/<model>/<method>``, with an API key."""
        if not getattr(self, "_api_key", None):
            # sudo: a key for the test's salesperson, as they would make one
            self._api_key = (
                self.env["res.users.apikeys"]
                .with_user(self.salesman)
                .sudo()
                ._generate("rpc", "client_value tests", None)
            )
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps({"ids": list(ids), **kwargs}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {self._api_key}",
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_json2_on_odoo_19(self):
        """19.0's JSON-2 endpoint answers ids as the other two."""
        if not ODOO_19:
            return  # 18.0 has no JSON-2 API; the other two are tested above
        answer = self.json2(
            "crm.lead",
            "message_post",
            ids=[self.lead.id],
            body="Posted through JSON-2",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertEqual(answer, self.lead.message_ids[:1].ids)
        self.assertIs(
            self.json2(
                "crm.lead", "write", ids=[self.lead.id], vals={"impact_level": "2"}
            ),
            True,
        )
        [read] = self.json2(
            "crm.lead", "read", ids=[self.lead.id], fields=["impact_score"]
        )
        self.assertEqual(read["impact_score"], 50)
        copied = self.json2("crm.lead", "copy", ids=[self.lead.id])
        self.assertIsInstance(copied[0], int)
        action = self.json2(
            "res.partner", "action_view_waiting_requests", ids=[self.clinic.id]
        )
        self.assertIsInstance(action, dict)

    def test_common_calls_on_the_extended_models(self):
        lead_id = self.xmlrpc(
            "crm.lead",
            "create",
            {"name": "CV Rpc New", "type": "opportunity", "impact_level": "3"},
        )
        self.assertIsInstance(lead_id, int)
        for answer in self.both("crm.lead", "write", [lead_id], {"impact_level": "4"}):
            self.assertIs(answer, True)
        for answer in self.both(
            "crm.lead", "read", [lead_id], ["impact_score", "weighted_impact"]
        ):
            self.assertEqual(answer[0]["impact_score"], 100)
        for answer in self.both(
            "crm.lead",
            "search_read",
            [("id", "=", self.won.id)],
            ["outcome_state", "is_won_deal"],
        ):
            self.assertEqual(answer[0]["outcome_state"], "pending")
        for answer in self.both("crm.lead", "copy", [lead_id]):
            self.assertIsInstance(answer, list)
            self.assertIsInstance(answer[0], int)
        for answer in self.both("crm.lead", "name_search", "CV Rpc Won"):
            self.assertEqual(answer[0][0], self.won.id)
        for answer in self.both(
            "res.partner",
            "read",
            [self.clinic.id],
            ["last_touch_date", "waiting_request_count", "client_neglected"],
        ):
            self.assertEqual(answer[0]["waiting_request_count"], 0)
        partner_id = self.xmlrpc(
            "res.partner", "create", {"name": "CV Rpc Contact", "email": "r@x.com"}
        )
        self.assertIsInstance(partner_id, int)
        for answer in self.both("res.partner", "copy", [partner_id]):
            self.assertIsInstance(answer[0], int)
        activity_id = self.xmlrpc(
            "mail.activity",
            "create",
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": partner_id,
                "activity_type_id": self.env.ref(
                    "client_value.mail_activity_type_service_request"
                ).id,
                "user_id": self.uid,
            },
        )
        self.assertIsInstance(activity_id, int)

    def test_buttons_answer_actions_or_booleans(self):
        """Every public method client_value adds: an action (a dict), a
        notification or a boolean; never a recordset."""
        team = self.team.id
        calls = [
            ("crm.lead", "action_open_outcome_wizard", [self.won.id]),
            ("crm.lead", "action_ask_client_rating", [self.won.id]),
            ("res.partner", "action_view_client_touches", [self.clinic.id]),
            ("res.partner", "action_view_waiting_requests", [self.clinic.id]),
            ("res.partner", "action_check_neglected_accounts", [self.clinic.id]),
            ("crm.team", "action_view_client_value_neglected", [team]),
            ("crm.team", "action_view_client_value_late_requests", [team]),
        ]
        for model, method, args in calls:
            for answer in self.both(model, method, *([args] if args else [])):
                self.assertIsInstance(answer, dict, f"{model}.{method}")
        review = self.env["mail.activity"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.won.id)]
        )
        self.assertIsInstance(
            self.xmlrpc("mail.activity", "action_done", review.ids), dict
        )
        lead = self.clinic_deal("CV Rpc Set Won")
        self.assertIsInstance(
            self.xmlrpc("crm.lead", "action_set_won", [lead.id]), (bool, dict)
        )


@tagged("post_install", "-at_install", "client_value")
class TestGatewayEmail(ClientValueHttpCase):
    """A client's email delivered by the mail gateway (raw RFC 822 through
    ``message_process``) is a waiting request of its account; the
    salesperson's reply answers it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "client_value.count_incoming_email", True
        )
        cls.lead = cls.clinic_deal("CV Gateway Deal")

    def test_a_raw_email_waits_until_the_salesperson_replies(self):
        raw = (
            "From: CV Dr. Ana Reyes <ana@example.com>\r\n"
            "To: sales@example.com\r\n"
            "Subject: Question about the schedule\r\n"
            "Message-ID: <cv-gateway-1@example.com>\r\n"
            "Date: %s\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Could you move the installation to Thursday?\r\n"
        ) % formatdate()
        thread_id = self.env["mail.thread"].message_process(
            "crm.lead", raw, thread_id=self.lead.id
        )
        self.assertEqual(thread_id, self.lead.id)
        email = self.lead.message_ids.filtered(
            lambda m: m.message_id == "<cv-gateway-1@example.com>"
        )
        self.assertEqual(email.author_id, self.ana)
        self.assertEqual(email.client_touch, "incoming")
        self.clinic.invalidate_recordset()
        self.assertEqual(self.clinic.waiting_request_count, 1)
        self.lead.with_user(self.salesman).message_post(
            body="Thursday works.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertTrue(email.date_answered)
        self.clinic.invalidate_recordset()
        self.assertEqual(self.clinic.waiting_request_count, 0)


@tagged("post_install", "-at_install", "client_value")
class TestPortalCannotReachTheFigures(ClientValueHttpCase):
    """The figures stay internal over RPC too."""

    def test_portal_user_reads_no_figure_over_xmlrpc(self):
        portal = new_test_user(
            self.env,
            login="cv_rpc_portal",
            groups="base.group_portal",
            password="cv_rpc_portal",
        )
        with self.assertRaises(xmlrpc.client.Fault):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                portal.id,
                "cv_rpc_portal",
                "res.partner",
                "read",
                [[portal.partner_id.id], ["last_touch_date"]],
            )
