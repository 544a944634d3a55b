"""Test helpers for what differs between Odoo 18.0 and 19.0."""

import contextlib
import inspect

from odoo import release
from odoo.tools.translate import trans_export

ODOO_19 = release.version_info[:2] >= (19, 0)
SERIES = release.major_version  # "18.0" / "19.0"


def stage_team(team):
    """crm.stage values putting a stage in ``team``: team_id (18.0) or
    team_ids (19.0)."""
    Stage = team.env["crm.stage"]
    if "team_ids" in Stage._fields:
        return {"team_ids": [(6, 0, team.ids)]}
    return {"team_id": team.id}


def add_group(user, xmlid):
    """Give ``user`` the group ``xmlid`` (groups_id in 18.0, group_ids in 19.0)."""
    fname = "group_ids" if "group_ids" in user._fields else "groups_id"
    user[fname] += user.env.ref(xmlid)


def export_po(modules, buffer, env):
    """trans_export's last argument: a cursor (18.0), an environment (19.0)."""
    last = list(inspect.signature(trans_export).parameters)[-1]
    return trans_export(False, modules, buffer, "po", env if last == "env" else env.cr)


def readonly_dashboard(dashboard):
    """The data the dashboard app loads (a method in 18.0, a route in 19.0)."""
    if hasattr(dashboard, "get_readonly_dashboard"):
        return dashboard.get_readonly_dashboard()
    import json

    return json.loads(dashboard._get_serialized_readonly_dashboard())


def registry_test_mode(case):
    """19.0 runs a cron's direct trigger in a new cursor: share the test's."""
    enter = getattr(case, "enter_registry_test_mode", None)
    return enter() if enter else contextlib.nullcontext()


def keep_done_field(env):
    return "keep_done" in env["mail.activity.type"]._fields


def clear_param_cache(env):
    """ir.config_parameter's get_param is cached in 'default' (18.0) and in
    'stable' (19.0; clearing 'stable' clears 'default' too)."""
    env.registry.clear_cache("stable" if ODOO_19 else "default")


def mail_server_connect_name(env):
    """The SMTP connect method: connect (18.0), _connect__ (19.0)."""
    Server = type(env["ir.mail_server"])
    return "_connect__" if hasattr(Server, "_connect__") else "connect"


def read_group_for_columns(model, domain, aggregate, groupby):
    """web_read_group: (domain, fields, groupby, lazy=) in 18.0,
    (domain, groupby, aggregates) in 19.0; returns [(group, value)]."""
    if ODOO_19:
        result = model.web_read_group(domain, [groupby], [aggregate])
        return [(g[groupby], g[aggregate]) for g in result["groups"]]
    result = model.web_read_group(domain, [aggregate], [groupby], lazy=True)
    fname = aggregate.split(":")[0]
    return [(g[groupby], g[fname]) for g in result["groups"]]


def set_lost(lead, open_stage):
    """Lose ``lead``. 19.0 refuses to lose a lead in a won stage
    (crm.lead._check_won_validity): it is moved to ``open_stage`` first."""
    if ODOO_19 and lead.stage_id.is_won:
        lead.write({"stage_id": open_stage.id})
    return lead.action_set_lost()
