"""Install and uninstall hooks.

Before install, the stored columns the module adds to Odoo's big tables
(activities, messages, opportunities, ratings) are created empty: adding a
column without a default rewrites nothing, and the ORM, finding the columns
there, computes nothing record by record. The few that need a value at
once (the touch kind of activity types, the impact of opportunities) are
filled in a statement each. The history itself is read after install, a
batch of accounts at a time (client_value.history.run): installing takes
seconds whatever its size.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, drop_view_if_exists

from .demo import generate
from .models.crm_lead_impact import IMPACT_SCORES
from .tools import touch_rule

# Odoo's stock types that are sales touches (To-Do and Upload Document are not).
STOCK_SALES_TYPES = (
    "mail_activity_data_email",
    "mail_activity_data_call",
    "mail_activity_data_meeting",
)


def _create_columns(cr, table, columns):
    """Create the missing ``columns`` ({name: type}) of ``table``; return
    the names created."""
    created = [name for name in columns if not column_exists(cr, table, name)]
    for name in created:
        create_column(cr, table, name, columns[name])
    return created


def _fill_activity_types(cr):
    if _create_columns(cr, "mail_activity_type", {"touch_kind": "varchar"}):
        cr.execute(
            SQL(
                """
                UPDATE mail_activity_type SET touch_kind = 'sales'
                 WHERE id IN (SELECT res_id FROM ir_model_data
                               WHERE module = 'mail' AND model = 'mail.activity.type'
                                 AND name IN %s)
                """,
                STOCK_SALES_TYPES,
            )
        )


ACTIVITY_COLUMNS = {
    "touch_kind": "varchar",
    "is_service_request": "bool",
    "date_requested": "timestamp",
    "answer_due": "timestamp",
    "done_datetime": "timestamp",
    "date_answered": "timestamp",
    "answered_by_id": "int4",
    "response_hours": "float8",
    "client_value_no_reply_reason": "varchar",
    "client_value_no_reply_note": "text",
    "client_value_priority": "varchar",
    "client_value_warn_at": "timestamp",
    "client_value_escalate_at": "timestamp",
    "client_value_warned": "bool",
    "client_value_escalated": "bool",
}
MESSAGE_COLUMNS = {
    "client_touch": "varchar",
    "client_touch_date": "timestamp",
    "answer_due": "timestamp",
    "date_answered": "timestamp",
    "answered_by_id": "int4",
    "answers_request": "bool",
    "client_value_automatic": "varchar",
    "client_value_automated": "bool",
    "client_value_no_reply_reason": "varchar",
    "client_value_no_reply_note": "text",
    "client_value_priority": "varchar",
    "client_value_warn_at": "timestamp",
    "client_value_escalate_at": "timestamp",
    "client_value_warned": "bool",
    "client_value_escalated": "bool",
}
# The account's columns the history read needs (key accounts), and the
# watch's moment, filled after install.
PARTNER_COLUMNS = {
    "client_value_key_account": "bool",
    "client_value_neglect_at": "timestamp",
}


def _fill_leads(cr):
    """Impact columns of the opportunities (Unknown level, no score) and
    rating.mixin's stored last rating (leads have none yet)."""
    created = _create_columns(
        cr,
        "crm_lead",
        {
            "impact_level": "varchar",
            "impact_score": "int4",
            "weighted_impact": "float8",
            "rating_last_value": "float8",
        },
    )
    if not created:
        return
    level = SQL("COALESCE(impact_level, '0')")
    score = SQL(
        "CASE %s %s ELSE 0 END",
        level,
        SQL(" ").join(
            SQL("WHEN %s THEN %s", lvl, points) for lvl, points in IMPACT_SCORES.items()
        ),
    )
    values = {
        "impact_level": level,
        "impact_score": score,
        "weighted_impact": SQL("%s * COALESCE(probability, 0) / 100.0", score),
        "rating_last_value": SQL("0"),
    }
    cr.execute(
        SQL(
            "UPDATE crm_lead SET %s",
            SQL(", ").join(
                SQL("%s = %s", SQL.identifier(fname), values[fname])
                for fname in created
            ),
        )
    )


def _fill_ratings(cr):
    if _create_columns(cr, "rating_rating", {"client_value_lead_id": "int4"}):
        cr.execute(
            SQL(
                "UPDATE rating_rating r SET client_value_lead_id = r.res_id "
                "WHERE r.res_model = 'crm.lead' "
                "AND EXISTS (SELECT 1 FROM crm_lead l WHERE l.id = r.res_id)"
            )
        )


def pre_init_hook(env):
    cr = env.cr
    _fill_activity_types(cr)
    _create_columns(cr, "mail_activity", ACTIVITY_COLUMNS)
    _create_columns(cr, "mail_message", MESSAGE_COLUMNS)
    _create_columns(cr, "res_partner", PARTNER_COLUMNS)
    _fill_leads(cr)
    _fill_ratings(cr)


def post_init_hook(env):
    """The client history is read: at once on a small database, else in the
    background; then, in a database with demo data, the demo's accounts and
    their history."""
    env["client_value.history.run"]._start("install", touch_rule.touch_models(env))
    module = env["ir.module.module"].search([("name", "=", "client_value")])
    if module.demo:
        generate.load(env)


def uninstall_hook(env):
    """Leave the database as if the module had never been installed, without
    losing the client's history.

    - The SQL report views go first: they depend on the module's columns.
    - Settings are ``client_value.*`` system parameters without xmlid: drop them.
    - Activities of the module's types (service requests, reviews, follow-ups)
      are moved to Odoo's To-Do type, so the history survives and the types
      can be deleted.
    """
    env["ir.config_parameter"].search([("key", "=like", r"client\_value.%")]).unlink()
    # The report views read the module's columns: drop them before those.
    for view in ("client_value_care_report", "client_value_touch"):
        drop_view_if_exists(env.cr, view)
    type_ids = (
        env["ir.model.data"]
        .search([("module", "=", "client_value"), ("model", "=", "mail.activity.type")])
        .mapped("res_id")
    )
    todo = env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
    if type_ids and todo:
        env.cr.execute(
            SQL(
                "UPDATE mail_activity SET activity_type_id = %s "
                "WHERE activity_type_id IN %s",
                todo.id,
                tuple(type_ids),
            )
        )
        env["mail.activity"].invalidate_model(["activity_type_id"])
