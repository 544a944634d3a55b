from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import machine_mail, response_target, touch_rule
from ..tools.protect import check_protected

# Fields only the module's own logic writes (classification, answers).
PROTECTED_FIELDS = (
    "client_touch",
    "client_touch_date",
    "date_answered",
    "answers_request",
    "answer_due",
    "answered_by_id",
    "client_value_automatic",
    "client_value_automated",
    "client_value_no_reply_reason",
    "client_value_no_reply_note",
    "client_value_priority",
    "client_value_warn_at",
    "client_value_escalate_at",
    "client_value_warned",
    "client_value_escalated",
)


class MailMessage(models.Model):
    """Messages as client touches, classified once when they are posted.

    ``incoming``: an email written by the client, i.e. an author belonging
    to the record's account. ``outgoing``: a discussion message or email
    (not a note) written by an internal user. Outgoing messages answer the
    waiting requests of their record. The rule itself lives in
    ``tools/touch_rule.py``; messages of models that carry no touches are
    left alone, without a query.
    """

    _inherit = "mail.message"

    client_touch = fields.Selection(
        [("incoming", "From the client"), ("outgoing", "To the client")],
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    client_touch_date = fields.Datetime(
        string="Touch Moment",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="When the message reached us (an email from the client) or left "
        "(a message to the client), by the server's clock.",
    )
    date_answered = fields.Datetime(
        string="Answered On",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="For an email from the client: when an internal user first "
        "replied on the same record.",
    )
    answer_due = fields.Datetime(
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="For an email from the client: when it becomes late, the response "
        "target counted in working days of the document's company calendar.",
    )
    answered_by_id = fields.Many2one(
        "res.partner",
        string="Answered By",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    answers_request = fields.Boolean(
        string="Answers a Request",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="This message answered a pending client request; it is part of "
        "that request's touch, not a touch of its own.",
    )

    client_value_automatic = fields.Selection(
        machine_mail.AUTOMATIC_REASONS,
        string="Automatic Email",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The mail gateway found that a machine sent this email (an "
        "auto-reply, a mailing list, a delivery report): it is neither a "
        "request nor a touch.",
    )
    client_value_automated = fields.Boolean(
        string="Sent Automatically",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Posted by no person (a scheduled action, OdooBot, a mass "
        "mailing): it answers no client request and is no touch.",
    )
    client_value_no_reply_reason = fields.Selection(
        touch_rule.NO_REPLY_REASONS,
        string="No Reply Needed",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Why this email from the client was closed without a reply.",
    )
    client_value_no_reply_note = fields.Text(
        string="No Reply Note", readonly=True, copy=False, groups="base.group_user"
    )
    # Service levels of an email from the client (tools/response_target.py).
    client_value_priority = fields.Selection(
        response_target.PRIORITIES,
        string="Request Priority",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The priority of the document the client wrote on (a ticket, a "
        "task), normal otherwise.",
    )
    client_value_warn_at = fields.Datetime(
        string="Due Soon From", readonly=True, copy=False, groups="base.group_user"
    )
    client_value_escalate_at = fields.Datetime(
        string="Escalated From", readonly=True, copy=False, groups="base.group_user"
    )
    client_value_warned = fields.Boolean(
        string="Due Soon Signalled",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    client_value_escalated = fields.Boolean(
        string="Escalated", readonly=True, copy=False, groups="base.group_user"
    )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = check_protected(self, PROTECTED_FIELDS, vals_list)
        vals_list = [self._client_value_marked(vals) for vals in vals_list]
        messages = super().create(vals_list)
        candidates = messages.browse(
            message.id
            for message, vals in zip(messages, vals_list, strict=True)
            if self._client_value_candidate(vals)
        )
        if candidates:
            candidates._client_value_classify()
        return messages

    def write(self, vals):
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        if "res_id" not in vals and "model" not in vals:
            return super().write(vals)
        # Touches moved to another document (Odoo's merges do it): the
        # accounts they leave and join follow.
        moved = self._client_value_documents()
        result = super().write(vals)
        if moved:
            self.env["client_value.care"]._accounts_changed_later(
                documents=moved + self._client_value_documents()
            )
        return result

    def _extras_to_store(self, store, format_reply):
        """Tell the chatter which emails from the client still wait for an
        answer, so that it offers *No Reply Needed* on them
        (static/src/chatter/no_reply_action.js). Internal users only, when
        emails are requests; the fields were read with the message."""
        super()._extras_to_store(store, format_reply=format_reply)
        if not self.env.user._is_internal():
            return
        waiting = self.filtered(
            lambda message: message.client_touch == "incoming"
            and not message.date_answered
        )
        if waiting and touch_rule.emails_are_requests(self.env):
            for message in waiting:
                store.add(message, {"client_value_waiting": True})

    def _client_value_documents(self):
        """(model, res_id) of the touches among these messages."""
        models_ = touch_rule.touch_models(self.env)
        # sudo: whether a message is a touch is the module's own bookkeeping
        return [
            (message.model, message.res_id)
            for message in self.sudo()
            if message.client_touch and message.model in models_
        ]

    @api.model
    def _client_value_marked(self, vals):
        """``vals`` of a new message on a touch document, marked when no
        person wrote it: an email the gateway found automatic, or a message
        of our side posted automatically (``tools/machine_mail.py``)."""
        if not self._client_value_candidate(vals):
            return vals
        marks = {}
        why = machine_mail.gateway_reason_now()
        if why and vals.get("message_type") == "email":
            marks["client_value_automatic"] = why
        root = self.env["ir.model.data"]._xmlid_to_res_id(
            "base.partner_root", raise_if_not_found=False
        )
        if machine_mail.sent_automatically(self.env, vals, root):
            marks["client_value_automated"] = True
        return {**vals, **marks} if marks else vals

    @api.model
    def _client_value_candidate(self, vals):
        """Whether a new message may be a touch, decided from its values
        alone, without reading anything: a discussion or an email on a
        record of a source. The classification query decides the rest."""
        return (
            vals.get("model") in touch_rule.touch_models(self.env)
            and vals.get("res_id")
            and vals.get("message_type", "comment") in touch_rule.MESSAGE_TYPES
        )

    def _client_value_classify(self):
        """Classify ``self`` (new messages) in one query; messages sent to
        the client answer the requests they answer, and the accounts
        touched get their last touch and, when flagged, a fresh look."""
        now = fields.Datetime.now()
        sources = touch_rule.active_sources(self.env)
        touch_rule.flush_accounts(self.env, sources)
        rows = self.env.execute_query(
            touch_rule.classify_sql(sources, SQL("m.id = ANY(%s)", self.ids), now)
        )
        if not rows:
            return
        self.invalidate_recordset(["client_touch", "client_touch_date"])
        received = [row for row in rows if row[3] == "incoming"]
        if received:
            self._client_value_set_answer_due(received)
        sent = [row for row in rows if row[3] == "outgoing"]
        if sent:
            self._client_value_answer(
                SQL(
                    "SELECT model, res_id, moment, message_id, "
                    "NULL::integer AS activity_id, author_id "
                    "FROM unnest(%s::varchar[], %s::int[], %s::timestamp[], %s::int[], "
                    "%s::int[]) AS e(model, res_id, moment, message_id, author_id)",
                    [row[1] for row in sent],
                    [row[2] for row in sent],
                    [row[4] for row in sent],
                    [row[0] for row in sent],
                    [row[5] for row in sent],
                )
            )
            if self._client_value_reply_completes():
                self.env["mail.activity"]._client_value_complete_answered(
                    [(row[1], row[2]) for row in sent]
                )
        self.env["client_value.care"]._touched([(row[1], row[2]) for row in rows])

    @api.model
    def _client_value_reply_completes(self):
        """Whether the reply being sent completes the service requests it
        answers: the choice made in the composer, else the one the user
        made last (their preference); never for the superuser."""
        choice = self.env.context.get("client_value_complete_requests")
        if choice is not None:
            return bool(choice)
        return not self.env.su and self.env.user.client_value_complete_on_reply

    @api.model
    def _client_value_set_answer_due(self, rows):
        """Plan each email from the client (rows: id, model, res_id,
        client_touch, client_touch_date, author_id): its priority, the
        priority of its document, and when it is due soon, due and escalated
        (``tools/response_target.py``)."""
        facts = response_target.document_facts(
            self.env, [(row[1], row[2]) for row in rows]
        )
        requests = []
        for _id, model, res_id, _touch, moment, _author in rows:
            company, priority, key_account = facts.get(
                (model, res_id), (None, response_target.NORMAL, False)
            )
            requests.append(
                response_target.Request(company, moment, priority, key_account)
            )
        plans = response_target.plan_many(self.env, requests)
        self.env.execute_query(
            SQL(
                """
                UPDATE mail_message m
                   SET answer_due = v.due, client_value_warn_at = v.warn_at,
                       client_value_escalate_at = v.escalate_at,
                       client_value_priority = v.priority
                  FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[],
                              %s::timestamp[], %s::varchar[])
                       AS v(id, due, warn_at, escalate_at, priority)
                 WHERE m.id = v.id
                """,
                [row[0] for row in rows],
                [plan.due for plan in plans],
                [plan.warn_at for plan in plans],
                [plan.escalate_at for plan in plans],
                [request.priority for request in requests],
            )
        )
        self.invalidate_model(
            [
                "answer_due",
                "client_value_warn_at",
                "client_value_escalate_at",
                "client_value_priority",
            ]
        )

    @api.model
    def _client_value_answer(self, events):
        """Apply the answers of ``events`` (see ``touch_rule.answer_sql``)."""
        rows = self.env.execute_query(touch_rule.answer_sql(events))
        if rows:
            self.env["mail.activity"]._client_value_end_signals(
                [(model, rid) for model, rid, _moment in rows]
            )
            self.env["mail.activity"].invalidate_model(
                ["date_answered", "answered_by_id", "response_hours"]
            )
            self.invalidate_model(
                ["date_answered", "answered_by_id", "answers_request"]
            )
        return rows
