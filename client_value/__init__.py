from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists

from . import models
from . import controllers
from . import wizard


def post_init_hook(env):
    """Client emails already in the history are answered by the replies
    already there, so installing does not make every account look neglected."""
    env["mail.message"]._client_value_answer_history()


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
