"""Signals with one way in: fields that only the module's own logic writes."""

from odoo.exceptions import AccessError


def check_protected(records, field_names, vals_list):
    """Refuse to write ``field_names`` of ``records`` from ``vals_list``
    unless the caller is the module's own server-side code (superuser).

    The fields are derived (verdicts, answers, touches, flags): a view shows
    them read-only, and this makes the ORM refuse them too, over RPC as
    anywhere else.
    """
    if records.env.su:
        return
    written = {fname for vals in vals_list for fname in vals if fname in field_names}
    if not written:
        return
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
