"""Service levels: priorities, targets per priority (and for key accounts),
a warning before the breach, an escalation after it, and a watch whose
frequent run costs what came due, not the size of the database.

The calendar is 09:00-17:00, Monday to Friday, without a lunch break, in
UTC: an urgent request (4 working hours) made on Friday at 16:00 is due soon
(75 %, 3 working hours) on Monday at 11:00 and late on Monday at 12:00.
"""

from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.client_value.tools import response_target

from .common import SERVICE
from .test_neglect import NeglectCommon

# The week after the tests' NOW (Tuesday 10 March 2026): the watch moves
# forward from the state the tests' setup left.
FRIDAY_4PM = datetime(2026, 3, 13, 16, 0)
MONDAY_9AM = datetime(2026, 3, 16, 9, 0)
MONDAY_11AM = datetime(2026, 3, 16, 11, 0)
MONDAY_12PM = datetime(2026, 3, 16, 12, 0)
TUESDAY = date(2026, 3, 17)
MONDAY = date(2026, 3, 16)
REPLY_DUE = "client_value.mail_activity_type_reply_due"
ESCALATION = "client_value.mail_activity_type_escalation"
URGENT, HIGH, NORMAL = "2", "1", "0"


class ServiceLevelCase(NeglectCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "CV nine to five",
                "tz": "UTC",
                "hours_per_day": 8,
                "attendance_ids": [
                    (0, 0, {"name": f"Day {day}", "dayofweek": str(day),
                            "hour_from": 9, "hour_to": 17, "day_period": "morning"})
                    for day in range(5)
                ],
            }
        )  # fmt: skip
        cls.company.resource_calendar_id = cls.calendar
        cls.contact_a.email = "alice@acme.example.com"
        cls.contact_b.email = "bob@acme.example.com"
        # Signals the database already holds (the demo's, given when it was
        # installed, on whatever day that was) are not the tests' own.
        cls.known_activities = max(
            cls.env["mail.activity"].with_context(active_test=False).search([]).ids,
            default=0,
        )

    def watch(self, when):
        """The frequent run of the watch at ``when``."""
        with self.at(when):
            result = self.Watch._cron_watch()
            self.env.flush_all()
        self.env.invalidate_all()
        return result

    def signals(self, xmlid, record=None):
        domain = [
            ("activity_type_id", "=", self.env.ref(xmlid).id),
            ("id", ">", self.known_activities),
        ]
        if record:
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        return self.env["mail.activity"].search(domain)

    def urgent_request(self, record=None, when=FRIDAY_4PM, **values):
        return self.request(
            record or self.contact_a, when, client_value_priority=URGENT, **values
        )


@tagged("post_install", "-at_install", "client_value")
class TestTargets(ServiceLevelCase):
    def test_urgent_request_on_friday_afternoon(self):
        """The must-show: due soon at Monday 11:00, late at Monday 12:00; a
        normal request made at the same moment is neither then."""
        urgent = self.urgent_request()
        normal = self.request(self.contact_b, FRIDAY_4PM)
        self.assertEqual(urgent.client_value_warn_at, MONDAY_11AM)
        self.assertEqual(urgent.answer_due, MONDAY_12PM)
        states = {}
        for moment in (MONDAY_9AM, MONDAY_11AM, MONDAY_12PM):
            with self.at(moment):
                (urgent | normal).invalidate_recordset()
                states[moment] = (
                    urgent.client_value_service_state,
                    normal.client_value_service_state,
                )
        self.assertEqual(
            states,
            {
                MONDAY_9AM: ("on_time", "on_time"),
                MONDAY_11AM: ("due_soon", "on_time"),
                MONDAY_12PM: ("late", "on_time"),
            },
        )
        # Normal: 2 working days, 16 hours; due soon after 12 of them.
        self.assertEqual(normal.client_value_warn_at, datetime(2026, 3, 17, 12, 0))
        self.assertEqual(normal.answer_due, datetime(2026, 3, 17, 16, 0))

    def test_the_watch_warns_at_eleven_and_the_account_is_late_at_noon(self):
        urgent = self.urgent_request()
        self.watch(datetime(2026, 3, 16, 10, 59))
        self.assertFalse(urgent.client_value_warned)
        self.watch(MONDAY_11AM)
        self.assertTrue(urgent.client_value_warned)
        self.assertEqual(urgent.date_deadline, MONDAY, "due on Monday")
        with self.at(datetime(2026, 3, 16, 11, 59)):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.late_request_count, 0)
        with self.at(MONDAY_12PM):
            self.account.invalidate_recordset()
            self.assertEqual(self.account.late_request_count, 1)

    def test_a_key_account_follows_its_own_row(self):
        self.env["client_value.response.target"].with_user(self.manager).create(
            {"priority": NORMAL, "key_account": True, "duration": 2, "unit": "hours"}
        )
        self.account.client_value_key_account = True
        key = self.request(self.contact_a, FRIDAY_4PM)
        other = self.request(self.stranger, FRIDAY_4PM)
        self.assertEqual(key.answer_due, datetime(2026, 3, 16, 10, 0))
        self.assertEqual(other.answer_due, datetime(2026, 3, 17, 16, 0))
        # Without a key row for a priority, key accounts follow the general one.
        urgent = self.urgent_request()
        self.assertEqual(urgent.answer_due, MONDAY_12PM)

    def test_a_partner_tag_makes_key_accounts(self):
        tag = self.env["res.partner.category"].create({"name": "CV Key"})
        self.env["client_value.response.target"].create(
            {"priority": NORMAL, "key_account": True, "duration": 1, "unit": "hours"}
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "client_value.key_account_tag_id", str(tag.id)
        )
        waiting = self.request(self.contact_a, FRIDAY_4PM)
        self.assertEqual(waiting.answer_due, datetime(2026, 3, 17, 16, 0))
        # Tagging the account re-plans its waiting requests.
        with self.at(FRIDAY_4PM + timedelta(minutes=5)):
            self.account.category_id = tag
        waiting.invalidate_recordset()
        self.assertEqual(waiting.answer_due, FRIDAY_4PM + timedelta(hours=1))

    def test_changing_a_target_replans_the_waiting_requests(self):
        urgent = self.urgent_request()
        target = self.env.ref("client_value.response_target_urgent")
        with self.at(FRIDAY_4PM + timedelta(minutes=5)):
            target.with_user(self.manager).write({"duration": 1, "unit": "days"})
        urgent.invalidate_recordset()
        self.assertEqual(urgent.answer_due, datetime(2026, 3, 16, 16, 0))

    def test_the_targets_are_the_managers(self):
        target = self.env.ref("client_value.response_target_normal")
        with self.assertRaises(AccessError):
            target.with_user(self.salesman).duration = 1
        with self.assertRaises(UserError):
            target.with_user(self.manager).unlink()
        with self.assertRaises(ValidationError):
            target.with_user(self.manager).duration = -1
        with self.assertRaises(ValidationError):
            self.env["client_value.response.target"].create(
                {"priority": NORMAL, "duration": 3, "unit": "days"}
            )

    def test_priority_in_the_scheduling_dialog(self):
        self.account.user_id = self.salesman
        form = Form(
            self.env["mail.activity.schedule"]
            .with_user(self.salesman)
            .with_context(
                active_model="res.partner",
                active_ids=self.contact_a.ids,
                active_id=self.contact_a.id,
            )
        )
        form.activity_type_id = self.env.ref(SERVICE)
        form.client_value_priority = URGENT
        with self.at(FRIDAY_4PM):
            form.save().action_schedule_activities()
        request = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.contact_a.id)]
        )
        self.assertEqual(request.client_value_priority, URGENT)
        self.assertEqual(request.answer_due, MONDAY_12PM)

    def test_an_email_takes_the_priority_of_its_task(self):
        if "project.task" not in self.env:
            self.skipTest("Project is not installed")
        project = self.env["project.project"].create({"name": "CV Support"})
        task = self.env["project.task"].create(
            {
                "name": "Broken badge reader",
                "project_id": project.id,
                "partner_id": self.contact_a.id,
                "priority": "1",
                "user_ids": [(6, 0, self.salesman.ids)],
            }
        )
        email = self.client_email(task, FRIDAY_4PM)
        self.assertEqual(email.client_value_priority, HIGH)
        # High: one working day.
        self.assertEqual(email.answer_due, MONDAY_9AM + timedelta(hours=7))
        on_contact = self.client_email(self.contact_b, FRIDAY_4PM)
        self.assertEqual(on_contact.client_value_priority, NORMAL)


@tagged("post_install", "-at_install", "client_value")
class TestSignals(ServiceLevelCase):
    def test_one_warning_and_one_escalation_over_many_runs(self):
        """The must-show: one due-soon signal and one escalation, no more,
        however many runs; the escalation goes to the team leader."""
        urgent = self.urgent_request()
        email = self.client_email(self.lead_b, FRIDAY_4PM)
        moment = MONDAY_9AM
        while moment < datetime(2026, 3, 19, 9, 0):
            self.watch(moment)
            moment += timedelta(minutes=30)
        self.assertTrue(urgent.client_value_warned)
        self.assertTrue(urgent.client_value_escalated)
        self.assertEqual(len(self.signals(REPLY_DUE)), 1, "one reply due: the email")
        reply_due = self.signals(REPLY_DUE)
        self.assertEqual(reply_due.client_value_for_message_id, email)
        self.assertEqual(reply_due.user_id, self.salesman, "the deal's salesperson")
        escalations = self.signals(ESCALATION)
        self.assertEqual(len(escalations), 2, "one per request")
        self.assertEqual(escalations.user_id, self.manager)
        self.assertEqual(
            set(escalations.mapped("res_model")), {"res.partner", "crm.lead"}
        )
        self.assertIn(
            "Escalated to Max Manager", str(self.contact_a.message_ids[0].body)
        )

    def test_an_answer_ends_the_warning_and_prevents_the_escalation(self):
        """The must-show: answered once due soon, the reply-due activity
        goes and no escalation comes."""
        email = self.client_email(self.lead_b, FRIDAY_4PM)
        warn_at = email.client_value_warn_at
        self.watch(warn_at)
        self.assertEqual(len(self.signals(REPLY_DUE, self.lead_b)), 1)
        self.reply(self.lead_b, warn_at + timedelta(minutes=30))
        self.assertFalse(self.signals(REPLY_DUE, self.lead_b), "ended by the answer")
        self.watch(email.client_value_escalate_at + timedelta(hours=1))
        self.assertFalse(self.signals(ESCALATION))
        self.assertFalse(email.client_value_escalated)

    def test_a_service_request_is_not_doubled_on_the_to_do_list(self):
        urgent = self.urgent_request(date_deadline=date(2026, 3, 27))
        self.watch(MONDAY_11AM)
        self.assertFalse(self.signals(REPLY_DUE), "the request itself is the reminder")
        self.assertEqual(urgent.date_deadline, MONDAY)
        with self.at(MONDAY_11AM):
            urgent.invalidate_recordset()
            self.assertEqual(urgent.client_value_service_state, "due_soon")

    def test_the_followup_says_the_request_is_escalated(self):
        self.request(self.contact_a, FRIDAY_4PM - timedelta(days=40))
        self.run_cron(FRIDAY_4PM)
        self.assertFlagged(self.account)
        followup = self.followups(self.account)
        self.assertIn("Escalated to Max Manager", str(followup.note))

    def test_snoozed_accounts_get_no_signal(self):
        self.account.sudo().write(
            {
                "client_value_snoozed_until": date(2026, 3, 31),
                "client_value_snooze_reason": "holiday",
            }
        )
        urgent = self.urgent_request()
        self.watch(datetime(2026, 3, 17, 17, 0))
        self.assertFalse(urgent.client_value_warned)
        self.assertFalse(self.signals(ESCALATION))

    def test_signals_can_be_switched_off(self):
        params = self.env["ir.config_parameter"].sudo()
        settings = self.env["res.config.settings"].create(
            {"client_value_due_soon_percent": 0, "client_value_escalation_days": 0}
        )
        settings.execute()
        self.assertEqual(params.get_param("client_value.due_soon_percent"), "0")
        urgent = self.urgent_request()
        self.assertFalse(urgent.client_value_warn_at)
        self.assertFalse(urgent.client_value_escalate_at)
        self.watch(datetime(2026, 3, 19, 12, 0))
        self.assertFalse(self.signals(REPLY_DUE) | self.signals(ESCALATION))

    def test_a_new_priority_starts_the_signals_over(self):
        request = self.request(self.contact_a, FRIDAY_4PM)
        self.watch(datetime(2026, 3, 17, 12, 0))
        self.assertTrue(request.client_value_warned)
        request.with_user(self.salesman).client_value_priority = URGENT
        self.assertFalse(request.client_value_warned)
        self.assertEqual(request.answer_due, MONDAY_12PM)

    def test_the_signals_are_the_modules(self):
        request = self.urgent_request()
        for fname in ("client_value_warned", "answer_due", "client_value_escalated"):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                request.with_user(self.salesman).write({fname: False})

    def test_team_cards_and_digest_count_due_soon_and_escalated(self):
        self.account.user_id = self.salesman
        self.urgent_request()
        self.request(self.contact_b, FRIDAY_4PM - timedelta(days=10))
        self.watch(MONDAY_11AM)
        with self.at(MONDAY_11AM):
            self.team.invalidate_recordset()
            self.assertEqual(self.team.client_due_soon_request_count, 1)
            self.assertEqual(self.team.client_late_request_count, 1)
            self.assertEqual(self.team.client_escalated_request_count, 1)
            digest = self.env.ref("digest.digest_digest_default").with_context(
                start_datetime=datetime(2026, 3, 1),
                end_datetime=MONDAY_11AM + timedelta(minutes=1),
            )
            self.assertEqual(digest.kpi_client_value_due_soon_value, 1)
            self.assertEqual(digest.kpi_client_value_escalated_value, 1)

    def test_signal_queries_do_not_grow_with_requests(self):
        def cost(count):
            accounts = self.Partner.create(
                [
                    {"name": f"Busy {count} {i}", "is_company": True}
                    for i in range(count)
                ]
            )
            for account in accounts:
                self.urgent_request(account)
            self.env.flush_all()
            start = self.cr.sql_log_count
            self.watch(datetime(2026, 3, 17, 12, 0))
            return self.cr.sql_log_count - start

        cost(1)  # warm the caches
        self.assertEqual(cost(3), cost(20))


@tagged("post_install", "-at_install", "client_value")
class TestFrequentWatch(ServiceLevelCase):
    def test_flags_when_the_moment_comes_without_the_daily_run(self):
        self.request(self.contact_a, FRIDAY_4PM)
        self.account.invalidate_recordset()
        self.assertEqual(
            self.account.client_value_neglect_at, datetime(2026, 3, 17, 16, 0)
        )
        self.watch(datetime(2026, 3, 17, 15, 45))
        self.assertNotFlagged(self.account)
        self.watch(datetime(2026, 3, 17, 16, 0))
        self.assertFlagged(self.account)

    def test_a_recent_touch_moves_the_moment(self):
        self.request(self.contact_a, FRIDAY_4PM)
        self.done(self.contact_b, MONDAY_9AM)
        self.account.invalidate_recordset()
        # The call leaves the 30-day window at midnight after 30 days.
        self.assertEqual(self.account.client_value_neglect_at, datetime(2026, 4, 16))
        self.watch(datetime(2026, 4, 15, 23, 45))
        self.assertNotFlagged(self.account)
        self.watch(datetime(2026, 4, 16, 0, 0))
        self.assertFlagged(self.account)

    def test_an_answer_removes_the_moment(self):
        request = self.request(self.contact_a, FRIDAY_4PM)
        with self.at(MONDAY_9AM):
            request.action_done()
        self.account.invalidate_recordset()
        self.assertFalse(self.account.client_value_neglect_at)

    def test_the_full_recheck_after_a_day_of_frequent_runs_changes_nothing(self):
        """The must-show: a day of 15-minute runs while requests come, are
        answered and touches happen; the daily full re-check then finds
        nothing to repair and nothing to flag or clear."""
        other = self.Partner.create({"name": "Other Corp", "is_company": True})
        olive = self.Partner.create({"name": "Olive Other", "parent_id": other.id})
        third = self.Partner.create({"name": "Third Corp", "is_company": True})
        self.request(self.contact_a, FRIDAY_4PM - timedelta(days=3))
        self.client_email(olive, FRIDAY_4PM, author=olive)
        moment = MONDAY_9AM
        events = {
            datetime(2026, 3, 16, 10, 0): lambda: self.urgent_request(
                third, MONDAY_9AM
            ),
            datetime(2026, 3, 16, 13, 0): lambda: self.reply(olive, MONDAY_12PM),
            datetime(2026, 3, 16, 15, 0): lambda: self.done(
                self.contact_b, MONDAY_12PM
            ),
        }
        while moment <= datetime(2026, 3, 17, 9, 0):
            if moment in events:
                events[moment]()
            self.watch(moment)
            moment += timedelta(minutes=15)
        with self.at(moment):
            self.assertEqual(self.Watch.sudo()._refresh_moments(), [])
            self.assertEqual(self.Watch.sudo()._changes(), [])
        self.assertTrue(third.client_neglected)

    def test_the_frequent_run_reads_what_came_due(self):
        """Its queries do not grow with the accounts whose moment has not
        come."""

        def cost(count):
            accounts = self.Partner.create(
                [
                    {"name": f"Calm {count} {i}", "is_company": True}
                    for i in range(count)
                ]
            )
            for account in accounts:
                self.request(account, datetime(2026, 3, 27, 9, 0))
            self.env.flush_all()
            start = self.cr.sql_log_count
            self.watch(datetime(2026, 3, 17, 12, 0))
            return self.cr.sql_log_count - start

        cost(1)
        self.assertEqual(cost(3), cost(30))

    def test_the_scheduled_actions(self):
        frequent = self.env.ref("client_value.ir_cron_client_care_watch")
        daily = self.env.ref("client_value.ir_cron_flag_neglected_accounts")
        self.assertEqual(
            (frequent.interval_number, frequent.interval_type), (15, "minutes")
        )
        self.assertEqual((daily.interval_number, daily.interval_type), (1, "days"))
        self.assertTrue(frequent.active)


@tagged("post_install", "-at_install", "client_value")
class TestPlanDefinedOnce(ServiceLevelCase):
    def test_the_default_targets(self):
        table = response_target.targets(self.env)
        self.assertEqual(
            {key: (t.duration, t.unit) for key, t in table.items()},
            {
                (URGENT, False): (4.0, "hours"),
                (HIGH, False): (1.0, "days"),
                (NORMAL, False): (2.0, "days"),
            },
        )

    def test_new_user_sees_priority_in_the_timeline(self):
        user = new_test_user(
            self.env, login="cv_sl_reader", groups="sales_team.group_sale_manager"
        )
        self.urgent_request()
        touch = (
            self.env["client_value.touch"]
            .with_user(user)
            .search([("account_id", "=", self.account.id), ("is_request", "=", True)])
        )
        self.assertEqual(touch.priority, URGENT)
        self.assertEqual(touch.warn_at, MONDAY_11AM)
