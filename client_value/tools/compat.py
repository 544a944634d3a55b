"""What differs between Odoo 18.0 and 19.0, in one place.

One source tree serves both series: code that touches an API that changed
imports its two-series form from here instead of testing the version where
it is used. Each name says what it stands for on 18.0 and on 19.0.
"""

from odoo import api, release
from odoo.tools import sql

# (18, 0) or (19, 0): the series this code runs on.
ODOO_SERIES = tuple(release.version_info[:2])
ODOO_19 = ODOO_SERIES >= (19, 0)

try:  # 19.0: domains are objects; odoo.osv.expression is deprecated
    from odoo.fields import Domain
except ImportError:  # 18.0
    Domain = None
    from odoo.osv import expression as _expression

FALSE_DOMAIN = [(0, "=", 1)]


def domain_and(domains):
    """AND of list domains, as a list domain."""
    if Domain is not None:
        return list(Domain.AND(domains))
    return _expression.AND(domains)


def domain_or(domains):
    """OR of list domains, as a list domain."""
    if Domain is not None:
        return list(Domain.OR(domains))
    return _expression.OR(domains)


def returns_message(method):
    """An override of ``message_post`` answers RPC callers the message's id:
    18.0 needs Odoo's ``@api.returns`` on it, 19.0 turns any recordset a
    public method returns into ids (and has no ``api.returns``)."""
    returns = getattr(api, "returns", None)
    if returns is None:
        return method
    return returns("mail.message", lambda value: value.id)(method)


def users_groups_field(env):
    """res.users' groups: ``groups_id`` (18.0), ``group_ids`` (19.0)."""
    return "group_ids" if "group_ids" in env["res.users"]._fields else "groups_id"


def activity_types_keep_done(env):
    """Whether activity types say if their done activities are kept (18.0's
    *Keep Done*); 19.0 keeps every done activity, archived."""
    return "keep_done" in env["mail.activity.type"]._fields


def cron_progress(env, processed, done, remaining, commit=False):
    """Report a batch of a scheduled action: ``processed`` in this batch,
    ``done`` so far, ``remaining`` left; then commit when ``commit``.

    18.0 has ``ir.cron._notify_progress``; 19.0 deprecates it for
    ``_commit_progress``, which always commits, so that one is only used
    when the caller commits anyway."""
    cron = env["ir.cron"]
    if hasattr(cron, "_commit_progress"):  # 19.0
        if commit:
            cron._commit_progress(processed, remaining=remaining)
        elif env.context.get("ir_cron_progress_id"):
            # sudo: the progress record of the running scheduled action
            progress = env["ir.cron.progress"].sudo()
            progress.browse(env.context["ir_cron_progress_id"]).write(
                {"done": done, "remaining": remaining}
            )
        return
    cron._notify_progress(done=done, remaining=remaining)  # 18.0
    if commit:
        env.cr.commit()  # pylint: disable=invalid-commit


def create_unique_index(cr, name, table, columns):
    """A unique index on ``columns`` unless it exists: 18.0's
    ``create_unique_index``, 19.0's ``create_index(unique=True)`` (the
    former is deprecated there)."""
    if ODOO_19:
        sql.create_index(cr, name, table, columns, unique=True)
    else:
        sql.create_unique_index(cr, name, table, columns)


def cache_values(records, fname, values):
    """Put the computed ``values`` of the field ``fname`` of ``records`` (in
    the same order) in the cache at once: a compute method filling the
    figures of thousands of records, without one assignment per record.
    18.0 keeps the cache in the environment, 19.0 in each field."""
    field = records._fields[fname]
    values = [field.convert_to_cache(value, records) for value in values]
    cache = getattr(records.env, "cache", None)
    if cache is not None and hasattr(cache, "update"):  # 18.0
        cache.update(records, field, values)
    else:  # 19.0
        field._get_cache(records.env).update(zip(records._ids, values, strict=True))
