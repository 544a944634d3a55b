from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, create_index, table_exists

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

    def _auto_init(self):
        """On install, classify the existing messages in SQL.

        The ORM would compute ``client_touch`` message by message; this is
        the same rule in two UPDATEs. Replies already in the history answer
        their client emails in the module's post-install hook
        (``_client_value_answer_history``), once every column exists.
        """
        cr = self.env.cr
        table = self._table
        if table_exists(cr, table) and not column_exists(cr, table, "client_touch"):
            for fname, column_type in (
                ("client_touch", "varchar"),
                ("date_answered", "timestamp"),
                ("answers_request", "bool"),
            ):
                if not column_exists(cr, table, fname):
                    create_column(cr, table, fname, column_type)
            params = {
                "models": TOUCH_MODELS,
                "internal_author": SQL(
                    """EXISTS (SELECT 1 FROM res_users u
                                WHERE u.partner_id = m.author_id AND u.active
                                  AND u.share IS NOT TRUE)"""
                ),
            }
            # Outgoing: a public message or email written by an internal user.
            cr.execute(
                SQL(
                    """
                    UPDATE mail_message m SET client_touch = 'outgoing'
                      FROM mail_message_subtype st
                     WHERE st.id = m.subtype_id AND st.internal IS NOT TRUE
                       AND m.is_internal IS NOT TRUE
                       AND m.model IN %(models)s AND m.res_id > 0
                       AND m.message_type IN ('email', 'comment', 'email_outgoing')
                       AND %(internal_author)s
                    """,
                    **params,
                )
            )
            # Incoming: an email whose author belongs to the record's account.
            cr.execute(
                SQL(
                    """
                    UPDATE mail_message m SET client_touch = 'incoming'
                      FROM res_partner author
                     WHERE author.id = m.author_id
                       AND m.model IN %(models)s AND m.res_id > 0
                       AND m.message_type = 'email'
                       AND NOT %(internal_author)s
                       AND author.commercial_partner_id = CASE m.model
                           WHEN 'res.partner' THEN
                               (SELECT p.commercial_partner_id FROM res_partner p
                                 WHERE p.id = m.res_id)
                           ELSE
                               (SELECT p.commercial_partner_id FROM crm_lead l
                                  JOIN res_partner p ON p.id = l.partner_id
                                 WHERE l.id = m.res_id) END
                    """,
                    **params,
                )
            )
        return super()._auto_init()

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
        # The neglect watch reads the recent replies of all accounts by date.
        create_index(
            cr,
            "mail_message_client_value_outgoing_recent_idx",
            self._table,
            ["date", "model", "res_id"],
            where="client_touch = 'outgoing'",
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

    @api.model
    def _client_value_answer_history(self):
        """On install: each client email already in the history is answered
        by the first reply on the same record, as if the module had been
        there (otherwise every old email would wait forever and its account
        look neglected). Service requests cannot predate the module: their
        activity type is created by it.
        """
        self.env.cr.execute(
            SQL(
                """
                WITH answers AS (
                    SELECT req.id AS request_id, reply.id AS reply_id, reply.date
                      FROM mail_message req
                     CROSS JOIN LATERAL (
                            SELECT o.id, o.date FROM mail_message o
                             WHERE o.res_id = req.res_id AND o.model = req.model
                               AND o.client_touch = 'outgoing'
                               AND (o.date, o.id) > (req.date, req.id)
                          ORDER BY o.date, o.id
                             LIMIT 1) reply
                     WHERE req.client_touch = 'incoming'
                       AND req.date_answered IS NULL
                ),
                replies AS (
                    UPDATE mail_message m SET answers_request = TRUE
                      FROM answers a WHERE m.id = a.reply_id
                )
                UPDATE mail_message m SET date_answered = a.date
                  FROM answers a WHERE m.id = a.request_id
                """
            )
        )
        self.invalidate_model(["date_answered", "answers_request"])
