from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, create_index, table_exists

from .crm_lead import RECORDED_OUTCOMES


class MailActivity(models.Model):
    """Activities as client touches, and service requests with their answer.

    Done activities of touch types are archived (``keep_done``) and keep the
    exact moment they were done in ``done_datetime``: Odoo's ``date_done`` is
    a UTC date, too coarse for day boundaries in the user's timezone.
    """

    _inherit = "mail.activity"

    touch_kind = fields.Selection(
        related="activity_type_id.touch_kind",
        store=True,
        string="Client Touch",
    )
    is_service_request = fields.Boolean(
        compute="_compute_is_service_request",
        store=True,
        string="Service Request",
    )
    date_requested = fields.Datetime(
        string="Requested On",
        copy=False,
        help="When the client asked. Defaults to the creation of the "
        "activity; set it earlier when logging a request after the fact.",
    )
    done_datetime = fields.Datetime(
        compute="_compute_done_datetime",
        store=True,
        string="Done At",
        copy=False,
    )
    date_answered = fields.Datetime(
        compute="_compute_date_answered",
        store=True,
        readonly=False,
        copy=False,
        string="Answered On",
        help="First answer to the service request: a message sent to the "
        "client on the same record, or the request marked as done.",
    )
    response_hours = fields.Float(
        compute="_compute_response_hours",
        store=True,
        aggregator="avg",
        string="Response Time (Hours)",
    )

    @api.depends("touch_kind")
    def _compute_is_service_request(self):
        for activity in self:
            activity.is_service_request = activity.touch_kind == "service"

    @api.depends("active")
    def _compute_done_datetime(self):
        now = fields.Datetime.now()
        today = now.date()
        for activity in self:
            if activity.active:
                activity.done_datetime = False
            elif not activity.done_datetime:
                # History archived before this module was installed only
                # knows its UTC done date.
                done = activity.date_done
                activity.done_datetime = (
                    datetime.combine(done, time.min) if done and done < today else now
                )

    @api.depends("active", "is_service_request")
    def _compute_date_answered(self):
        for activity in self:
            if (
                activity.is_service_request
                and not activity.active
                and not activity.date_answered
            ):
                activity.date_answered = activity.done_datetime
            else:
                activity.date_answered = activity.date_answered

    @api.depends("is_service_request", "date_requested", "date_answered")
    def _compute_response_hours(self):
        for activity in self:
            if activity.is_service_request and activity.date_answered:
                start = activity.date_requested or activity.create_date
                delta = activity.date_answered - start
                activity.response_hours = max(delta.total_seconds(), 0) / 3600.0
            else:
                activity.response_hours = 0.0

    def _auto_init(self):
        """On install, create the touch columns and fill them in one UPDATE.

        The ORM would compute these stored fields activity by activity, which
        takes many minutes on a database with a million activities. The
        values are the ones the compute methods give: the type's touch kind,
        the done moment of archived activities (midnight of their UTC done
        date, or now for those done today), and done service requests
        answered when done. The columns then exist, so the ORM leaves them.
        """
        cr = self.env.cr
        table = self._table
        if table_exists(cr, table) and not column_exists(cr, table, "touch_kind"):
            self.env["mail.activity.type"]._client_value_init_touch_kind()
            for fname, column_type in (
                ("touch_kind", "varchar"),
                ("is_service_request", "bool"),
                ("done_datetime", "timestamp"),
                ("date_answered", "timestamp"),
                ("response_hours", "float8"),
            ):
                if not column_exists(cr, table, fname):
                    create_column(cr, table, fname, column_type)
            now = fields.Datetime.now()
            cr.execute(
                SQL(
                    """
                    WITH src AS (
                        SELECT a.id, t.touch_kind,
                               CASE WHEN a.active THEN NULL
                                    WHEN a.date_done < %(today)s
                                    THEN a.date_done::timestamp
                                    ELSE %(now)s END AS done_at
                          FROM mail_activity a
                     LEFT JOIN mail_activity_type t ON t.id = a.activity_type_id
                    )
                    UPDATE mail_activity a
                       SET touch_kind = src.touch_kind,
                           is_service_request = src.touch_kind IS NOT DISTINCT
                                                FROM 'service',
                           done_datetime = src.done_at,
                           date_answered = CASE WHEN src.touch_kind = 'service'
                                                THEN src.done_at END,
                           response_hours = CASE
                               WHEN src.touch_kind = 'service'
                                    AND src.done_at IS NOT NULL
                               THEN GREATEST(EXTRACT(EPOCH FROM src.done_at
                                                     - a.create_date), 0) / 3600.0
                               ELSE 0 END
                      FROM src
                     WHERE src.id = a.id
                    """,
                    today=now.date(),
                    now=now,
                )
            )
        return super()._auto_init()

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if not vals.get("date_requested"):
                vals["date_requested"] = now
        return super().create(vals_list)

    def init(self):
        """Partial indexes for the care summary and the neglect watch."""
        res = super().init()
        cr = self.env.cr
        create_index(
            cr,
            "mail_activity_client_value_open_request_idx",
            self._table,
            ["res_model", "res_id"],
            where="is_service_request AND date_answered IS NULL",
        )
        create_index(
            cr,
            "mail_activity_client_value_done_touch_idx",
            self._table,
            ["res_id", "done_datetime"],
            where="touch_kind IS NOT NULL AND active IS NOT TRUE",
        )
        create_index(
            cr,
            "mail_activity_client_value_request_idx",
            self._table,
            ["res_id", "date_answered"],
            where="is_service_request",
        )
        # The neglect watch reads the recent touches of all accounts by date.
        create_index(
            cr,
            "mail_activity_client_value_done_recent_idx",
            self._table,
            ["done_datetime", "res_model", "res_id"],
            where="touch_kind IN ('sales', 'admin') AND active IS NOT TRUE",
        )
        create_index(
            cr,
            "mail_activity_client_value_answered_recent_idx",
            self._table,
            ["date_answered", "res_model", "res_id"],
            where="is_service_request AND date_answered IS NOT NULL",
        )
        return res

    def action_done(self):
        reviews = self._impact_reviews()
        if not reviews:
            return super().action_done()
        others = self - reviews
        if others:
            super(MailActivity, others).action_done()
        return reviews._action_open_outcome_wizard()

    def action_feedback_schedule_next(self, feedback=False, attachment_ids=None):
        reviews = self._impact_reviews()
        if not reviews:
            return super().action_feedback_schedule_next(
                feedback=feedback, attachment_ids=attachment_ids
            )
        return reviews._action_open_outcome_wizard(feedback=feedback)

    def _to_store(self, store):
        """Tell the web client which activities are Impact Reviews, so its
        "Done" button opens the outcome wizard too."""
        result = super()._to_store(store)
        for activity in self._impact_reviews():
            store.add(activity, {"client_value_outcome_review": True})
        return result

    def _impact_reviews(self):
        """Open Impact Reviews whose won deal still waits for its outcome;
        any other activity is completed the usual way."""
        review_type = self.env["crm.lead"]._impact_review_type()
        if not review_type:
            return self.browse()
        reviews = self.filtered(
            lambda activity: activity.active
            and activity.res_model == "crm.lead"
            and activity.activity_type_id == review_type
        )
        # sudo: the review's deal may belong to another salesperson
        leads = self.env["crm.lead"].sudo().browse(reviews.mapped("res_id")).exists()
        waiting = leads.filtered(
            lambda lead: lead.outcome_can_record
            and lead.outcome_state not in RECORDED_OUTCOMES
        )
        return reviews.filtered(lambda activity: activity.res_id in waiting.ids)

    def _action_open_outcome_wizard(self, feedback=False):
        if len(self) > 1:
            raise UserError(
                self.env._("Record the outcome of each Impact Review separately.")
            )
        lead = self.env["crm.lead"].browse(self.res_id)
        lead._check_can_record_outcome()
        return self.env["client_value.outcome.wizard"]._action_open(lead, note=feedback)
