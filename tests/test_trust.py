"""Trust: every client-value signal has one way in, and each reader sees
what Odoo's own record rules let them see.

Each test plays a real user: a salesperson on own documents only, a
salesperson of a second company, a portal client, or a public HTTP client.
"""

import re
import threading
from contextlib import contextmanager
from datetime import timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.client_value.tools import rating as rating_scale
from odoo.addons.mail.tests.common import MockEmail

from .common import CALL, NOW, ClientValueCase, ClientValueHttpCase
from .compat import clear_param_cache

FOLLOWUP = "client_value.mail_activity_type_neglect_followup"
REFUSED = (AccessError, UserError, ValidationError)


@contextmanager
def refused(case):
    """The ORM refuses: an access, user or validation error, nothing else."""
    with case.assertRaises(Exception) as caught:
        yield
    case.assertIsInstance(caught.exception, REFUSED)


def _rating_ids(env, lead):
    return (
        env["rating.rating"]
        .sudo()
        .search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
    )


@tagged("post_install", "-at_install", "client_value")
class TestRatingTrust(ClientValueCase):
    """The client's rating of a deal: set by the client only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "CV Trust B"})
        cls.salesman_b = new_test_user(
            cls.env,
            login="cv_trust_salesman_b",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.own = cls.clinic_deal("CV Own Deal")
        cls.colleague = cls.clinic_deal("CV Colleague Deal", user=cls.other_salesman)
        (cls.own | cls.colleague).action_set_won()
        for lead in cls.own | cls.colleague:
            lead._rating_get_access_token()
        cls.own_rating = _rating_ids(cls.env, cls.own)
        cls.colleague_rating = _rating_ids(cls.env, cls.colleague)

    def test_employees_read_only_ratings_of_deals_they_can_read(self):
        Rating = self.env["rating.rating"]
        lead_ratings = [("res_model", "=", "crm.lead")]
        mine = Rating.with_user(self.salesman).search(lead_ratings)
        self.assertIn(self.own_rating, mine)
        self.assertNotIn(self.colleague_rating, mine)
        with self.assertRaises(AccessError):
            self.colleague_rating.with_user(self.salesman).read(["rating"])
        self.assertFalse(Rating.with_user(self.salesman_b).search(lead_ratings))
        # a manager reads every deal's rating
        self.assertLessEqual(
            self.own_rating | self.colleague_rating,
            Rating.with_user(self.manager).search(lead_ratings),
        )

    def test_the_stored_token_is_not_a_credential(self):
        # Whoever reads the rating row learns nothing that answers it.
        token = self.own_rating.with_user(self.manager).read(["access_token"])[0][
            "access_token"
        ]
        with refused(self):
            self.own.sudo().rating_apply(1, token=token)
        self.assertFalse(self.own_rating.consumed)

    def test_no_employee_writes_a_deal_rating(self):
        for user, rating in (
            (self.salesman, self.own_rating),
            (self.salesman, self.colleague_rating),
            (self.manager, self.own_rating),
        ):
            for vals in ({"rating": 1}, {"feedback": "Awful"}, {"consumed": True}):
                with self.subTest(user=user.login, vals=vals):
                    with refused(self):
                        rating.with_user(user).write(vals)
        with refused(self):
            self.own_rating.with_user(self.manager).unlink()
        self.assertEqual(self.own_rating.rating, 0)
        self.assertFalse(self.own_rating.consumed)

    def test_no_employee_creates_a_deal_rating(self):
        Rating = self.env["rating.rating"].with_user(self.salesman)
        with refused(self):
            Rating.create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": self.own.id,
                    "partner_id": self.ana.id,
                    "rating": 5,
                    "consumed": True,
                }
            )
        with refused(self):
            self.own.with_user(self.salesman).message_post(body="Great", rating_value=5)
        self.env.invalidate_all()
        self.assertEqual(self.own.rating_last_value, 0)
        self.assertEqual(len(_rating_ids(self.env, self.own)), 1)

    def test_rating_last_value_cannot_be_written(self):
        with refused(self):
            self.own.with_user(self.salesman).write({"rating_last_value": 5})
        self.assertEqual(self.own.rating_last_value, 0)

    def test_ratings_of_other_documents_keep_odoos_behaviour(self):
        team_rating = (
            self.env["rating.rating"]
            .with_user(self.salesman)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.team"),
                    "res_id": self.team.id,
                    "partner_id": self.ana.id,
                }
            )
        )
        team_rating.write({"rating": 3, "consumed": True})
        self.assertEqual(team_rating.rating, 3)
        self.assertTrue(
            self.env["rating.rating"]
            .with_user(self.other_salesman)
            .search([("id", "=", team_rating.id)])
        )

    def test_feedback_is_capped(self):
        token = rating_scale.link_token(self.own.env, self.own_rating)
        with self.assertRaisesRegex(ValidationError, "5,000"):
            self.own.sudo().rating_apply(4, token=token, feedback="x" * 5001)
        self.assertFalse(self.own_rating.consumed)


@tagged("post_install", "-at_install", "client_value")
class TestRatingTrustHttp(ClientValueHttpCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.clinic_deal("CV Trust Http")
        cls.lead.action_set_won()

    def _csrf(self, page):
        match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
        self.assertTrue(match, "the rating page carries a form")
        return match.group(1)

    def test_the_email_link_rates_and_the_chatter_copy_does_not(self):
        with self.mock_mail_gateway():
            self.ask_client(self.lead, self.salesman)
        rating = _rating_ids(self.env, self.lead)
        request = self.lead.message_ids.filtered(lambda m: "/rate/" in str(m.body))
        self.assertEqual(len(request), 1)
        # The email the client received carries the working, signed link.
        sent = [mail for mail in self._mails if self.ana.email in str(mail["email_to"])]
        self.assertEqual(len(sent), 1)
        sent_token = re.search(r"/rate/([^/\"]+)/5", sent[0]["body"]).group(1)
        self.assertEqual(sent_token, rating_scale.link_token(self.lead.env, rating))
        self.authenticate(None, None)
        with mute_logger("odoo.http"):
            # what an employee can read (the row's token, the chatter copy)
            # opens nothing
            self.assertEqual(
                self.url_open("/rate/%s/5" % rating.access_token).status_code, 404
            )
            chatter_token = re.search(r"/rate/([^/\"]+)/5", str(request.body)).group(1)
            self.assertNotEqual(chatter_token, sent_token)
            self.assertEqual(
                self.url_open("/rate/%s/5" % chatter_token).status_code, 404
            )
        self.assertEqual(self.url_open("/rate/%s/5" % sent_token).status_code, 200)

    def test_public_feedback_is_capped(self):
        rating = self.lead._rating_get_access_token() and _rating_ids(
            self.env, self.lead
        )
        token = rating_scale.link_token(self.lead.env, rating)
        self.authenticate(None, None)
        page = self.url_open("/rate/%s/4" % token)
        self.assertEqual(page.status_code, 200)
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/rate/%s/submit_feedback" % token,
                data={
                    "rate": 4,
                    "feedback": "x" * 1_000_000,
                    "csrf_token": self._csrf(page),
                },
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("5,000", response.text)
        self.env.invalidate_all()
        self.assertFalse(rating.consumed)
        self.assertFalse(rating.feedback)


@tagged("post_install", "-at_install", "client_value")
class TestVerdictsHaveOneWayIn(ClientValueCase):
    """Derived fields are written by the module's own logic only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="cv_trust_manager",
            groups="sales_team.group_sale_manager,base.group_partner_manager",
            tz="UTC",
        )
        cls.won = cls.env["crm.lead"].create(
            {
                "name": "Acme won",
                "type": "opportunity",
                "partner_id": cls.contact_a.id,
                "user_id": cls.salesman.id,
            }
        )
        cls.won.action_set_won()
        cls.won.with_user(cls.salesman)._client_value_record_outcome(
            "improved", "Faster"
        )

    def test_outcome_is_written_through_the_wizard_only(self):
        for user in (self.salesman, self.manager):
            for vals in (
                {"outcome_state": "worsened"},
                {"outcome_note": "Nothing changed"},
                {"outcome_date": "2020-01-01"},
                {"impact_review_date": "2020-01-01"},
                {"rating_request_date": "2020-01-01 00:00:00"},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with refused(self):
                        self.won.with_user(user).write(vals)
        self.assertEqual(self.won.outcome_state, "improved")
        # A manager corrects it through the wizard, and the chatter tracks it.
        wizard = (
            self.env["client_value.outcome.wizard"]
            .with_user(self.manager)
            .with_context(tracking_disable=False)
            .create(
                {
                    "lead_id": self.won.id,
                    "outcome_state": "unchanged",
                    "outcome_note": "Corrected after the client's call",
                }
            )
        )
        wizard.action_record_outcome()
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written before commit
        self.assertEqual(self.won.outcome_state, "unchanged")
        tracked = self.won.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "outcome_state"
        )
        self.assertTrue(tracked)

    def test_outcome_state_values_are_validated(self):
        with self.assertRaisesRegex(ValidationError, "improved"):
            self.won.sudo().write({"outcome_state": "bogus"})
        open_lead = self.env["crm.lead"].create(
            {"name": "Open", "type": "opportunity", "partner_id": self.contact_a.id}
        )
        with self.assertRaises(ValidationError):
            open_lead.sudo().write({"outcome_state": "pending"})
        self.assertFalse(open_lead.outcome_state)

    def test_neglect_fields_are_written_by_the_watch_only(self):
        for user in (self.salesman, self.manager):
            for vals in (
                {"client_neglected": True},
                {"client_neglect_reason": "Forged"},
                {"client_neglected_since": "2020-01-01"},
                {"client_waiting_since": "2020-01-01 00:00:00"},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with refused(self):
                        self.account.with_user(user).write(vals)
        self.assertFalse(self.account.client_neglected)

    def test_touch_and_answer_fields_are_the_modules(self):
        request = self.request(self.contact_a, self.ago(days=3))
        for vals in (
            {"date_answered": fields.Datetime.to_string(self.ago(days=3))},
            {"touch_kind": "sales"},
            {"is_service_request": False},
            {"response_hours": 1.0},
            {"done_datetime": fields.Datetime.to_string(self.ago(days=1))},
        ):
            with self.subTest(vals=vals):
                with refused(self):
                    request.with_user(self.salesman).write(vals)
        email = self.client_email(self.lead_b, self.ago(days=2))
        for vals in (
            {"client_touch": "outgoing"},
            {"date_answered": fields.Datetime.to_string(self.ago(days=1))},
        ):
            with self.subTest(vals=vals):
                with refused(self):
                    email.with_user(self.salesman).write(vals)
        self.assertFalse(request.date_answered)
        self.assertEqual(email.client_touch, "incoming")

    def test_requested_on_cannot_fake_a_response_time(self):
        request = self.request(self.contact_a, self.ago(days=10))
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        with self.assertRaises(ValidationError):
            request.with_user(self.salesman).write(
                {"date_requested": fields.Datetime.to_string(tomorrow)}
            )
        self.reply(self.contact_a, self.ago(days=1))
        self.assertEqual(request.date_answered, self.ago(days=1))
        with refused(self):
            request.with_user(self.salesman).write(
                {"date_requested": fields.Datetime.to_string(self.ago(days=1, hours=1))}
            )
        self.assertEqual(request.response_hours, 9 * 24)

    def test_impact_score_follows_the_level(self):
        lead = self.env["crm.lead"].create(
            {"name": "Levelled", "type": "opportunity", "impact_level": "1"}
        )
        for user in (self.salesman, self.manager):
            for vals in ({"impact_score": 100}, {"weighted_impact": 100}):
                with self.subTest(user=user.login, vals=vals):
                    with refused(self):
                        lead.with_user(user).write(vals)
        self.assertEqual(lead.impact_score, 25)

    def test_answer_time_is_the_servers(self):
        request = self.request(self.contact_a, self.ago(days=10))
        with self.at(NOW):
            self.contact_a.with_user(self.salesman).message_post(
                body="Sorry for the wait",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                date=fields.Datetime.to_string(self.ago(days=10) + timedelta(hours=1)),
            )
            self.env.flush_all()
        self.assertEqual(request.date_answered, NOW)
        self.assertEqual(request.response_hours, 240)

    def test_incoming_email_is_never_dated_after_its_arrival(self):
        with self.at(NOW):
            email = self.contact_a.message_post(
                body="Please call",
                message_type="email",
                author_id=self.contact_a.id,
                subtype_xmlid="mail.mt_comment",
                date=fields.Datetime.to_string(NOW + timedelta(days=5)),
            )
            self.env.flush_all()
        touch = self.env["client_value.touch"].search([("message_id", "=", email.id)])
        self.assertEqual(touch.date, NOW)
        self.reply(self.contact_a, NOW + timedelta(hours=2))
        touch.invalidate_recordset()
        self.assertEqual(touch.response_hours, 2)


@tagged("post_install", "-at_install", "client_value")
class TestInternalFiguresStayInternal(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env,
            login="cv_trust_portal",
            groups="base.group_portal",
            partner_id=cls.contact_a.id,
        )
        cls.company_b = cls.env["res.company"].create({"name": "CV Leak B"})
        cls.salesman_b = new_test_user(
            cls.env,
            login="cv_leak_salesman_b",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
            tz="UTC",
        )

    def test_portal_client_reads_no_care_or_neglect_figure(self):
        self.request(self.contact_a, self.ago(days=5))
        with self.at(NOW):
            self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        self.assertTrue(self.account.client_neglected)
        for fname in (
            "client_neglected",
            "client_neglect_reason",
            "client_waiting_days",
            "avg_response_hours",
            "waiting_request_count",
            "account_neglected",
            "last_touch_date",
        ):
            with self.subTest(field=fname):
                with self.assertRaises(AccessError):
                    self.account.with_user(self.portal).read([fname])

    def test_neglect_reason_quotes_no_request(self):
        self.request(self.lead_b, self.ago(days=5), summary="Secret dispute on INV/42")
        with self.at(NOW):
            self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        account = self.account.with_user(self.salesman_b)
        self.assertTrue(account.client_neglected)
        self.assertNotIn("Secret dispute", account.client_neglect_reason)
        self.assertIn("5 days", account.client_neglect_reason)
        followup = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.account.id),
                    ("activity_type_id", "=", self.env.ref(FOLLOWUP).id),
                ]
            )
        )
        self.assertNotIn("Secret dispute", str(followup.note))

    def test_care_figures_count_only_what_the_reader_can_open(self):
        colleague_lead = self.env["crm.lead"].create(
            {
                "name": "Olga's Acme deal",
                "type": "opportunity",
                "partner_id": self.contact_b.id,
                "user_id": self.other_salesman.id,
            }
        )
        self.request(colleague_lead, self.ago(days=2))
        self.done(
            colleague_lead, self.ago(days=1), xmlid=CALL, user=self.other_salesman
        )
        mine = self.summary(self.account.with_user(self.salesman))
        theirs = self.summary(self.account.with_user(self.other_salesman))
        self.assertEqual(mine["open"], 0)
        self.assertEqual(mine["touches"], 0)
        self.assertEqual(theirs["open"], 1)
        # Olga's call; the client's request, still waiting, is not hers.
        self.assertEqual(theirs["touches"], 1)
        with self.at(NOW):
            timeline = self.account.with_user(self.salesman).account_touch_ids
            self.assertFalse(timeline)


@tagged("post_install", "-at_install", "client_value")
class TestSettingsNeverBreakAPage(ClientValueCase):
    def _store_raw(self, key, value):
        """As if typed in System Parameters before validation existed."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_config_parameter SET value = %s WHERE key = %s", (value, key)
        )
        clear_param_cache(self.env)
        self.env.invalidate_all()

    def test_out_of_range_window_falls_back_to_the_default(self):
        self.request(self.contact_a, self.ago(days=5))
        self.done(self.contact_b, self.ago(days=10), xmlid=CALL)
        for raw in ("10000000", "-5", "abc"):
            with self.subTest(raw=raw):
                self._store_raw("client_value.neglect_window_days", raw)
                with self.assertLogs(
                    "odoo.addons.client_value", level="WARNING"
                ) as logs:
                    with self.at(NOW):
                        self.env[
                            "client_value.neglect.watch"
                        ]._cron_flag_neglected_accounts()
                self.assertIn("client_value.neglect_window_days", logs.output[0])
                self.account.invalidate_recordset()
                # the default window of 30 days holds the call of 10 days ago
                self.assertFalse(self.account.client_neglected)
                figures = self.summary(self.account.with_user(self.salesman))
                # The call is ours; the waiting request is the client's.
                self.assertEqual(figures["touches"], 1)
                self.assertEqual(figures["open"], 1)

    def test_settings_are_validated_where_they_are_set(self):
        Settings = self.env["res.config.settings"]
        for fname, value in (
            ("client_value_neglect_window_days", -1),
            ("client_value_neglect_window_days", 0),
            ("client_value_neglect_window_days", 3651),
            ("client_value_impact_review_days", -3),
            ("client_value_impact_review_days", 4000),
            ("client_value_small_deal_threshold", -1),
        ):
            with self.subTest(field=fname, value=value):
                with self.assertRaises(ValidationError):
                    Settings.create({fname: value}).execute()
        params = self.env["ir.config_parameter"]
        for key, value in (
            ("client_value.neglect_window_days", "10000000"),
            ("client_value.neglect_window_days", "abc"),
            ("client_value.impact_review_days", "-5"),
            ("client_value.neglect_batch_size", "0"),
        ):
            with self.subTest(key=key, value=value):
                with self.assertRaisesRegex(ValidationError, key):
                    params.set_param(key, value)
        settings = Settings.create({"client_value_neglect_window_days": 45})
        settings.execute()
        self.assertEqual(params.get_param("client_value.neglect_window_days"), "45")


@tagged("post_install", "-at_install", "client_value")
class TestCheckNow(ClientValueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env, login="cv_check_portal", groups="base.group_portal"
        )
        cls.employee = new_test_user(
            cls.env, login="cv_check_employee", groups="base.group_user"
        )

    def test_only_sales_users_check_now(self):
        for user in (self.portal, self.employee):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["res.partner"].with_user(
                        user
                    ).action_check_neglected_accounts()

    def test_check_now_flags_at_once_and_refreshes(self):
        self.request(self.contact_a, self.ago(days=5))
        with self.at(NOW):
            action = (
                self.env["res.partner"]
                .with_user(self.salesman)
                .action_check_neglected_accounts()
            )
        self.account.invalidate_recordset()
        self.assertTrue(self.account.client_neglected)
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")

    def test_a_press_during_a_run_starts_no_second_run(self):
        self.request(self.contact_a, self.ago(days=5))
        # Another worker holds the watch's lock for its whole run.
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            Partner = self.env["res.partner"]
            Watch = self.env["client_value.neglect.watch"]
            other.execute("SELECT pg_advisory_lock(%s)", [Watch._neglect_lock_key()])
            with self.at(NOW), mute_logger("odoo.addons.client_value"):
                action = Partner.with_user(
                    self.salesman
                ).action_check_neglected_accounts()
                self.assertEqual(Watch._cron_flag_neglected_accounts(), 0)
            self.assertIn("already", action["params"]["message"])
            self.account.invalidate_recordset()
            self.assertFalse(self.account.client_neglected)
        finally:
            other.execute("SELECT pg_advisory_unlock_all()")
            other.close()


@tagged("post_install", "-at_install", "client_value")
class TestNeglectRunsDoNotOverlap(TransactionCase):
    """Two workers start the neglect watch at the same moment, each with its
    own connection, on committed data."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def test_two_runs_together_flag_each_account_once(self):
        names = [f"CV Concurrent {i}" for i in range(3)]
        with self.registry.cursor() as cr:
            env = self._env(cr)
            accounts = env["res.partner"].create(
                [{"name": name, "is_company": True} for name in names]
            )
            with freeze_time(NOW - timedelta(days=5)):
                for account in accounts:
                    account.activity_schedule(
                        "client_value.mail_activity_type_service_request",
                        user_id=env.ref("base.user_admin").id,
                    )
            account_ids = accounts.ids
        barrier = threading.Barrier(2)
        results, errors = [], []

        def run():
            try:
                with self.registry.cursor() as cr:
                    barrier.wait(timeout=30)
                    results.append(
                        self._env(cr)[
                            "client_value.neglect.watch"
                        ]._cron_flag_neglected_accounts()
                    )
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(2)]
        try:
            with mute_logger("odoo.addons.client_value"):
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=120)
            self.assertFalse(errors)
            with self.registry.cursor() as cr:
                env = self._env(cr)
                followup_type = env.ref(FOLLOWUP)
                for account_id in account_ids:
                    followups = env["mail.activity"].search_count(
                        [
                            ("res_model", "=", "res.partner"),
                            ("res_id", "=", account_id),
                            ("activity_type_id", "=", followup_type.id),
                        ]
                    )
                    events = env["client_value.neglect.event"].search_count(
                        [("partner_id", "=", account_id)]
                    )
                    notes = env["mail.message"].search_count(
                        [
                            ("model", "=", "res.partner"),
                            ("res_id", "=", account_id),
                            ("body", "ilike", "Neglected account"),
                        ]
                    )
                    self.assertEqual((followups, events, notes), (1, 1, 1))
        finally:
            with self.registry.cursor() as cr:
                env = self._env(cr)
                env["mail.activity"].with_context(active_test=False).search(
                    [("res_model", "=", "res.partner"), ("res_id", "in", account_ids)]
                ).unlink()
                env["mail.message"].search(
                    [("model", "=", "res.partner"), ("res_id", "in", account_ids)]
                ).unlink()
                env["res.partner"].browse(account_ids).unlink()
