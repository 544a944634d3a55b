"""Install, upgrade, uninstall and re-install client_value like an administrator.

Everything runs in a throwaway database copied from the cached base template
(client_value's dependencies installed), through ``odoo-bin`` in separate
processes with the same configuration as this test run: installation and
upgrade with HTTP and cron workers, the uninstallation, a CRM check and the
re-installation.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

import odoo
import odoo.release
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, config

ROOT = Path(__file__).resolve().parents[1]
# 19.0: odoo is a namespace package (odoo.__file__ is None); release.py is
# in both series.
ODOO_BIN = Path(odoo.release.__file__).resolve().parents[1] / "odoo-bin"
# The server configuration of this run: config.rcfile on 18.0 (deprecated on
# 19.0, where config["config"] holds it).
RCFILE = config.get("config") or getattr(config, "rcfile", None)
WORKERS = ("--workers=2", "--max-cron-threads=2")
# Odoo's log format: "<date> <time> <pid> <LEVEL> <db> <logger>: <message>"
LOG_ERROR = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?:ERROR|CRITICAL) .*$"
    r"|^Traceback \(most recent call last\):$",
    re.MULTILINE,
)
CRON_POLL = re.compile(r"WorkerCron \((\d+)\) polling for jobs")
RESULT = "CLIENT_VALUE_RESULT "

# What client_value left in the database: its xmlids, the fields and models
# it defines, its menus and settings, and a fingerprint of its data (row
# counts of its models, a digest of every column it adds).
INVENTORY = """
import json
from odoo.tools import SQL
module = env["ir.module.module"].search([("name", "=", "client_value")])
data = env["ir.model.data"].search([("module", "=", "client_value")])
fields = env["ir.model.fields"].search([("id", "in", data.filtered(
    lambda d: d.model == "ir.model.fields").mapped("res_id"))])
models = [name for name, model in env.registry.items()
          if model._original_module == "client_value"]
params = env["ir.config_parameter"].search([("key", "=like", r"client\\_value.%")])
records = {
    name: env[name].with_context(active_test=False).search_count([])
    for name in models if env[name]._auto and not env[name]._transient
}
columns = {}
for field in fields:
    if field.model not in env:
        continue
    Model = env[field.model]
    column = Model._fields.get(field.name)
    if Model._transient or not Model._auto or not (
            column and column.store and column.column_type):
        continue
    env.cr.execute(SQL(
        "SELECT count(*), md5(string_agg(%s::text, ',' ORDER BY id)) FROM %s",
        SQL.identifier(field.name), SQL.identifier(Model._table)))
    columns["%s.%s" % (field.model, field.name)] = list(env.cr.fetchone())
print(RESULT + json.dumps({
    "state": module.state,
    "xmlids": sorted([d.model, d.res_id, d.name] for d in data),
    "fields": sorted([f.model, f.name] for f in fields),
    "models": sorted(models),
    "menus": sorted(data.filtered(lambda d: d.model == "ir.ui.menu").mapped("res_id")),
    "params": sorted(params.mapped("key")),
    "records": records,
    "columns": columns,
    "opportunities": env["crm.lead"].with_context(active_test=False).search_count([]),
}))
"""

# What is left of an uninstalled client_value, as a list of offenders;
# INVENTORY is the inventory taken while it was installed.
LEFTOVERS = """
import json
from odoo.tools import SQL
inventory = json.loads(INVENTORY)
left = []
if env["ir.model.data"].search_count([("module", "=", "client_value")]):
    left.append("client_value xmlids")
for model, res_id, name in inventory["xmlids"]:
    if model not in env or not env[model].browse(res_id).exists():
        continue
    # Records that another module also declares (the ir.model row of an
    # inherited model, for instance) rightly stay.
    if not env["ir.model.data"].search_count(
            [("model", "=", model), ("res_id", "=", res_id)]):
        left.append("record %s,%s (client_value.%s)" % (model, res_id, name))
for model, name in inventory["fields"]:
    domain = [("model", "=", model), ("name", "=", name)]
    field = env["ir.model.fields"].search(domain)
    # A field another module also declares (mail.thread's fields, which the
    # rating mixin brings again) rightly stays, with its column.
    if field and env["ir.model.data"].search_count(
            [("model", "=", "ir.model.fields"), ("res_id", "=", field.id)]):
        continue
    if field:
        left.append("field %s.%s" % (model, name))
    if model in env:
        env.cr.execute(SQL(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = %s",
            env[model]._table, name))
        if env.cr.rowcount:
            left.append("column %s.%s" % (env[model]._table, name))
for model in inventory["models"]:
    if model in env or env["ir.model"].search_count([("model", "=", model)]):
        left.append("model %s" % model)
    env.cr.execute(SQL(
        "SELECT 1 FROM information_schema.tables WHERE table_name = %s",
        model.replace(".", "_")))
    if env.cr.rowcount:
        left.append("table of %s" % model)
for menu in env["ir.ui.menu"].browse(inventory["menus"]).exists():
    left.append("menu %s" % menu.complete_name)
for param in env["ir.config_parameter"].search([("key", "=like", r"client\\_value.%")]):
    left.append("system parameter %s" % param.key)
print(RESULT + json.dumps(left))
"""

UNINSTALL = """
import json
env["ir.config_parameter"].set_param("client_value.lifecycle_probe", "1")
env.cr.commit()
module = env["ir.module.module"].search([("name", "=", "client_value")])
module.button_immediate_uninstall()
print(RESULT + json.dumps("done"))
"""

# History written before client_value is installed, two months old: a
# client email answered by a reply on a deal, a client email nobody
# answered on a contact, an internal note and an open call.
HISTORY = """
import json
from odoo.tools import SQL
Partner = env["res.partner"]
answered = Partner.create({"name": "History Answered Ltd", "is_company": True})
ann = Partner.create({"name": "Ann", "parent_id": answered.id})
waiting = Partner.create({"name": "History Waiting Ltd", "is_company": True})
bob = Partner.create({"name": "Bob", "parent_id": waiting.id})
lead = env["crm.lead"].create(
    {"name": "History deal", "type": "opportunity", "partner_id": ann.id})
admin = env.ref("base.partner_admin")
ask = lead.message_post(body="Can you help?", message_type="email",
                        author_id=ann.id, subtype_xmlid="mail.mt_comment")
reply = lead.message_post(body="Of course.", message_type="comment",
                          author_id=admin.id, subtype_xmlid="mail.mt_comment")
unanswered = bob.message_post(body="Hello?", message_type="email",
                              author_id=bob.id, subtype_xmlid="mail.mt_comment")
note = bob.message_post(body="Call him.", message_type="comment",
                        author_id=admin.id, subtype_xmlid="mail.mt_note")
call = lead.activity_schedule("mail.mail_activity_data_call", summary="Call Ann")
messages = ask | reply | unanswered | note
env.flush_all()
env.cr.execute(SQL(
    "UPDATE mail_message SET date = date - interval '60 days' WHERE id IN %s",
    tuple(messages.ids)))
env.cr.commit()
print(RESULT + json.dumps({
    "accounts": {"answered": answered.id, "waiting": waiting.id},
    "messages": {"ask": ask.id, "reply": reply.id,
                 "unanswered": unanswered.id, "note": note.id},
    "call": call.id,
}))
"""

# The same history seen by client_value right after its installation.
HISTORY_SEEN = """
import json
history = json.loads(INVENTORY)
Message = env["mail.message"]
messages = {key: Message.browse(mid) for key, mid in history["messages"].items()}
call = env["mail.activity"].browse(history["call"])
env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
accounts = env["res.partner"].browse(history["accounts"].values())
print(RESULT + json.dumps({
    "client_touch": {key: m.client_touch for key, m in messages.items()},
    "answered_by_reply": messages["ask"].date_answered == messages["reply"].date,
    "unanswered": messages["unanswered"].date_answered,
    "reply_answers": messages["reply"].answers_request,
    "call": [call.touch_kind, call.is_service_request],
    "call_types_kind": env.ref("mail.mail_activity_data_call").touch_kind,
    "neglected": sorted(accounts.filtered("client_neglected").mapped("name")),
}))
"""

# CRM without client_value: a salesperson-facing round trip.
CRM_STILL_WORKS = """
import json
env = env(user=env.ref("base.user_admin"))
partner = env["res.partner"].create({"name": "Lifecycle Client", "is_company": True})
lead = env["crm.lead"].create({
    "name": "Lifecycle deal", "type": "opportunity",
    "partner_id": partner.id, "expected_revenue": 5000,
})
lead.action_set_won()
env.flush_all()
views = {
    "crm.lead": env["crm.lead"].get_views(
        [(False, "kanban"), (False, "list"), (False, "form"), (False, "search")]),
    "res.config.settings": env["res.config.settings"].get_views([(False, "form")]),
}
env.cr.commit()
print(RESULT + json.dumps({
    "won": lead.stage_id.is_won,
    "probability": lead.probability,
    "active": lead.active,
    "views": {model: sorted(v["views"]) for model, v in views.items()},
}))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install", "client_value")
class TestLifecycle(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = "%s_lifecycle" % cls.env.cr.dbname
        cls._lifecycle_db("create")
        cls.addClassCleanup(cls._lifecycle_db, "drop")

    @classmethod
    def _lifecycle_db(cls, action):
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts/lifecycle_db.sh"), action, cls.db],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if proc.returncode:
            raise AssertionError(
                "could not %s %s:\n%s" % (action, cls.db, proc.stdout + proc.stderr)
            )

    def _server_args(self, http_port=None):
        """odoo-bin with this run's configuration, on ports nobody uses."""
        return [
            sys.executable,
            str(ODOO_BIN),
            *("-c", RCFILE, "-d", self.db),
            "--http-port=%d" % (http_port or free_port()),
            "--gevent-port=%d" % free_port(),
        ]

    def _odoo(self, *args):
        """Run odoo-bin until it stops; returns its log."""
        proc = subprocess.run(
            self._server_args() + list(args),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        log = proc.stdout + proc.stderr
        self.assertEqual(proc.returncode, 0, log[-5000:])
        return log

    def _shell(self, code, inventory=None):
        """Run ``code`` in ``odoo-bin shell``; returns what it printed as RESULT."""
        prelude = "RESULT = %r\nINVENTORY = %r\n" % (RESULT, json.dumps(inventory))
        proc = subprocess.run(
            [
                sys.executable,
                *(str(ODOO_BIN), "shell", "-c", RCFILE, "-d", self.db),
                *("--no-http", "--max-cron-threads=0", "--log-level=warn"),
            ],
            input=prelude + code,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        log = proc.stdout + proc.stderr
        self.assertEqual(proc.returncode, 0, log[-5000:])
        self.assertClean(log, "odoo-bin shell")
        lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT)]
        self.assertEqual(len(lines), 1, log[-5000:])
        return json.loads(lines[0][len(RESULT) :])

    def assertClean(self, log, what):
        errors = [m.group(0) for m in LOG_ERROR.finditer(log)]
        self.assertFalse(
            errors,
            "%s logged errors:\n%s\n\n%s" % (what, "\n".join(errors), log[-8000:]),
        )

    def _serve_with_workers(self, *args):
        """Serve with HTTP and cron workers until both kinds answered.

        Only client_value's scheduled actions stay active: Odoo's own would
        send mail or call home, which a test must not do.
        """
        with odoo.sql_db.db_connect(self.db).cursor() as cr:
            cr.execute(
                SQL(
                    "UPDATE ir_cron SET active = FALSE WHERE id NOT IN ("
                    " SELECT res_id FROM ir_model_data"
                    " WHERE model = 'ir.cron' AND module = 'client_value')"
                )
            )
            cr.execute(SQL("UPDATE ir_cron SET nextcall = now() - interval '1 hour'"))
        started = time.time()
        port = free_port()
        cmd = self._server_args(port) + [*WORKERS, *args]
        cmd += ["--log-level=info", "--log-handler=odoo.service.server:DEBUG"]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
        reader.start()
        try:
            http_ok = crons_polled = crons_ran = False
            while time.time() - started < 300 and proc.poll() is None:
                if not http_ok:
                    try:
                        url = "http://127.0.0.1:%d/web/health" % port
                        http_ok = requests.get(url, timeout=5).status_code == 200
                    except requests.RequestException:
                        pass
                pollers = {m.group(1) for m in CRON_POLL.finditer("".join(lines))}
                crons_polled = len(pollers) >= 2
                with odoo.sql_db.db_connect(self.db).cursor() as cr:
                    cr.execute(
                        SQL(
                            "SELECT count(*) FROM ir_cron WHERE active"
                            " AND (lastcall IS NULL"
                            "      OR lastcall < now() - interval '1 hour')"
                        )
                    )
                    crons_ran = not cr.fetchone()[0]
                if http_ok and crons_polled and crons_ran:
                    break
                # Cron workers sleep until a job is due or they are notified.
                with odoo.sql_db.db_connect("postgres").cursor() as cr:
                    cr.execute(SQL("NOTIFY cron_trigger, %s", self.db))
                time.sleep(1)
            self.assertIsNone(proc.poll(), "the server stopped:\n" + "".join(lines))
            self.assertTrue(http_ok, "no HTTP worker answered")
            self.assertTrue(crons_polled, "the cron workers never polled the database")
            self.assertTrue(crons_ran, "client_value's scheduled actions did not run")
            proc.send_signal(signal.SIGTERM)
            proc.wait(120)
        finally:
            if proc.poll() is None:
                # Our own server's process group: master, workers, gevent.
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
            reader.join(30)
            odoo.sql_db.close_db(self.db)
        return "".join(lines)

    def test_install_upgrade_uninstall_reinstall(self):
        history = self._shell(HISTORY)
        # Install, as with a production server: HTTP and cron workers. The
        # module fills its stored fields in SQL: the ORM computes none of
        # them record by record ("Prepare computation of ...").
        log = self._odoo(
            "-i",
            "client_value",
            "--stop-after-init",
            "--log-handler=odoo.models:INFO",
            *WORKERS,
        )
        self.assertClean(log, "installation with workers")
        self.assertEqual(re.findall(r"Prepare computation of \S+", log), [])
        # The history is read as if the module had been there all along.
        seen = self._shell(HISTORY_SEEN, inventory=history)
        self.assertEqual(
            seen["client_touch"],
            {
                "ask": "incoming",
                "reply": "outgoing",
                "unanswered": "incoming",
                "note": False,
            },
        )
        self.assertTrue(seen["answered_by_reply"])
        self.assertFalse(seen["unanswered"])
        self.assertTrue(seen["reply_answers"])
        self.assertEqual(seen["call"], ["sales", False])
        self.assertEqual(seen["call_types_kind"], "sales")
        self.assertEqual(seen["neglected"], ["History Waiting Ltd"])
        installed = self._shell(INVENTORY)
        self.assertEqual(installed["state"], "installed")
        self.assertTrue(installed["xmlids"])

        # Upgrade with workers: same records, same data.
        log = self._odoo("-u", "client_value", "--stop-after-init", *WORKERS)
        self.assertClean(log, "upgrade with workers")
        upgraded = self._shell(INVENTORY)
        for key in ("xmlids", "fields", "models", "records", "columns"):
            self.assertEqual(upgraded[key], installed[key], "upgrade changed %s" % key)

        # Serve: the HTTP workers answer and the cron workers run our jobs.
        log = self._serve_with_workers()
        self.assertClean(log, "serving with workers")

        # Uninstall: nothing of client_value is left, CRM data is untouched.
        self.assertEqual(self._shell(UNINSTALL), "done")
        uninstalled = self._shell(INVENTORY)
        self.assertEqual(uninstalled["state"], "uninstalled")
        self.assertEqual(uninstalled["opportunities"], installed["opportunities"])
        self.assertEqual(self._shell(LEFTOVERS, inventory=installed), [])

        # CRM still works without it.
        crm = self._shell(CRM_STILL_WORKS)
        self.assertTrue(crm["won"])
        self.assertEqual(crm["probability"], 100)
        self.assertTrue(crm["active"])
        self.assertEqual(crm["views"]["crm.lead"], ["form", "kanban", "list", "search"])

        # Re-install: the same records come back.
        log = self._odoo("-i", "client_value", "--stop-after-init", *WORKERS)
        self.assertClean(log, "re-installation with workers")
        reinstalled = self._shell(INVENTORY)
        self.assertEqual(reinstalled["state"], "installed")
        self.assertEqual(
            [(model, name) for model, _id, name in reinstalled["xmlids"]],
            [(model, name) for model, _id, name in installed["xmlids"]],
        )
