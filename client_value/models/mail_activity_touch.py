from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_datetime

from ..tools import machine_mail, touch_rule
from ..tools.compat import activity_types_keep_done
from ..tools.protect import check_protected

# Fields only the module's own logic writes: the touch and its answer.
PROTECTED_FIELDS = (
    "touch_kind",
    "is_service_request",
    "answered_by_id",
    "done_datetime",
    "date_answered",
    "response_hours",
    "client_value_no_reply_reason",
    "client_value_no_reply_note",
)


class MailActivity(models.Model):
    """Activities as client touches, and service requests with their answer.

    An activity of a touch type on a record of a source (a contact, an
    opportunity...) is a touch once done; a service request is one as soon
    as it is made. Done touches are kept (archived) whatever the type's
    *Keep Done*, with the exact moment they were done in ``done_datetime``:
    Odoo's ``date_done`` is a UTC date, too coarse for day boundaries in the
    user's timezone. Activities of any other model are left alone.
    """

    _inherit = "mail.activity"

    touch_kind = fields.Selection(
        touch_rule.TOUCH_KINDS,
        compute="_compute_touch_kind",
        store=True,
        precompute=True,
        string="Client Touch",
    )
    is_service_request = fields.Boolean(
        compute="_compute_is_service_request",
        store=True,
        precompute=True,
        string="Service Request",
    )
    date_requested = fields.Datetime(
        string="Requested On",
        copy=False,
        default=lambda self: fields.Datetime.now(),
        help="When the client asked. Defaults to the creation of the "
        "activity; set it earlier when logging a request after the fact.",
    )
    done_datetime = fields.Datetime(string="Done At", readonly=True, copy=False)
    date_answered = fields.Datetime(
        string="Answered On",
        readonly=True,
        copy=False,
        help="First answer to the service request: a message sent to the "
        "client on the same record, or the request marked as done.",
    )
    answered_by_id = fields.Many2one(
        "res.partner", string="Answered By", readonly=True, copy=False
    )
    response_hours = fields.Float(
        readonly=True,
        copy=False,
        aggregator="avg",
        string="Response Time (Hours)",
    )

    client_value_no_reply_reason = fields.Selection(
        touch_rule.NO_REPLY_REASONS,
        string="No Reply Needed",
        readonly=True,
        copy=False,
        help="Why this service request was closed without a reply.",
    )
    client_value_no_reply_note = fields.Text(
        string="No Reply Note", readonly=True, copy=False
    )

    @api.depends("date_answered", "is_service_request")
    def _compute_state(self):
        """An answered service request still open needs nobody today: it
        leaves the overdue list (and the counters, which count the overdue
        and today's) and shows as answered until someone marks it done."""
        result = super()._compute_state()
        for activity in self:
            if (
                activity.is_service_request
                and activity.date_answered
                and activity.state in ("overdue", "today")
            ):
                activity.state = "planned"
        return result

    @api.model
    def _client_value_complete_answered(self, documents):
        """Mark done the open service requests already answered on
        ``documents`` ((res_model, res_id) pairs): the salesperson's reply
        completed them. Only those the user may write are touched."""
        domain = [
            ("is_service_request", "=", True),
            ("date_answered", "!=", False),
        ]
        by_model = {}
        for model, res_id in documents:
            by_model.setdefault(model, set()).add(res_id)
        requests = self.browse()
        for model, res_ids in by_model.items():
            requests |= self.search(
                [*domain, ("res_model", "=", model), ("res_id", "in", list(res_ids))]
            )
        requests = requests._filtered_access("write")
        if requests:
            requests.action_feedback(
                feedback=self.env._("Completed with the reply to the client.")
            )
        return requests

    @api.depends("activity_type_id", "res_model")
    def _compute_touch_kind(self):
        models_ = touch_rule.touch_models(self.env)
        for activity in self:
            activity.touch_kind = (
                activity.activity_type_id.touch_kind
                if activity.res_model in models_
                else False
            )

    @api.depends("touch_kind")
    def _compute_is_service_request(self):
        for activity in self:
            activity.is_service_request = activity.touch_kind == "service"

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = check_protected(self, PROTECTED_FIELDS, vals_list)
        if not self.env.su:
            # Refused before anything is made: the dialog that asked stays
            # as it was (a new record, its buttons with it).
            now = fields.Datetime.now()
            for vals in vals_list:
                if vals.get("date_requested"):
                    self._client_value_check_requested_on(vals["date_requested"], now)
        activities = super().create(vals_list)
        requests = activities.filtered("is_service_request")
        if requests:
            self.env["client_value.care"]._touched(
                [(request.res_model, request.res_id) for request in requests]
            )
        return activities

    def write(self, vals):
        [vals] = check_protected(self, PROTECTED_FIELDS, [vals])
        if vals.get("date_requested") and not self.env.su:
            for activity in self:
                if activity.date_answered:
                    raise UserError(
                        self.env._(
                            "The request “%s” is already answered: when it was "
                            "made can no longer change.",
                            activity.display_name,
                        )
                    )
                self._client_value_check_requested_on(
                    vals["date_requested"], activity.create_date
                )
        # Touches moved to another document (Odoo's merges do it): the
        # accounts they leave and join follow.
        moving = "res_id" in vals or "res_model" in vals or "res_model_id" in vals
        moved = self._client_value_documents() if moving else []
        result = super().write(vals)
        if moved:
            self.env["client_value.care"]._accounts_changed_later(
                documents=moved + self._client_value_documents()
            )
        elif "date_requested" in vals:
            requests = self.filtered("is_service_request")
            if requests:
                # When the client asked moves the account's last touch.
                self.env["client_value.care"]._touched(
                    [(request.res_model, request.res_id) for request in requests]
                )
        return result

    @api.model
    def _client_value_move_history(self, model, source_ids, destination_id):
        """Move the done touches (archived activities) of the records
        ``source_ids`` of ``model`` to ``destination_id``. Odoo's merges
        move the open activities only, then delete the merged records with
        every activity left on them: the account's history would go too."""
        # sudo: the history of the merged records, whoever merges them
        done = self.sudo().search(
            [
                ("res_model", "=", model),
                ("res_id", "in", list(source_ids)),
                ("active", "=", False),
                ("touch_kind", "!=", False),
            ]
        )
        done.write({"res_id": destination_id})

    def _client_value_documents(self):
        """(res_model, res_id) of the touches among these activities."""
        return [
            (activity.res_model, activity.res_id)
            for activity in self
            if activity.touch_kind and activity.res_id
        ]

    def unlink(self):
        # Touches done on a type without Keep Done are archived, not deleted:
        # the account's history needs them (see _action_done).
        keep_ids = self.env.context.get("client_value_keep_done")
        if keep_ids:
            keep = self.filtered(lambda activity: activity.id in keep_ids)
            if keep:
                keep.action_archive()
                self -= keep
        return super().unlink()

    @api.model
    def _client_value_check_requested_on(self, value, latest):
        """A request cannot have been made after it was logged."""
        requested_on = fields.Datetime.to_datetime(value)
        if latest and requested_on > latest:
            # In the user's own time, as the dialog showed it.
            raise ValidationError(
                self.env._(
                    "“Requested On” (%(requested)s) cannot be later than when the "
                    "request was logged (%(logged)s).",
                    requested=format_datetime(
                        self.env, requested_on, dt_format="short"
                    ),
                    logged=format_datetime(self.env, latest, dt_format="short"),
                )
            )

    def _action_done(self, feedback=False, attachment_ids=None):
        touches = self.filtered("touch_kind")
        if not touches:
            return super()._action_done(
                feedback=feedback, attachment_ids=attachment_ids
            )
        now = fields.Datetime.now()
        # sudo: the done moment is the module's own record of the touch
        touches.sudo().write({"done_datetime": now})
        records = [(activity.res_model, activity.res_id) for activity in touches]
        requests = touches.filtered("is_service_request")
        # 18.0 deletes the done activities of types without Keep Done: the
        # touches among them are kept (archived). 19.0 archives them all.
        keep = touches.browse()
        if activity_types_keep_done(self.env):
            keep = touches.filtered(
                lambda activity: not activity.activity_type_id.keep_done
            )
        result = super(
            MailActivity, self.with_context(client_value_keep_done=keep.ids)
        )._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if requests:
            self.flush_model()
            # A request marked done answers itself, now: by the person who
            # marked it done, or, when no person did (the superuser, a
            # scheduled action), by the person it was assigned to.
            person = self.env.user.partner_id.id
            if self.env.su or machine_mail.sent_automatically(self.env, {}, None):
                person = None
            self.env["mail.message"]._client_value_answer(
                SQL(
                    "SELECT a.res_model AS model, a.res_id, %s::timestamp AS moment, "
                    "NULL::integer AS message_id, a.id AS activity_id, "
                    "COALESCE(%s::integer, u.partner_id) AS author_id "
                    "FROM mail_activity a LEFT JOIN res_users u ON u.id = a.user_id "
                    "WHERE a.id = ANY(%s)",
                    now,
                    person,
                    requests.ids,
                )
            )
        self.env["client_value.care"]._touched(records)
        return result
