from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

# Records whose chatter holds client touches: the account's contacts and the
# leads and opportunities of those contacts.
TOUCH_MODELS = ("res.partner", "crm.lead")


class MailMessage(models.Model):
    """Messages as client touches, classified once when they are posted.

    ``incoming``: an email written by the client, i.e. an author belonging
    to the same commercial partner as the record's contact. ``outgoing``: a
    discussion message or email (not a note) written by an internal user.
    Outgoing messages answer the open requests of their record.
    """

    _inherit = "mail.message"

    client_touch = fields.Selection(
        [("incoming", "From the client"), ("outgoing", "To the client")],
        compute="_compute_client_touch",
        store=True,
    )
    date_answered = fields.Datetime(
        string="Answered On",
        readonly=True,
        copy=False,
        help="For an email from the client: when an internal user first "
        "replied on the same record.",
    )
    answers_request = fields.Boolean(
        string="Answers a Request",
        readonly=True,
        copy=False,
        help="This message answered a pending client request; it is part of "
        "that request's touch, not a touch of its own.",
    )

    @api.depends(
        "message_type", "model", "res_id", "author_id", "subtype_id", "is_internal"
    )
    def _compute_client_touch(self):
        candidates = self.filtered(
            lambda m: m.model in TOUCH_MODELS
            and m.res_id
            and m.author_id
            and m.message_type in ("email", "comment", "email_outgoing")
        )
        (self - candidates).client_touch = False
        if not candidates:
            return
        incoming = self.browse()
        for message in candidates:
            # sudo: the author's users tell internal from client
            author = message.author_id.sudo()
            if any(not user.share for user in author.user_ids):
                public = (
                    not message.is_internal
                    and message.subtype_id
                    and not message.subtype_id.internal
                )
                message.client_touch = "outgoing" if public else False
            else:
                message.client_touch = False
                if message.message_type == "email":
                    incoming |= message
        if incoming:
            accounts = self._client_value_record_accounts(incoming)
            for message in incoming:
                account = accounts.get((message.model, message.res_id))
                if account and message.author_id.commercial_partner_id == account:
                    message.client_touch = "incoming"

    @api.model
    def _client_value_record_accounts(self, messages):
        """Commercial partner of each (model, res_id) of ``messages``."""
        res_ids = defaultdict(set)
        for message in messages:
            res_ids[message.model].add(message.res_id)
        accounts = {}
        for model, ids in res_ids.items():
            # sudo: classifying a message needs the record's contact, whoever posts
            for record in self.env[model].sudo().browse(ids).exists():
                partner = record if model == "res.partner" else record.partner_id
                accounts[(model, record.id)] = partner.commercial_partner_id
        return accounts

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        outgoing = messages.filtered(lambda m: m.client_touch == "outgoing")
        if outgoing:
            outgoing._client_value_answer_requests()
        return messages

    def init(self):
        """Partial indexes for the care summary and the neglect watch."""
        res = super().init()
        cr = self.env.cr
        create_index(
            cr,
            "mail_message_client_value_open_email_idx",
            self._table,
            ["model", "res_id"],
            where="client_touch = 'incoming' AND date_answered IS NULL",
        )
        create_index(
            cr,
            "mail_message_client_value_touch_idx",
            self._table,
            ["res_id", "date"],
            where="client_touch IS NOT NULL",
        )
        return res

    def _client_value_answer_requests(self):
        """Answer the pending requests of the records of ``self``.

        ``self`` are outgoing messages. A pending request (an open service
        request activity, or an unanswered email from the client) on the same
        record, made before the message, is answered by the first of them.
        One query finds the pairs; one write per target model and date.
        """
        self.env["mail.activity"].flush_model(
            ["res_model", "res_id", "is_service_request", "date_answered"]
        )
        self.flush_model(["model", "res_id", "date", "client_touch", "date_answered"])
        rows = self.env.execute_query(
            SQL(
                """
                (SELECT DISTINCT ON (act.id)
                        'mail.activity', act.id, msg.id, msg.date
                   FROM mail_activity act
                   JOIN mail_message msg
                     ON msg.model = act.res_model AND msg.res_id = act.res_id
                  WHERE msg.id = ANY(%(ids)s)
                    AND act.is_service_request
                    AND act.date_answered IS NULL
                    AND msg.date >= COALESCE(act.date_requested, act.create_date)
               ORDER BY act.id, msg.date, msg.id)
                UNION ALL
                (SELECT DISTINCT ON (req.id)
                        'mail.message', req.id, msg.id, msg.date
                   FROM mail_message req
                   JOIN mail_message msg
                     ON msg.model = req.model AND msg.res_id = req.res_id
                  WHERE msg.id = ANY(%(ids)s)
                    AND req.client_touch = 'incoming'
                    AND req.date_answered IS NULL
                    AND (msg.date, msg.id) > (req.date, req.id)
               ORDER BY req.id, msg.date, msg.id)
                """,
                ids=self.ids,
            )
        )
        if not rows:
            return
        answered = defaultdict(list)
        for model, request_id, _message_id, date in rows:
            answered[(model, date)].append(request_id)
        for (model, date), request_ids in answered.items():
            # sudo: a reply answers requests assigned to other users too
            self.env[model].sudo().browse(request_ids).write({"date_answered": date})
        # sudo: internal bookkeeping flag, written whoever posts the reply
        self.browse({row[2] for row in rows}).sudo().write({"answers_request": True})
