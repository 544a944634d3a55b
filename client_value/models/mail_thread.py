from odoo import api, models

from ..tools import machine_mail, settings, touch_rule


class MailThread(models.AbstractModel):
    """Documents of the sources (opportunities, orders, invoices, tasks,
    tickets) whose customer changes, or that are deleted, take their touches
    from one account to another, or away: both accounts' figures follow
    before the transaction commits (a lead converted for a customer, an
    order given to another contact, an opportunity merged away).

    Decided from the model name and the written field names alone: writes on
    any other model, or of any other field, cost nothing more.
    """

    _inherit = "mail.thread"

    def _client_value_source(self):
        """The touch source of this model when its records carry touches
        through a customer field, else None."""
        source = touch_rule.SOURCE_BY_MODEL.get(self._name)
        if (
            source is None
            or source.customer is None
            or self._name not in touch_rule.touch_models(self.env)
        ):
            return None
        return source

    def _client_value_customers(self, source):
        # sudo: the customers are read to put their accounts' figures right,
        # whoever changes the document
        return self.sudo()[source.customer].ids

    def write(self, vals):
        source = self._client_value_source() if self else None
        if source is None or source.customer not in vals:
            return super().write(vals)
        before = self._client_value_customers(source)
        result = super().write(vals)
        self.env["client_value.care"]._accounts_changed_later(
            partner_ids=[*before, *self._client_value_customers(source)]
        )
        return result

    def unlink(self):
        source = self._client_value_source() if self else None
        if source is None:
            return super().unlink()
        before = self._client_value_customers(source)
        result = super().unlink()
        self.env["client_value.care"]._accounts_changed_later(partner_ids=before)
        return result

    # ------------------------------------------------------------------
    # The mail gateway: emails no person wrote
    # ------------------------------------------------------------------

    @api.model
    def message_parse(self, message, save_original=False):
        """Decide whether a machine sent the incoming email, where its
        headers are: an auto-reply, a mailing list, a delivery report, or
        a header rule of the settings (``tools/machine_mail.py``)."""
        msg_dict = super().message_parse(message, save_original=save_original)
        extra = settings.get(self.env, "automatic_header_rules")
        msg_dict["client_value_automatic"] = machine_mail.reason(message, extra)
        return msg_dict

    def _message_route_process(self, message, message_dict, routes):
        # The decision travels to the message the gateway posts, not through
        # the posting's values, which callers over RPC could set.
        why = message_dict.pop("client_value_automatic", None)
        with machine_mail.gateway_reason(why):
            return super()._message_route_process(message, message_dict, routes)
