from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import rating as rating_scale
from ..tools import settings, ui
from ..tools.compat import cron_progress, returns_message
from ..tools.protect import check_protected

RATING_TEMPLATE = "client_value.mail_template_impact_rating_request"
# Set by the module when it asks, and by the client's answer.
PROTECTED_FIELDS = ("rating_request_date", "rating_last_value")


class CrmLead(models.Model):
    """The client's own rating of a won deal, on the five-point scale of
    ``tools/rating.py``, asked by email (*Ask the Client*, or automatically
    once the Impact Review is due) through links signed for that client.

    Ratings come from mail.thread (rating module); rating.mixin is not
    inherited, so every message of a deal does not pay for its rating
    statistics (rating/models/mail_message.py adds them for the mixin).
    """

    _inherit = "crm.lead"

    rating_request_date = fields.Datetime(
        string="Rating Requested On",
        copy=False,
        readonly=True,
        help="When the client was last asked to rate the sale.",
    )
    rating_last_value = fields.Float(
        string="Client Rating",
        compute="_compute_rating_last_value",
        compute_sudo=True,
        store=True,
        aggregator="avg",
        groups="base.group_user",
        help="The client's last answer to a rating request, from 1 to 5 (0: "
        "no answer yet).",
    )
    rating_count = fields.Integer(
        string="Answers",
        compute="_compute_rating_count",
        compute_sudo=True,
        groups="base.group_user",
        help="Rating requests the client answered.",
    )
    client_rating_comment = fields.Text(
        string="Client Comment",
        compute="_compute_client_rating_comment",
        compute_sudo=True,
        groups="base.group_user",
        help="Comment left with the client's last answered rating.",
    )
    # Read as the user (related fields default to sudo), so the average only
    # counts deals of the companies the reader may see.
    user_client_satisfaction_avg = fields.Float(
        string="Salesperson Satisfaction",
        related="user_id.salesperson_satisfaction_avg",
        digits=(3, 2),
        compute_sudo=False,
    )

    def _client_value_answered_ratings(self):
        """The answered ratings of these deals, newest first, in one search."""
        lead_ids = [lead_id for lead_id in self.ids if lead_id]
        if not lead_ids:
            return self.env["rating.rating"]
        return self.env["rating.rating"].search_fetch(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", lead_ids),
                ("consumed", "=", True),
            ],
            ["res_id", "rating", "feedback"],
            order="write_date desc, id desc",
        )

    @api.depends("rating_ids.rating", "rating_ids.consumed")
    def _compute_rating_last_value(self):
        """The client's last answer: a newer request still waiting for an
        answer does not hide it."""
        last = {}
        for rating in self._client_value_answered_ratings():
            last.setdefault(rating.res_id, rating.rating)
        for lead in self:
            lead.rating_last_value = last.get(lead.id, 0.0)

    def _compute_rating_count(self):
        counts = defaultdict(int)
        for rating in self._client_value_answered_ratings():
            counts[rating.res_id] += 1
        for lead in self:
            lead.rating_count = counts[lead.id]

    @api.depends("rating_ids.feedback", "rating_ids.consumed")
    def _compute_client_rating_comment(self):
        """Comment of the last answered rating."""
        comments = {}
        for rating in self._client_value_answered_ratings():
            comments.setdefault(rating.res_id, rating.feedback)
        for lead in self:
            lead.client_rating_comment = comments.get(lead.id, False)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(check_protected(self, PROTECTED_FIELDS, vals_list))

    def write(self, vals):
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Asking the client
    # ------------------------------------------------------------------

    def _client_value_check_can_ask_rating(self):
        for lead in self:
            if not lead.is_won_deal:
                raise UserError(
                    self.env._(
                        "Ask the client for a rating once “%s” is won.",
                        lead.display_name,
                    )
                )
            if not lead.partner_id.email:
                raise UserError(
                    self.env._(
                        "“%s” has no customer email to send the rating request to.",
                        lead.display_name,
                    )
                )

    def action_ask_client_rating(self):
        """Open Odoo's mail composer on the rating request of this deal: the
        salesperson sees the email, may edit it, and sends it."""
        self.ensure_one()
        self.check_access("write")
        self._client_value_check_can_ask_rating()
        template = self.env.ref(RATING_TEMPLATE)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Ask the Client"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "default_subtype_id": self.env.ref("mail.mt_note").id,
                # Sent when the composer closes, to report the outcome.
                "mail_notify_force_send": False,
                "client_value_rating_request": True,
            },
        }

    def _client_value_rating_request_sent(self, messages):
        """After the composer posted the rating request ``messages`` on these
        deals: note when the client was asked, send the email now, and say
        honestly whether it left."""
        # sudo: the request date is the module's own bookkeeping
        self.sudo().write({"rating_request_date": fields.Datetime.now()})
        # sudo: the outgoing emails of the request, whoever sends it
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [("mail_message_id", "in", messages.ids), ("state", "=", "outgoing")]
            )
        )
        mails.send(raise_exception=False)
        # A sent email is deleted by its template's auto-delete: only those
        # still there can have failed.
        failed = mails.exists().filtered(lambda mail: mail.state == "exception")
        if failed:
            kind = "danger"
            # The error itself stays out of the message: it is read under
            # sudo, from emails only administrators may open.
            message = self.env._(
                "The rating request could not be sent: the outgoing mail server "
                "refused it or none is set up. It is in the deal's chatter; "
                "resend it from there once the outgoing mail server works. An "
                "administrator finds the error in Settings › Technical › Emails."
            )
        elif not mails:
            kind = "warning"
            message = self.env._(
                "The rating request is in the deal's chatter, but no email was "
                "sent: check the client's email address."
            )
        else:
            kind = "success"
            message = self.env._("The rating request was sent to the client.")
        return ui.notification(kind, message, ui.CLOSE, sticky=kind != "success")

    @api.model
    def _client_value_due_rating_request_domain(self):
        return [
            *self._client_value_won_domain(),
            ("impact_review_date", "<=", fields.Date.context_today(self)),
            ("rating_request_date", "=", False),
            ("partner_id.email", "!=", False),
        ]

    def _client_value_send_rating_request(self, force_send=False):
        template = self.env.ref(RATING_TEMPLATE, raise_if_not_found=False)
        if not template or not self:
            return False
        self.rating_send_request(template, force_send=force_send)
        # sudo: the request date is the module's own bookkeeping
        self.sudo().write({"rating_request_date": fields.Datetime.now()})
        return True

    @api.model
    def _cron_send_due_rating_requests(self):
        """Ask the client for a rating once the impact review is due, when the
        option is enabled. Runs in batches; the cron reruns until done."""
        if not settings.get(self.env, "auto_rating_request"):
            return
        domain = self._client_value_due_rating_request_domain()
        batch = rating_scale.REQUEST_BATCH
        leads = self.search(domain, limit=batch, order="id")
        leads._client_value_send_rating_request(force_send=False)
        remaining = self.search_count(domain) if len(leads) == batch else 0
        cron_progress(self.env, len(leads), len(leads), remaining)

    # ------------------------------------------------------------------
    # The client's answer
    # ------------------------------------------------------------------

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        """Deals are rated by their client only, on a five-point scale, once
        per request: a score outside 1-5, a token that is not the signed
        link the client received, a token of another deal, an answered
        request or an overlong comment changes nothing."""
        if not rating_scale.is_score(rate):
            raise ValidationError(
                self.env._(
                    "A rating must be a whole score from 1 to 5 (received %s).", rate
                )
            )
        if token:
            rating = rating_scale.rating_from_token(self.env, token, self._name)
            token = None
        elif not self.env.su:
            raise AccessError(
                self.env._(
                    "Only the client rates a deal, through the link they received."
                )
            )
        if (
            not rating
            or rating.res_model != self._name
            or rating.res_id not in self.ids
        ):
            raise ValidationError(self.env._("Invalid rating token."))
        if rating.consumed:
            raise UserError(self.env._("This rating request was already answered."))
        if feedback and len(feedback) > rating_scale.FEEDBACK_MAX_LENGTH:
            limit = f"{rating_scale.FEEDBACK_MAX_LENGTH:,}"
            raise ValidationError(
                self.env._(
                    "Your comment is too long: at most %(max)s characters, please.",
                    max=limit,
                )
            )
        # sudo: the client's answer is applied once the token was checked
        return super(CrmLead, self.sudo()).rating_apply(
            int(rate),
            token=token,
            rating=rating.sudo(),
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )

    @returns_message
    def message_post(self, **kwargs):
        """A rating enters a deal's chatter only through ``rating_apply``."""
        if (kwargs.get("rating_value") or kwargs.get("rating_id")) and not self.env.su:
            raise AccessError(
                self.env._(
                    "Only the client rates a deal, through the link they received."
                )
            )
        return super().message_post(**kwargs)

    def _client_value_rating_placeholder(self):
        """For the rating request template: create (or reuse) the client's
        rating request and return the placeholder standing for its link
        token in the chatter copy of the email."""
        self.ensure_one()
        self._rating_get_access_token()
        partner = self._rating_get_partner()
        # sudo: the request was just made above, with the record's access checked
        rating = self.rating_ids.sudo().filtered(
            lambda r: r.partner_id == partner and not r.consumed
        )[:1]
        return rating_scale.PLACEHOLDER % rating.id

    # ------------------------------------------------------------------
    # Satisfaction
    # ------------------------------------------------------------------

    @api.model
    def _client_value_rated_domain(self):
        """A deal the client rated: a last rating on the 1-5 scale."""
        return [("rating_last_value", ">=", rating_scale.SCALE[0])]

    @api.model
    def _client_value_satisfaction(self, domain, groupby):
        """Client satisfaction: the average of the last rating of each won
        deal the client rated, over the deals of ``domain`` the user may
        read, per ``groupby`` (a field, or a function of the grouped record).
        Returns {group: (average, number of rated deals)}."""
        key = groupby if callable(groupby) else None
        stats = defaultdict(lambda: [0.0, 0])
        for group, total, count in self._read_group(
            [
                *domain,
                *self._client_value_won_domain(),
                *self._client_value_rated_domain(),
            ],
            ["partner_id" if key else groupby],
            ["rating_last_value:sum", "__count"],
        ):
            bucket = stats[key(group) if key else group]
            bucket[0] += total
            bucket[1] += count
        return {
            group: (total / count, count) for group, (total, count) in stats.items()
        }
