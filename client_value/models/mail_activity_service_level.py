from odoo import api, fields, models
from odoo.tools.sql import create_index

from ..tools import response_target
from ..tools.compat import domain_and, domain_or
from ..tools.protect import check_protected

# The plan of a request and its signals: the module's own bookkeeping.
PROTECTED_FIELDS = (
    "answer_due",
    "client_value_warn_at",
    "client_value_escalate_at",
    "client_value_warned",
    "client_value_escalated",
    "client_value_signal",
    "client_value_for_activity_id",
    "client_value_for_message_id",
)
# What a signal activity says about its request.
SIGNALS = [("reply_due", "Reply due"), ("escalation", "Escalation")]
# Where a waiting request stands against its target, now.
SERVICE_STATES = [
    ("on_time", "On time"),
    ("due_soon", "Due soon"),
    ("late", "Late"),
    ("escalated", "Escalated"),
]


def service_state(request, now):
    """Where the waiting ``request`` (a service request or an email from the
    client) stands against its target at ``now``; False once answered."""
    if request.date_answered or not request.answer_due:
        return False
    if request.client_value_escalated and request.answer_due <= now:
        return "escalated"
    if request.answer_due <= now:
        return "late"
    if request.client_value_warn_at and request.client_value_warn_at <= now:
        return "due_soon"
    return "on_time"


class MailActivity(models.Model):
    """Service levels of service requests: a priority, and when the request
    is due soon, due and escalated (``tools/response_target.py``); and the
    activities that signal them (a *Reply Due* for a client's email, an
    *Escalation* for the team leader), each linked to its request so that
    the answer ends it."""

    _inherit = "mail.activity"

    client_value_priority = fields.Selection(
        response_target.PRIORITIES,
        string="Request Priority",
        copy=False,
        help="Sets the response target of a service request: normal, high "
        "(one star) or urgent (two stars).",
    )
    answer_due = fields.Datetime(
        compute="_compute_client_value_plan",
        store=True,
        precompute=True,
        copy=False,
        help="When the request becomes late: the response target of its "
        "priority, in working time of the calendar of the document's company.",
    )
    client_value_warn_at = fields.Datetime(
        string="Due Soon From",
        compute="_compute_client_value_plan",
        store=True,
        precompute=True,
        copy=False,
    )
    client_value_escalate_at = fields.Datetime(
        string="Escalated From",
        compute="_compute_client_value_plan",
        store=True,
        precompute=True,
        copy=False,
    )
    client_value_warned = fields.Boolean(
        string="Due Soon Signalled", readonly=True, copy=False
    )
    client_value_escalated = fields.Boolean(
        string="Escalated", readonly=True, copy=False
    )
    client_value_service_state = fields.Selection(
        SERVICE_STATES,
        string="Response",
        compute="_compute_client_value_service_state",
        search="_search_client_value_service_state",
        help="Where the waiting request stands against its response target.",
    )
    client_value_signal = fields.Selection(
        SIGNALS, string="Signal", readonly=True, copy=False
    )
    client_value_for_activity_id = fields.Many2one(
        "mail.activity",
        string="For Request",
        readonly=True,
        copy=False,
        ondelete="cascade",
    )
    client_value_for_message_id = fields.Many2one(
        "mail.message",
        string="For Email",
        readonly=True,
        copy=False,
        ondelete="cascade",
    )

    def init(self):
        # Signal activities are few: a partial index finds them by request.
        for column in ("client_value_for_activity_id", "client_value_for_message_id"):
            create_index(
                self.env.cr,
                f"mail_activity_{column}_idx",
                self._table,
                [column],
                where=f"{column} IS NOT NULL",
            )

    @api.depends(
        "is_service_request",
        "date_requested",
        "res_model",
        "res_id",
        "client_value_priority",
    )
    def _compute_client_value_plan(self):
        now = fields.Datetime.now()
        requests = self.filtered(
            lambda activity: activity.is_service_request and activity.res_id
        )
        if not requests:
            self.answer_due = False
            self.client_value_warn_at = False
            self.client_value_escalate_at = False
            return
        facts = response_target.document_facts(
            self.env, [(request.res_model, request.res_id) for request in requests]
        )
        inputs = []
        for request in requests:
            company, _document_priority, key_account = facts.get(
                (request.res_model, request.res_id),
                (None, response_target.NORMAL, False),
            )
            inputs.append(
                response_target.Request(
                    company,
                    request.date_requested or now,
                    request.client_value_priority or response_target.NORMAL,
                    key_account,
                )
            )
        plans = response_target.plan_many(self.env, inputs)
        planned = dict(zip(requests, plans, strict=True))
        for activity in self:
            plan = planned.get(activity)
            activity.answer_due = plan and plan.due
            activity.client_value_warn_at = plan and plan.warn_at
            activity.client_value_escalate_at = plan and plan.escalate_at

    @api.depends("date_answered", "answer_due", "client_value_warn_at")
    def _compute_client_value_service_state(self):
        now = fields.Datetime.now()
        for activity in self:
            activity.client_value_service_state = (
                activity.is_service_request and service_state(activity, now)
            )

    def _search_client_value_service_state(self, operator, value):
        if operator not in ("=", "in"):
            return NotImplemented
        states = [value] if operator == "=" else list(value)
        now = fields.Datetime.now()
        waiting = [("is_service_request", "=", True), ("date_answered", "=", False)]
        domains = {
            "on_time": [
                ("answer_due", ">", now),
                "|",
                ("client_value_warn_at", "=", False),
                ("client_value_warn_at", ">", now),
            ],
            "due_soon": [("answer_due", ">", now), ("client_value_warn_at", "<=", now)],
            "late": [("answer_due", "<=", now), ("client_value_escalated", "=", False)],
            "escalated": [
                ("answer_due", "<=", now),
                ("client_value_escalated", "=", True),
            ],
        }
        chosen = [domains[state] for state in states if state in domains]
        if not chosen:
            return [(0, "=", 1)]
        return domain_and([waiting, domain_or(chosen)])

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = check_protected(self, PROTECTED_FIELDS, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        result = super().write(vals)
        if "client_value_priority" in vals:
            # A new priority re-plans the request: its signals start over.
            # sudo: the signals are the module's own bookkeeping
            self.filtered(lambda a: not a.date_answered).sudo().write(
                {"client_value_warned": False, "client_value_escalated": False}
            )
        return result

    @api.model
    def _client_value_end_signals(self, requests):
        """``requests`` ((model, id) pairs of service requests and client
        emails) were answered or closed: their *Reply Due* and *Escalation*
        activities end, without a trace, as there is nothing left to do."""
        activity_ids = [rid for model, rid in requests if model == "mail.activity"]
        message_ids = [rid for model, rid in requests if model == "mail.message"]
        if not activity_ids and not message_ids:
            return
        # sudo: the signals are the module's own, whoever answered
        signals = self.sudo().search(
            [
                "|",
                ("client_value_for_activity_id", "in", activity_ids),
                ("client_value_for_message_id", "in", message_ids),
            ]
        )
        signals.unlink()
