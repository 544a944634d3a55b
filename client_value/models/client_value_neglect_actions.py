from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..tools import settings
from .client_value_neglect_watch import NEGLECT_FOLLOWUP_TYPE

NEGLECT_FIELDS = (
    "client_neglected",
    "client_neglected_since",
    "client_neglect_reason",
    "client_waiting_since",
)


class ClientValueNeglectWatch(models.AbstractModel):
    """What the neglect watch does with its decisions: flag an account (the
    flag and its reason, one follow-up, a chatter note, an event) and clear
    one that recovered (the follow-up done, a note, an event), each batch
    with a constant number of queries."""

    _inherit = "client_value.neglect.watch"

    @api.model
    def _apply(self, changes):
        """Flag and clear one batch of accounts with a constant number of
        queries: one UPDATE per action, then follow-ups, chatter notes and
        events each created in one call."""
        flags = [change for change in changes if change["action"] == "flag"]
        clears = [change for change in changes if change["action"] == "clear"]
        if flags:
            self._flag(flags)
        if clears:
            self._clear(clears)
        self.env["res.partner"].invalidate_model(list(NEGLECT_FIELDS))

    @api.model
    def _reason(self, flag, window_days, now):
        """Why the account is flagged, in words that name nothing a reader of
        the account might not be allowed to open: what waits, since when."""
        values = {
            "date": format_date(
                self.env, fields.Datetime.context_timestamp(self, flag["requested_on"])
            ),
            "days": (now - flag["requested_on"]).days,
            "window": window_days,
            "count": flag["waiting_count"],
        }
        if flag["waiting_count"] > 1:
            return self.env._(
                "%(count)s client requests are waiting for an answer, the oldest "
                "since %(date)s (%(days)s days), and the account had no other "
                "touch in the last %(window)s days.",
                **values,
            )
        return self.env._(
            "A client request has been waiting for an answer since %(date)s "
            "(%(days)s days), and the account had no other touch in the last "
            "%(window)s days.",
            **values,
        )

    @api.model
    def _flag(self, flags):
        """Flag the accounts of ``flags``: the flag and its reason on the
        account, one open follow-up, a chatter note and an event each."""
        window_days = settings.get(self.env, "neglect_window_days")
        now = fields.Datetime.now()
        reasons = {
            flag["account_id"]: self._reason(flag, window_days, now) for flag in flags
        }
        flagged = self._set_flags(flags, reasons, now)
        flags = [flag for flag in flags if flag["account_id"] in flagged]
        if not flags:
            return
        followup_of = self._ensure_followups(flags, reasons)
        self._post_notes(
            {
                flag["account_id"]: Markup("<p><b>%s</b></p><p>%s</p>")
                % (self.env._("Neglected account"), reasons[flag["account_id"]])
                for flag in flags
            }
        )
        # sudo: neglect events are a log: only the watch writes them
        self.env["client_value.neglect.event"].sudo().create(
            [
                {
                    "partner_id": flag["account_id"],
                    "kind": "flagged",
                    "date": now,
                    "reason": reasons[flag["account_id"]],
                    "waiting_since": flag["requested_on"],
                    **self._request_fields(flag["request"]),
                    "activity_id": followup_of.get(flag["account_id"]),
                    "user_id": flag["user_id"],
                    "company_id": flag["company_id"],
                }
                for flag in flags
            ]
        )

    @api.model
    def _set_flags(self, flags, reasons, now):
        """Set the flag of the accounts of ``flags`` not flagged yet (so a
        concurrent run cannot flag twice); returns the ids flagged."""
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE res_partner p
                   SET client_neglected = TRUE,
                       client_neglected_since = %(today)s,
                       client_neglect_reason = v.reason,
                       client_waiting_since = v.waiting_since,
                       write_date = %(now)s,
                       write_uid = %(uid)s
                  FROM unnest(%(ids)s::int[], %(reasons)s::text[],
                              %(waiting)s::timestamp[]) AS v(id, reason, waiting_since)
                 WHERE p.id = v.id AND p.client_neglected IS NOT TRUE
             RETURNING p.id
                """,
                today=fields.Date.context_today(self),
                now=now,
                uid=self.env.uid,
                ids=[f["account_id"] for f in flags],
                reasons=[reasons[f["account_id"]] for f in flags],
                waiting=[f["requested_on"] for f in flags],
            )
        )
        return {row[0] for row in rows}

    @api.model
    def _ensure_followups(self, flags, reasons):
        """One open follow-up per flagged account: the open one is reused,
        else one is created for ``user_id``. Returns {account_id: id}."""
        followup_type = self.env.ref(NEGLECT_FOLLOWUP_TYPE)
        to_follow = [flag for flag in flags if not flag["followup_ids"]]
        followups = (
            self.env["mail.activity"]
            # sudo: follow-ups go to the salesperson, not the cron user
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": flag["account_id"],
                        "activity_type_id": followup_type.id,
                        "summary": followup_type.summary or followup_type.name,
                        "note": Markup("<p>%s</p>") % reasons[flag["account_id"]],
                        "user_id": flag["user_id"],
                        "date_deadline": fields.Date.context_today(self),
                        "automated": True,
                    }
                    for flag in to_follow
                ]
            )
        )
        followup_of = dict(
            zip([f["account_id"] for f in to_follow], followups.ids, strict=True)
        )
        for flag in flags:
            if flag["followup_ids"]:
                followup_of[flag["account_id"]] = flag["followup_ids"][0]
        return followup_of

    @api.model
    def _request_fields(self, ref):
        if not ref:
            return {}
        model, res_id = ref.split(",")
        if model == "mail.activity":
            return {"request_activity_id": int(res_id)}
        return {"request_message_id": int(res_id)}

    @api.model
    def _clear(self, clears):
        """Clear the accounts of ``clears``: the flag off, their open
        follow-ups done, a chatter note and an event each."""
        now = fields.Datetime.now()
        messages = self._recovery_messages()
        companies = self._unset_flags(clears, now)
        clears = [clear for clear in clears if clear["account_id"] in companies]
        if not clears:
            return
        followup_ids = [fid for clear in clears for fid in clear["followup_ids"]]
        if followup_ids:
            # The follow-up type keeps done activities: archiving is marking
            # them done, without one posted message per activity.
            # sudo: the watch closes the follow-ups it opened, whoever has them
            self.env["mail.activity"].sudo().browse(followup_ids).write(
                {"active": False}
            )
        followup_type = self.env.ref(NEGLECT_FOLLOWUP_TYPE)
        self._post_notes(
            {
                clear["account_id"]: Markup("<p><b>%s</b></p><p>%s</p>")
                % (
                    self.env._("%(followup)s done", followup=followup_type.name)
                    if clear["followup_ids"]
                    else self.env._("No longer neglected"),
                    messages[clear["clear_reason"]],
                )
                for clear in clears
            },
            activity_type=followup_type,
        )
        # sudo: neglect events are a log: only the watch writes them
        self.env["client_value.neglect.event"].sudo().create(
            [
                {
                    "partner_id": clear["account_id"],
                    "kind": "cleared",
                    "date": now,
                    "reason": messages[clear["clear_reason"]],
                    "activity_id": (clear["followup_ids"] or [False])[0],
                    "user_id": clear["user_id"],
                    "company_id": companies[clear["account_id"]],
                }
                for clear in clears
            ]
        )

    @api.model
    def _recovery_messages(self):
        """What the chatter and the event say of each recovery reason."""
        return {
            "answered": self.env._(
                "No request is waiting any more: the client was answered."
            ),
            "touched": self.env._(
                "The account was touched again within the last %(window)s days.",
                window=settings.get(self.env, "neglect_window_days"),
            ),
            "archived": self.env._("The account was archived."),
            "snoozed": self.env._(
                "The account is snoozed: the watch leaves it alone until the "
                "snooze ends."
            ),
        }

    @api.model
    def _unset_flags(self, clears, now):
        """Clear the flag of the accounts of ``clears`` still flagged;
        returns {account_id: company_id} of those cleared."""
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE res_partner
                   SET client_neglected = FALSE,
                       client_neglected_since = NULL,
                       client_neglect_reason = NULL,
                       client_waiting_since = NULL,
                       write_date = %(now)s,
                       write_uid = %(uid)s
                 WHERE id = ANY(%(ids)s) AND client_neglected
             RETURNING id, company_id
                """,
                now=now,
                uid=self.env.uid,
                ids=[clear["account_id"] for clear in clears],
            )
        )
        return dict(rows)

    @api.model
    def _post_notes(self, bodies, activity_type=None, model="res.partner"):
        """Log one internal note per record of ``model`` (accounts by
        default), created in one call.

        Author, reply-to and record names are computed once for the batch:
        left to mail.message, they would cost queries per record."""
        note = self.env.ref("mail.mt_note")
        author = self.env.ref("base.partner_root")
        # sudo: the watch notes every record, whoever triggered it
        accounts = self.env[model].sudo().browse(list(bodies))
        email_from = author.email_formatted
        reply_to = accounts._notify_get_reply_to(default=email_from)
        names = dict(zip(accounts.ids, accounts.mapped("display_name"), strict=True))
        # sudo: the chatter note is posted by the watch on behalf of the system
        self.env["mail.message"].sudo().create(
            [
                {
                    "model": model,
                    "res_id": account_id,
                    "record_name": names[account_id],
                    "body": body,
                    "message_type": "notification",
                    "subtype_id": note.id,
                    "is_internal": True,
                    "author_id": author.id,
                    "email_from": email_from,
                    "reply_to": reply_to[account_id],
                    "mail_activity_type_id": activity_type.id
                    if activity_type
                    else False,
                }
                for account_id, body in bodies.items()
            ]
        )
