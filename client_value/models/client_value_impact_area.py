from odoo import fields, models


class ClientValueImpactArea(models.Model):
    """Where a sale changes things for the client (cost, risk, time...).

    A short, shared vocabulary lets the pipeline be grouped by the kind of
    difference we make, not only by how much money is at stake.
    """

    _name = "client_value.impact.area"
    _description = "Client Impact Area"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(
        translate=True,
        help="What this kind of impact means for the client, with an example.",
    )
    color = fields.Integer(string="Color Index", default=0)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
