"""Signals with one way in: fields that only the module's own logic writes."""

from contextlib import contextmanager
from contextvars import ContextVar

from odoo.exceptions import AccessError

# Set while one of Odoo's own flows that carries whole records over runs on
# the server (Merge Contacts copies every field of the merged contacts onto
# the one kept). A Python context variable, not an Odoo context key: no RPC
# caller can set it.
_ODOO_FLOW = ContextVar("client_value_odoo_flow", default=None)


@contextmanager
def odoo_flow(name):
    """While Odoo's own flow ``name`` runs, the protected fields it writes
    are left out of its writes instead of refused: they are the module's
    figures, not values to carry over, and the module puts them right once
    the flow is done."""
    token = _ODOO_FLOW.set(name)
    try:
        yield
    finally:
        _ODOO_FLOW.reset(token)


def check_protected(records, field_names, vals_list):
    """The values of ``vals_list`` that may be written on ``records``.

    ``field_names`` are derived (verdicts, answers, touches, flags): only
    the module's own server-side code (superuser) writes them. Anyone else
    writing one is refused with an AccessError naming the fields (a view
    shows them read-only; this makes the ORM refuse them too, over RPC as
    anywhere else), except inside one of Odoo's own flows
    (:func:`odoo_flow`), where they are left out. Returns the list to write.
    """
    if records.env.su:
        return vals_list
    written = {fname for vals in vals_list for fname in vals if fname in field_names}
    if not written:
        return vals_list
    if _ODOO_FLOW.get():
        return [
            {fname: value for fname, value in vals.items() if fname not in written}
            for vals in vals_list
        ]
    env = records.env
    labels = sorted(
        records._fields[fname]._description_string(env) for fname in written
    )
    raise AccessError(
        env._(
            "%(fields)s (%(model)s) are kept by Client Value itself and cannot "
            "be written by hand.",
            fields=", ".join(labels),
            model=env["ir.model"]._get(records._name).display_name,
        )
    )
