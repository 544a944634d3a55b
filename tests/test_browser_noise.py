"""No Reply Needed in the real web client: from the chatter, and the
managers' report of the requests closed without a reply.

The client's emails arrive as raw RFC 822 messages through Odoo's mail
gateway (``message_process``).
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .browser_common import BrowserCase

SERVICE = "client_value.mail_activity_type_service_request"
TOUR_TIMEOUT = 300


@tagged("post_install", "-at_install", "client_value")
class TestBrowserNoReply(BrowserCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._setup_client_care(
            "cv_noreply_salesman", "sales_team.group_sale_salesman"
        )
        cls.clinic, cls.alice, cls.deal = cls._setup_clinic("Bay", cls.salesman)

    def test_no_reply_needed_from_the_chatter(self):
        thanks = self.receive(
            self.deal, self.alice, "Thank you, all clear!", "Thanks, that was it.", 1
        )
        self.assertEqual(thanks.client_touch, "incoming")
        self.assertFalse(thanks.date_answered)
        self.start_tour(
            "/odoo/action-crm.crm_lead_action_pipeline/%d" % self.deal.id,
            "client_value_no_reply",
            login=self.salesman.login,
            timeout=TOUR_TIMEOUT,
        )
        self.env.invalidate_all()
        self.assertEqual(thanks.client_value_no_reply_reason, "information")
        self.assertTrue(thanks.date_answered)
        self.assertEqual(thanks.answered_by_id, self.salesman.partner_id)
        self.assertEqual(self.clinic.waiting_request_count, 0)

    def test_closed_without_reply_screenshot(self):
        """The managers' report: requests closed without a reply, per
        salesperson and reason."""
        manager = new_test_user(
            self.env,
            login="cv_noreply_manager",
            password="cv_noreply_manager",
            name="Max Manager",
            groups="sales_team.group_sale_manager",
            tz="UTC",
        )
        colleagues = [self.salesman] + [
            new_test_user(
                self.env,
                login=login,
                name=name,
                groups="sales_team.group_sale_salesman",
                tz="UTC",
            )
            for login, name in (
                ("cv_noreply_colin", "Colin Colleague"),
                ("cv_noreply_nina", "Nina North"),
            )
        ]
        # What each closed, and why: (reason, how many).
        closings = {
            self.salesman: [("thanks", 4), ("information", 2), ("offline", 1)],
            colleagues[1]: [("thanks", 2), ("duplicate", 1)],
            colleagues[2]: [("thanks", 1), ("duplicate", 3), ("other", 4)],
        }
        now = fields.Datetime.now().replace(microsecond=0)
        for user, reasons in closings.items():
            account = self.env["res.partner"].create(
                {
                    "name": f"{user.name}'s client",
                    "is_company": True,
                    "user_id": user.id,
                }
            )
            for reason, count in reasons:
                for index in range(count):
                    request = account.activity_schedule(
                        SERVICE,
                        user_id=user.id,
                        summary=f"Request {index}",
                        date_requested=now - timedelta(days=3 + index),
                    )
                    self.env["client_value.no.reply.wizard"].with_user(user).create(
                        {
                            "res_model": "mail.activity",
                            "res_id": request.id,
                            "reason": reason,
                            "note": "Sent twice" if reason == "other" else False,
                            "answered_on": now - timedelta(days=1)
                            if reason == "offline"
                            else False,
                        }
                    ).action_confirm()
        self.env.flush_all()
        report = self.env["client_value.touch"].with_user(manager)
        counts = dict(
            report._read_group(
                [("no_reply_reason", "!=", False)], ["no_reply_by_id"], ["__count"]
            )
        )
        self.assertEqual(
            {partner.name: count for partner, count in counts.items()},
            {"Mia Salesman": 7, "Colin Colleague": 3, "Nina North": 8},
        )
        path, switches = self.take_screenshot(
            "closed_without_reply",
            "/odoo/action-client_value.client_value_touch_action_no_reply",
            ".o_pivot .o_pivot_cell_value",
            login=manager.login,
        )
        self.assertScreenshot(path, switches)
