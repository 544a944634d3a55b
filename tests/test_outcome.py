"""After the sale: outcome review, the client's own rating, celebration."""

import re
from datetime import date, timedelta
from unittest.mock import patch

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import MockEmail

from .common import ClientValueCase, ClientValueHttpCase


@tagged("post_install", "-at_install", "client_value")
class TestImpactReviewScheduling(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def test_activity_type_data(self):
        self.assertTrue(self.review_type.keep_done)
        self.assertEqual(self.review_type.res_model, "crm.lead")
        self.assertIn("improve the client's situation", self.review_type.summary)

    def test_win_schedules_exactly_one_review_on_configured_date(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "client_value.impact_review_days", 12
        )
        lead = self.clinic_deal("CV Scheduling")
        self.assertFalse(self.open_reviews(lead))
        self.assertFalse(lead.outcome_state)

        lead.action_set_won()

        review = self.open_reviews(lead)
        due = fields.Date.context_today(lead) + timedelta(days=12)
        self.assertEqual(len(review), 1)
        self.assertEqual(review.date_deadline, due)
        self.assertEqual(review.user_id, self.salesman)
        self.assertIn("improve the client's situation", review.summary)
        self.assertEqual(lead.outcome_state, "pending")
        self.assertEqual(lead.impact_review_date, due)

        # winning again, or moving between won stages, leaves one review
        lead.action_set_won()
        lead.write({"stage_id": self.stage_won_2.id})
        lead.action_set_won_rainbowman()
        self.assertEqual(self.open_reviews(lead), review)

    def test_reopen_and_rewin_keeps_one_open_review(self):
        lead = self.clinic_deal("CV Reopen")
        lead.action_set_won()
        self.assertEqual(len(self.open_reviews(lead)), 1)

        lead.write({"stage_id": self.stage_new.id})
        self.assertFalse(
            self.open_reviews(lead), "a reopened deal has nothing to review"
        )
        self.assertFalse(lead.outcome_state)
        self.assertFalse(lead.impact_review_date)

        lead.action_set_won()
        self.assertEqual(len(self.open_reviews(lead)), 1)

        # lost then restored and won again
        lead.action_set_lost()
        self.assertFalse(self.open_reviews(lead))
        lead.action_set_won()
        self.assertEqual(len(self.open_reviews(lead)), 1)
        self.assertEqual(lead.outcome_state, "pending")

    def test_recorded_outcome_is_not_reviewed_again(self):
        lead = self.clinic_deal("CV Recorded")
        lead.action_set_won()
        lead._client_value_record_outcome("improved", note="Waiting list halved")
        self.assertFalse(self.open_reviews(lead))
        lead.write({"stage_id": self.stage_new.id})
        lead.action_set_won()
        self.assertFalse(self.open_reviews(lead))
        self.assertEqual(lead.outcome_state, "improved")

    def test_batch_win_and_fallback_user(self):
        leads = self.clinic_deal("CV Batch 1") | self.clinic_deal("CV Batch 2")
        unassigned = self.clinic_deal("CV Unassigned", user_id=False)
        (leads | unassigned).write({"stage_id": self.stage_won.id})
        reviews = self.open_reviews(leads | unassigned)
        self.assertEqual(len(reviews), 3)
        self.assertEqual(
            sorted(reviews.mapped("res_id")), sorted((leads | unassigned).ids)
        )
        self.assertEqual(
            reviews.filtered(lambda r: r.res_id == unassigned.id).user_id,
            self.env.user,
            "without salesperson the review goes to the user who won the deal",
        )

    def test_created_won_schedules_review(self):
        lead = self.clinic_deal("CV Imported Won", stage_id=self.stage_won.id)
        self.assertEqual(len(self.open_reviews(lead)), 1)
        self.assertEqual(lead.outcome_state, "pending")

    def test_outcome_overdue_filter(self):
        overdue = self.clinic_deal("CV Overdue")
        not_due = self.clinic_deal("CV Not Due")
        recorded = self.clinic_deal("CV Recorded Late")
        (overdue | not_due | recorded).action_set_won()
        yesterday = fields.Date.context_today(overdue) - timedelta(days=1)
        (overdue | recorded).write({"impact_review_date": yesterday})
        recorded._client_value_record_outcome("unchanged")

        view = self.env.ref("client_value.crm_lead_view_search_inherit_client_value")
        node = etree.fromstring(view.arch).xpath("//filter[@name='outcome_overdue']")[0]
        domain = safe_eval(
            node.get("domain"),
            {"context_today": date.today},
        )
        found = self.env["crm.lead"].search(
            domain + [("id", "in", (overdue | not_due | recorded).ids)]
        )
        self.assertEqual(found, overdue)
        self.assertEqual(self.team.outcome_overdue_count, 1)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "client_value.crm_lead_outcome_action"
        )
        self.assertIn("search_default_outcome_overdue", action["context"])


@tagged("post_install", "-at_install", "client_value")
class TestOutcomeWizard(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def test_completing_review_opens_wizard_and_records_outcome(self):
        self.env = self.env(context=dict(self.env.context, tracking_disable=False))
        lead = self.clinic_deal("CV Wizard").with_env(self.env)
        lead.action_set_won()
        # as after the request that won the deal: its tracking is posted
        self.env.flush_all()
        self.env.cr.precommit.run()
        review = self.open_reviews(lead).with_user(self.salesman)

        action = review.action_feedback_schedule_next(
            feedback="Two more nurses on shift"
        )
        self.assertEqual(action["res_model"], "client_value.outcome.wizard")
        self.assertTrue(
            review.active, "the review stays open until the outcome is recorded"
        )
        self.assertEqual(action["context"]["default_lead_id"], lead.id)
        self.assertEqual(
            action["context"]["default_outcome_note"], "Two more nurses on shift"
        )
        # the "Mark as Done" button of the activity list opens it too
        self.assertEqual(
            review.action_done()["res_model"], "client_value.outcome.wizard"
        )

        wizard = (
            self.env["client_value.outcome.wizard"]
            .with_user(self.salesman)
            .with_context(**action["context"])
            .create({"outcome_state": "improved"})
        )
        wizard.action_record_outcome()

        lead.invalidate_recordset()
        self.assertEqual(lead.outcome_state, "improved")
        self.assertEqual(lead.outcome_note, "Two more nurses on shift")
        self.assertEqual(lead.outcome_date, fields.Date.context_today(lead))
        self.assertFalse(self.open_reviews(lead))
        review.invalidate_recordset()
        self.assertTrue(review.exists(), "Impact Review keeps its history when done")
        self.assertFalse(review.active)
        message = lead.message_ids.filtered(
            lambda m: m.mail_activity_type_id == self.review_type
        )
        self.assertEqual(len(message), 1)
        self.assertIn("Outcome: Improved", message.body)
        self.assertIn("Two more nurses on shift", message.body)
        self.env.flush_all()
        self.env.cr.precommit.run()
        lead.invalidate_recordset(["message_ids"])
        tracked = lead.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "outcome_state"
        )
        self.assertTrue(tracked, "the outcome state is tracked")

    def test_record_button_without_review_posts_in_chatter(self):
        lead = self.clinic_deal("CV Button")
        lead.action_set_won()
        self.open_reviews(lead).unlink()
        action = lead.with_user(self.salesman).action_open_outcome_wizard()
        wizard = (
            self.env["client_value.outcome.wizard"]
            .with_user(self.salesman)
            .with_context(**action["context"])
            .create(
                {"outcome_state": "worsened", "outcome_note": "Rollout hurt their team"}
            )
        )
        wizard.action_record_outcome()
        self.assertEqual(lead.outcome_state, "worsened")
        self.assertIn("Outcome: Worsened", lead.message_ids[0].body)
        self.assertIn("Rollout hurt their team", lead.message_ids[0].body)

    def test_plain_activities_are_unaffected(self):
        lead = self.clinic_deal("CV Plain")
        todo = lead.activity_schedule("mail.mail_activity_data_todo", summary="To do")
        todo.action_done()
        self.assertFalse(todo.exists())
        # A call is a client touch: done, it is kept as history (keep_done).
        call = lead.activity_schedule("mail.mail_activity_data_call", summary="Call")
        call.action_done()
        self.assertTrue(call.exists())
        self.assertFalse(call.active)

    def test_outcome_only_on_won_opportunity(self):
        lead = self.clinic_deal("CV Not Won")
        with self.assertRaisesRegex(UserError, "only be recorded on a won opportunity"):
            lead.action_open_outcome_wizard()
        wizard = self.env["client_value.outcome.wizard"].create(
            {"lead_id": lead.id, "outcome_state": "improved"}
        )
        with self.assertRaisesRegex(UserError, "only be recorded on a won opportunity"):
            wizard.action_record_outcome()
        with (
            self.assertRaisesRegex(
                ValidationError, "only be recorded on a won opportunity"
            ),
            self.env.cr.savepoint(),
        ):
            lead.write({"outcome_state": "improved"})
        self.assertFalse(lead.outcome_state)


@tagged("post_install", "-at_install", "client_value")
class TestClientRating(ClientValueCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

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
        lost.action_set_lost()
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
class TestOutcomeAccess(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def test_salesman_records_own_outcome_only_once(self):
        lead = self.clinic_deal("CV Own").with_user(self.salesman)
        lead.action_set_won()
        review = self.open_reviews(lead)
        self.assertEqual(review.user_id, self.salesman)
        lead._client_value_record_outcome("unchanged", note="Same backlog")
        self.assertEqual(lead.outcome_state, "unchanged")
        with self.assertRaisesRegex(UserError, "only a sales manager"):
            lead._client_value_record_outcome("improved")
        with self.assertRaisesRegex(UserError, "only a sales manager"):
            lead.action_open_outcome_wizard()

        # the manager may correct a recorded outcome
        as_manager = lead.with_user(self.manager)
        action = as_manager.action_open_outcome_wizard()
        self.assertEqual(action["context"]["default_outcome_state"], "unchanged")
        as_manager._client_value_record_outcome(
            "improved", note="Backlog cleared after all"
        )
        self.assertEqual(lead.outcome_state, "improved")

    def test_salesman_cannot_touch_other_salesman_deal(self):
        lead = self.clinic_deal("CV Theirs", user=self.other_salesman)
        lead.action_set_won()
        with self.assertRaises(AccessError):
            lead.with_user(self.salesman)._client_value_record_outcome("improved")
        with self.assertRaises(AccessError):
            lead.with_user(self.salesman).action_ask_client_rating()
        with self.assertRaises(AccessError):
            self.open_reviews(lead).with_user(self.salesman).action_done()
        self.assertEqual(lead.outcome_state, "pending")
        self.assertFalse(lead.rating_ids)

        lead.with_user(self.manager)._client_value_record_outcome("improved")
        self.assertEqual(lead.outcome_state, "improved")

    def test_salesman_sees_averages_of_own_deals(self):
        mine = self.clinic_deal("CV Mine")
        theirs = self.clinic_deal("CV Not Mine", user=self.other_salesman)
        (mine | theirs).action_set_won()
        mine.sudo().rating_apply(5, token=self.link_token(mine))
        theirs.sudo().rating_apply(1, token=self.link_token(theirs))
        account_as_salesman = self.clinic.with_user(self.salesman)
        account_as_manager = self.clinic.with_user(self.manager)
        self.assertEqual(account_as_salesman.client_satisfaction_avg, 5)
        self.assertEqual(account_as_manager.client_satisfaction_avg, 3)
        self.assertEqual(
            self.other_salesman.with_user(self.manager).salesperson_satisfaction_avg, 1
        )

    def test_settings_are_stored_as_parameters(self):
        settings = self.env["res.config.settings"].create(
            {
                "client_value_impact_review_days": 45,
                "client_value_auto_rating_request": True,
            }
        )
        settings.execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("client_value.impact_review_days"), "45")
        self.assertEqual(params.get_param("client_value.auto_rating_request"), "True")
        lead = self.clinic_deal("CV Settings")
        lead.action_set_won()
        self.assertEqual(
            self.open_reviews(lead).date_deadline,
            fields.Date.context_today(lead) + timedelta(days=45),
        )


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
class TestImpactReviewUi(ClientValueHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman.write({"password": "cv_salesman"})
        cls.lead = cls.clinic_deal("CV Tour Lead")
        cls.lead.action_set_won()

    def test_done_on_impact_review_opens_outcome_wizard(self):
        self.start_tour(
            "/odoo/action-crm.crm_lead_action_pipeline/%s" % self.lead.id,
            "client_value_impact_review_done",
            login="cv_salesman",
        )
        self.env.invalidate_all()
        self.assertEqual(self.lead.outcome_state, "improved")
        self.assertEqual(self.lead.outcome_note, "Their waiting list is gone")
        self.assertFalse(self.open_reviews(self.lead))


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

        with patch.object(type(self.env["ir.mail_server"]), "connect", refuse):
            notification = self.ask_client(self.lead, self.salesman)
        self.assertEqual(notification["params"]["type"], "danger")
        message = notification["params"]["message"]
        self.assertIn("could not be sent", message)
        # The server's error is read under sudo from an email the salesperson
        # may not open: it is not repeated to them.
        self.assertNotIn("no outgoing mail server", message)
        self.assertIn("Technical", message)
