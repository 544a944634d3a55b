from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists

# The care index period: touches counted in the days after a win, the care
# the account got once it had bought (not the look-back window of the care
# summary and the neglect watch).
CARE_INDEX_DAYS = 90
SIZE_BUCKETS = [
    ("small", "Small deals"),
    ("medium", "Medium deals"),
    ("large", "Large deals"),
]


class ClientValueCareReport(models.Model):
    """The care index: client touches per won deal, by deal size.

    One row per won opportunity: its size bucket (tertiles of the won deals'
    expected revenue in its company) and the touches its account received in
    the 90 days after the win. Averaging ``touch_count`` per bucket answers
    the essay's question: do we scale our care to the size of the sale?
    """

    _name = "client_value.care.report"
    _inherit = ["client_value.report.mixin"]
    _description = "Care Index (touches per won deal)"
    _auto = False
    _order = "date_closed desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    account_id = fields.Many2one("res.partner", string="Account", readonly=True)
    date_closed = fields.Datetime(string="Won On", readonly=True)
    expected_revenue = fields.Float(readonly=True, aggregator="sum")
    impact_score = fields.Integer(readonly=True, aggregator="avg")
    size_bucket = fields.Selection(SIZE_BUCKETS, string="Deal Size", readonly=True)
    touch_count = fields.Float(
        string="Touches per Won Deal",
        readonly=True,
        aggregator="avg",
        help="Client touches on the account in the %s days after the win."
        % CARE_INDEX_DAYS,
    )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                    WITH won AS (
                        SELECT l.id, l.user_id, l.team_id, l.company_id,
                               p.commercial_partner_id AS account_id,
                               l.date_closed, l.expected_revenue, l.impact_score,
                               ntile(3) OVER (
                                   PARTITION BY l.company_id
                                   ORDER BY COALESCE(l.expected_revenue, 0), l.id
                               ) AS tertile
                          FROM crm_lead l
                          JOIN res_partner p ON p.id = l.partner_id
                         WHERE l.id IN %(won)s AND l.type = 'opportunity'
                           AND l.date_closed IS NOT NULL
                    )
                    SELECT w.id, w.id AS lead_id, w.user_id, w.team_id,
                           w.company_id, w.account_id, w.date_closed,
                           w.expected_revenue, w.impact_score,
                           CASE w.tertile WHEN 1 THEN 'small'
                                          WHEN 2 THEN 'medium'
                                          ELSE 'large' END AS size_bucket,
                           (SELECT count(*) FROM client_value_touch t
                             WHERE t.account_id = w.account_id
                               AND t.kind IS NOT NULL
                               AND t.date >= w.date_closed
                               AND t.date < w.date_closed + %(window)s
                           )::float8 AS touch_count
                      FROM won w
                )
                """,
                view=SQL.identifier(self._table),
                # "Won" as crm.lead defines it, for every deal.
                won=self.env["crm.lead"]
                .sudo()
                .with_context(active_test=False)
                ._search([("is_won_deal", "=", True)])
                .subselect(),
                window=SQL("interval %s", "%s days" % CARE_INDEX_DAYS),
            )
        )
