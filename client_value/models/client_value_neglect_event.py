from odoo import fields, models


class ClientValueNeglectEvent(models.Model):
    """Log of the neglect watch: every flag and every clearance of an
    account, so dashboards can show how neglect evolves over time."""

    _name = "client_value.neglect.event"
    _description = "Neglected Account Event"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Account",
        required=True,
        index=True,
        ondelete="cascade",
    )
    kind = fields.Selection(
        [("flagged", "Flagged"), ("cleared", "Cleared")],
        required=True,
        index=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    reason = fields.Text()
    waiting_since = fields.Datetime(
        help="When the oldest request still waiting was made."
    )
    # The request itself, for those who may read every deal: its name would
    # otherwise show a document a salesperson may not open.
    request_activity_id = fields.Many2one(
        "mail.activity",
        string="Waiting Request",
        ondelete="set null",
        groups="sales_team.group_sale_salesman_all_leads",
    )
    request_message_id = fields.Many2one(
        "mail.message",
        string="Waiting Email",
        ondelete="set null",
        groups="sales_team.group_sale_salesman_all_leads",
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Follow-up", ondelete="set null"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        help="Who the follow-up went to: the account's salesperson, the "
        "leader of its sales team, or the fallback user.",
    )
    company_id = fields.Many2one("res.company", index=True)
