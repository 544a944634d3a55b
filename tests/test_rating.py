"""The client's own rating of a won deal: asked by email, through signed
links, on a five-point scale."""

import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MockEmail

from .common import ClientValueCase, ClientValueHttpCase
from .compat import mail_server_connect_name, set_lost


@tagged("post_install", "-at_install", "client_value")
class TestClientRating(ClientValueCase, MockEmail):
    def _won_lead(self, name, **values):
        lead = self.clinic_deal(name, **values)
        lead.action_set_won()
        return lead

    def test_rating_request_creates_token_and_sends_five_links(self):
        lead = self._won_lead("CV Ask")
        with self.mock_mail_gateway():
            notification = self.ask_client(lead, self.salesman)
        self.assertEqual(notification["params"]["type"], "success")
        rating = lead.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertTrue(rating.access_token)
        self.assertFalse(rating.consumed)
        self.assertEqual(rating.partner_id, self.ana)
        self.assertEqual(rating.rated_partner_id, self.salesman.partner_id)
        self.assertTrue(lead.rating_request_date)
        request = lead.message_ids[0]
        self.assertIn(self.ana, request.partner_ids)
        for score in range(1, 6):
            # The chatter copy holds placeholders; the client's email gets the
            # signed links (tests/test_trust.py).
            self.assertIn(
                "/rate/client-value-rating-%s/%s" % (rating.id, score), request.body
            )

    def test_rating_request_needs_won_deal_and_email(self):
        open_lead = self.clinic_deal("CV Ask Open")
        with self.assertRaises(UserError):
            open_lead.action_ask_client_rating()
        no_email = self.env["res.partner"].create({"name": "CV No Email"})
        lead = self._won_lead("CV Ask No Email", partner=no_email)
        with self.assertRaises(UserError):
            lead.action_ask_client_rating()
        self.assertFalse(lead.rating_ids)

    def test_rating_through_token_updates_lead_and_averages(self):
        lead = self._won_lead("CV Rated")
        other = self._won_lead("CV Rated 2", partner=self.tom)
        token = self.link_token(lead)
        other_token = self.link_token(other)

        # as the public controller does: sudo record, rating found by token
        lead.sudo().rating_apply(4, token=token, feedback="Queue times are down")
        other.sudo().rating_apply(2, token=other_token)

        self.assertEqual(lead.rating_last_value, 4)
        self.assertEqual(lead.client_rating_comment, "Queue times are down")
        self.assertEqual(self.salesman.salesperson_satisfaction_avg, 3)
        self.assertEqual(self.salesman.salesperson_rated_deal_count, 2)
        self.assertEqual(lead.user_client_satisfaction_avg, 3)
        self.assertEqual(self.clinic.client_satisfaction_avg, 3)
        self.assertEqual(self.ana.client_satisfaction_avg, 3)
        self.assertEqual(self.clinic.client_rated_deal_count, 2)
        self.assertEqual(self.team.client_satisfaction_avg, 3)

        users = self.salesman | self.other_salesman | self.manager
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            users.mapped("salesperson_satisfaction_avg")

        # a newer request waiting for an answer does not hide the last answer
        lead._rating_get_access_token(partner=self.tom)
        lead.invalidate_recordset(["client_rating_comment"])
        self.assertEqual(lead.client_rating_comment, "Queue times are down")

    def test_bad_scores_and_tokens_change_nothing(self):
        lead = self._won_lead("CV Bad Input")
        other = self._won_lead("CV Someone Else", partner=self.tom)
        token = self.link_token(lead)
        rating = lead.rating_ids
        with mute_logger("odoo.sql_db"):
            for score in (0, 6, -1, 2.5):
                with self.assertRaisesRegex(ValidationError, "from 1 to 5"):
                    lead.sudo().rating_apply(score, token=token)
        with self.assertRaisesRegex(ValidationError, "Invalid rating token"):
            lead.sudo().rating_apply(5, token="not-a-token")
        with self.assertRaisesRegex(ValidationError, "Invalid rating token"):
            other.sudo().rating_apply(5, token=token)
        self.assertFalse(rating.consumed)
        self.assertEqual(rating.rating, 0)

        lead.sudo().rating_apply(5, token=token)
        with self.assertRaisesRegex(UserError, "already answered"):
            lead.sudo().rating_apply(1, token=token)
        self.assertEqual(rating.rating, 5)
        self.assertEqual(lead.rating_last_value, 5)

        with self.assertRaisesRegex(ValidationError, "from 1 to 5"):
            rating.write({"rating": 0})

    def test_cron_sends_due_requests_only_when_enabled(self):
        due = self._won_lead("CV Due")
        not_due = self._won_lead("CV Not Yet")
        asked = self._won_lead("CV Asked")
        yesterday = fields.Date.context_today(due) - timedelta(days=1)
        (due | asked).write({"impact_review_date": yesterday})
        asked.write({"rating_request_date": fields.Datetime.now()})
        Lead = self.env["crm.lead"]

        Lead._cron_send_due_rating_requests()
        self.assertFalse((due | not_due | asked).rating_ids, "option disabled")

        self.env["ir.config_parameter"].sudo().set_param(
            "client_value.auto_rating_request", True
        )
        Lead._cron_send_due_rating_requests()
        self.assertEqual(len(due.rating_ids), 1)
        self.assertTrue(due.rating_request_date)
        self.assertFalse(not_due.rating_ids)
        self.assertFalse(asked.rating_ids)

        Lead._cron_send_due_rating_requests()
        self.assertEqual(len(due.rating_ids), 1, "a deal is asked once")
        cron = self.env.ref("client_value.ir_cron_send_due_rating_requests")
        self.assertEqual(cron.code.strip(), "model._cron_send_due_rating_requests()")

    def test_account_outcome_counts_and_query_count(self):
        outcomes = [
            ("improved", self.ana),
            ("improved", self.tom),
            ("unchanged", self.clinic),
            ("worsened", self.ana),
        ]
        for index, (state, partner) in enumerate(outcomes):
            lead = self._won_lead("CV Account %s" % index, partner=partner)
            lead._client_value_record_outcome(state)
        # a lost deal of the same account does not count
        lost = self._won_lead("CV Account Lost", partner=self.ana)
        lost._client_value_record_outcome("improved")
        set_lost(lost, self.stage_new)
        other_account = self.env["res.partner"].create({"name": "CV Elsewhere"})

        more_contacts = self.env["res.partner"].create(
            [
                {"name": "CV Contact %s" % index, "parent_id": self.clinic.id}
                for index in range(10)
            ]
        )
        partners = self.env["res.partner"].browse(
            (self.clinic | self.ana | self.tom | other_account | more_contacts).ids
        )
        # grouped reads: the query count does not grow with the partners
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            partners.mapped("outcome_improved_count")
        self.assertEqual(set(more_contacts.mapped("outcome_improved_count")), {2})
        for partner in self.clinic | self.ana | self.tom:
            self.assertEqual(partner.outcome_improved_count, 2)
            self.assertEqual(partner.outcome_unchanged_count, 1)
            self.assertEqual(partner.outcome_worsened_count, 1)
        self.assertEqual(other_account.outcome_improved_count, 0)

    def test_celebration_mentions_outcomes(self):
        done = self._won_lead("CV Celebrated")
        done._client_value_record_outcome("improved")
        lead = self.clinic_deal("CV New Win")
        lead.action_set_won()
        message = lead._get_rainbowman_message()
        self.assertIn("1 client reported an improvement this month.", message)
        self.assertEqual(self.team.outcome_improved_month_count, 1)

        second = self._won_lead("CV Celebrated 2")
        second._client_value_record_outcome("improved")
        self.assertIn(
            "2 clients reported an improvement this month.",
            lead._get_rainbowman_message(),
        )
        effect = self.clinic_deal("CV Rainbow").action_set_won_rainbowman()
        self.assertIn("2 clients reported an improvement", effect["effect"]["message"])


@tagged("post_install", "-at_install", "client_value")
class TestRatingHttp(ClientValueHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.clinic_deal("CV Http Rated")
        cls.lead.action_set_won()

    def _csrf_token(self, response):
        match = re.search(r'name="csrf_token"\s+value="([^"]+)"', response.text)
        self.assertTrue(match, "the rating page carries a form")
        return match.group(1)

    def test_client_rates_through_the_public_links(self):
        token = self.link_token(self.lead)
        self.authenticate(None, None)

        page = self.url_open("/rate/%s/4" % token)
        self.assertEqual(page.status_code, 200)
        self.assertIn('value="4" checked', page.text)
        # opening the link alone does not rate (mail scanners follow links)
        self.assertFalse(self.lead.rating_ids.consumed)

        response = self.url_open(
            "/rate/%s/submit_feedback" % token,
            data={
                "rate": 4,
                "feedback": "Scheduling is finally painless",
                "csrf_token": self._csrf_token(page),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(self.lead.rating_last_value, 4)
        self.assertEqual(
            self.lead.client_rating_comment, "Scheduling is finally painless"
        )
        self.assertEqual(self.salesman.salesperson_satisfaction_avg, 4)
        self.assertEqual(self.clinic.client_satisfaction_avg, 4)

        # the same token again changes nothing
        again = self.url_open(
            "/rate/%s/submit_feedback" % token,
            data={"rate": 1, "csrf_token": self._csrf_token(page)},
        )
        self.assertEqual(again.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(self.lead.rating_last_value, 4)
        self.assertEqual(len(self.lead.rating_ids), 1)

    def test_wrong_token_or_score_changes_nothing(self):
        token = self.link_token(self.lead)
        self.authenticate(None, None)
        page = self.url_open("/rate/%s/5" % token)
        csrf = self._csrf_token(page)

        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open("/rate/not-a-token/5").status_code, 404)
            wrong = self.url_open(
                "/rate/not-a-token/submit_feedback",
                data={"rate": 5, "csrf_token": csrf},
            )
            self.assertEqual(wrong.status_code, 404)
            self.assertEqual(self.url_open("/rate/%s/7" % token).status_code, 400)
            bad_score = self.url_open(
                "/rate/%s/submit_feedback" % token,
                data={"rate": 9, "csrf_token": csrf},
            )
            self.assertEqual(bad_score.status_code, 400)
        self.env.invalidate_all()
        self.assertFalse(self.lead.rating_ids.consumed)
        self.assertEqual(self.lead.rating_last_value, 0)


@tagged("post_install", "-at_install", "client_value")
class TestAskTheClient(ClientValueCase, MockEmail):
    """*Ask the Client* opens Odoo's composer with the request, and says
    honestly whether the email left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.clinic_deal("CV Composer")
        cls.lead.action_set_won()

    def test_the_composer_shows_the_request_and_may_be_edited(self):
        action = self.lead.with_user(self.salesman).action_ask_client_rating()
        self.assertEqual(action["res_model"], "mail.compose.message")
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.salesman)
            .with_context(action["context"])
            .create({})
        )
        self.assertEqual(composer.partner_ids, self.ana)
        self.assertIn("client-value-rating-", composer.body)
        composer.body = composer.body.replace("Some time ago", "Three weeks ago, Ana,")
        with self.mock_mail_gateway():
            notification = composer.action_send_mail()
        self.assertEqual(notification["params"]["type"], "success")
        self.assertEqual(len(self._mails), 1)
        request = self.lead.message_ids.filtered(lambda m: "/rate/" in str(m.body))
        self.assertIn("Three weeks ago, Ana,", str(request.body))
        self.assertTrue(self.lead.rating_request_date)

    def test_a_failed_send_is_reported(self):
        def refuse(*args, **kwargs):
            raise ConnectionRefusedError("Connection refused: no outgoing mail server")

        server = type(self.env["ir.mail_server"])
        with patch.object(server, mail_server_connect_name(self.env), refuse):
            notification = self.ask_client(self.lead, self.salesman)
        self.assertEqual(notification["params"]["type"], "danger")
        message = notification["params"]["message"]
        self.assertIn("could not be sent", message)
        # The server's error is read under sudo from an email the salesperson
        # may not open: it is not repeated to them.
        self.assertNotIn("no outgoing mail server", message)
        self.assertIn("Technical", message)
