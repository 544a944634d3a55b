from odoo import api, models

from ..tools import touch_rule


class ClientValueReportMixin(models.AbstractModel):
    """Read-only SQL views that must show the current transaction's changes.

    A view reads its tables directly, so pending ORM writes on them are
    flushed before any search or grouped read.
    """

    _name = "client_value.report.mixin"
    _description = "Client Value SQL report"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        touch_rule.flush_sources(self.env)
        return super()._search(
            domain, offset=offset, limit=limit, order=order, **kwargs
        )

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        touch_rule.flush_sources(self.env)
        return super()._read_group(
            domain, groupby, aggregates, having, offset, limit, order
        )
