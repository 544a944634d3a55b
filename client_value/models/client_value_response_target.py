from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..tools import history, response_target
from ..tools.compat import create_unique_index


class ClientValueResponseTarget(models.Model):
    """A response target: how long a request of a priority may wait, in
    working time of the document company's calendar, before it is late.

    One row per priority always exists; a key-account row per priority is
    optional and, when there, applies to the requests of key accounts.
    Changing a target re-plans the waiting requests
    (``tools/response_target.py`` is where the rows are read).
    """

    _name = "client_value.response.target"
    _description = "Response Target"
    _order = "key_account, priority desc"
    _rec_name = "priority"

    priority = fields.Selection(
        response_target.PRIORITIES, required=True, default=response_target.NORMAL
    )
    key_account = fields.Boolean(
        string="Key Accounts",
        help="This row applies to the requests of key accounts only; without "
        "a key-account row for a priority, key accounts follow the general one.",
    )
    duration = fields.Float(required=True, default=2.0, digits=(16, 1))
    unit = fields.Selection(response_target.UNITS, required=True, default="days")

    def init(self):
        create_unique_index(
            self.env.cr,
            "client_value_response_target_priority_key_uniq",
            self._table,
            ["priority", "key_account"],
        )

    @api.constrains("duration")
    def _check_duration(self):
        for target in self:
            if target.duration < 0:
                raise ValidationError(
                    self.env._("A response target cannot be negative.")
                )

    @api.constrains("priority", "key_account")
    def _check_one_per_priority(self):
        for target in self:
            if (
                self.search_count(
                    [
                        ("priority", "=", target.priority),
                        ("key_account", "=", target.key_account),
                    ]
                )
                > 1
            ):
                raise ValidationError(
                    self.env._("There is already a target for this priority.")
                )

    @api.depends("priority", "key_account")
    def _compute_display_name(self):
        labels = dict(self._fields["priority"]._description_selection(self.env))
        for target in self:
            label = labels.get(target.priority, "")
            target.display_name = (
                self.env._("%(priority)s, key accounts", priority=label)
                if target.key_account
                else label
            )

    @api.model
    @tools.ormcache()
    def _targets_table(self):
        """((priority, key_account, duration, unit), ...) of every row, read
        once per process until a target changes: planning a request reads
        it, in the transaction of every request."""
        # sudo: the targets are the company's policy, whoever logs a request
        return tuple(
            (row["priority"], row["key_account"], row["duration"], row["unit"])
            for row in self.sudo().search_read(
                [], ["priority", "key_account", "duration", "unit"]
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        targets = super().create(vals_list)
        self.env.registry.clear_cache()
        targets._replan()
        return targets

    def write(self, vals):
        result = super().write(vals)
        if {"priority", "key_account", "duration", "unit"} & set(vals):
            self.env.registry.clear_cache()
            self._replan()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_general(self):
        if any(not target.key_account for target in self):
            raise UserError(
                self.env._(
                    "Every priority keeps its general target; change it rather "
                    "than delete it."
                )
            )

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        self.browse()._replan()
        return result

    def _replan(self):
        """The waiting requests follow the new targets, once per transaction."""
        if self.env.context.get("client_value_no_replan"):
            return
        self.env.flush_all()
        history.replan(self.env)

    @api.model
    def _client_value_adopt_setting(self):
        """Earlier versions had one target, the *Response target* setting in
        working days: it becomes the normal priority's target, once."""
        params = self.env["ir.config_parameter"].sudo()
        old = params.get_param("client_value.response_target_days")
        if old in (None, False, ""):
            return
        normal = self.search(
            [("priority", "=", response_target.NORMAL), ("key_account", "=", False)]
        )
        try:
            days = float(old)
        except ValueError:
            days = None
        if normal and days is not None and days >= 0:
            normal.with_context(client_value_no_replan=True).write(
                {"duration": days, "unit": "days"}
            )
        params.search([("key", "=", "client_value.response_target_days")]).unlink()
