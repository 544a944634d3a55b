"""Synthetic CRM data for the benchmark, generated server-side in SQL.

Rows come from ``INSERT ... SELECT generate_series`` with a fixed seed, so
a size always yields the same data and millions of rows load in seconds
rather than through hours of ORM ``create`` calls.

``core()`` runs before client_value is installed and only writes Odoo's own
columns; ``client_value_layer()`` runs after, the way the module would have
recorded the same history: service requests and administrative tasks among
the activities, messages classified as client touches, answers.

Per account (a company with 1 to 3 contacts): 2 opportunities, 10
activities, 5 messages, spread over 180 days; and, when Sales, Invoicing and
Project are installed (``make bench`` installs them), one sale order, one
customer invoice and one project task, each with 2 activities and 3
messages. One account in ``NEGLECT_EVERY`` only has an old, unanswered
service request and no touch in the last 35 days: those must be flagged;
every other account had a done call in the last 10 days. Both the request
and the call sit, by turns, on the contact, the order, the invoice and the
task, so that every source is read.
"""

from unittest.mock import patch

from odoo.tools import SQL

from odoo.addons.client_value.models import client_value_history_run
from odoo.addons.client_value.tools import touch_rule

SEED = 0.42
SPAN_DAYS = 180
NEGLECT_EVERY = 33
# Documents of the account besides contacts and opportunities: the
# bench_account column holding the account's document, its model, table.
DOCUMENTS = (
    ("order_id", "sale.order", "sale_order"),
    ("invoice_id", "account.move", "account_move"),
    ("task_id", "project.task", "project_task"),
)


def _ids(cr, query, params=()):
    cr.execute(query, params)
    return [row[0] for row in cr.fetchall()]


def _column_defaults(env, model):
    """Give the required columns of ``model`` that other apps add (e.g.
    Invoicing's ``autopost_bills`` on contacts) their ORM default as SQL
    default, for the INSERTs below; returns the columns to reset."""
    cr = env.cr
    table = env[model]._table
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL "
        "AND column_name != 'id'",
        [table],
    )
    columns = []
    for (column,) in cr.fetchall():
        field = env[model]._fields.get(column)
        if field and field.default and column not in ("name", "type"):
            cr.execute(
                SQL(
                    "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    field.default(env[model]),
                )
            )
            columns.append((table, column))
    return columns


def core(env, accounts):
    """Accounts, contacts, opportunities, activities and messages."""
    cr = env.cr
    defaulted = _column_defaults(env, "res.partner")
    group = env.ref("sales_team.group_sale_salesman")
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, tracking_disable=True)
        .create(
            [
                {
                    "name": f"Bench Salesperson {i:02d}",
                    "login": f"bench.sales.{i:02d}",
                    "groups_id": [(6, 0, group.ids)],
                }
                for i in range(20)
            ]
        )
    )
    teams = env["crm.team"].create(
        [{"name": f"Bench Team {t}", "user_id": users[t].id} for t in range(4)]
    )
    stages = _ids(cr, "SELECT id FROM crm_stage ORDER BY sequence, id")
    won = _ids(cr, "SELECT id FROM crm_stage WHERE is_won")[0]
    types = {
        xmlid: env.ref(f"mail.{xmlid}").id
        for xmlid in (
            "mail_activity_data_call",
            "mail_activity_data_meeting",
            "mail_activity_data_email",
            "mail_activity_data_todo",
        )
    }
    model_ids = dict(
        (model, env["ir.model"]._get_id(model)) for model in ("res.partner", "crm.lead")
    )
    comment = env.ref("mail.mt_comment").id
    note = env.ref("mail.mt_note").id
    cr.execute("SELECT setseed(%s)", [SEED])
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, is_company, active, type,
                                 lang, user_id, email, create_date,
                                 write_date, create_uid, write_uid)
        SELECT 'Bench Account ' || g, 'Bench Account ' || g, 'bench-' || g, true,
               true, 'contact', 'en_US', (%(users)s::int[])[1 + g %% 20],
               'account' || g || '@example.com',
               now() - interval '400 days', now(), 1, 1
          FROM generate_series(1, %(n)s) g;
        UPDATE res_partner SET commercial_partner_id = id
         WHERE ref LIKE 'bench-%%' AND commercial_partner_id IS NULL;
        INSERT INTO res_partner (name, complete_name, parent_id, commercial_partner_id,
                                 is_company, active, type, lang, user_id, email,
                                 create_date, write_date, create_uid, write_uid)
        SELECT 'Contact ' || c, p.name || ', Contact ' || c, p.id, p.id, false, true,
               'contact', 'en_US', p.user_id, 'c' || c || '.' || p.id || '@example.com',
               p.create_date, now(), 1, 1
          FROM res_partner p
          CROSS JOIN LATERAL generate_series(1, 1 + p.id %% 3) c
         WHERE p.ref LIKE 'bench-%%';
        ANALYZE res_partner;
        CREATE TABLE bench_account AS
        SELECT p.id AS account_id, p.user_id,
               row_number() OVER (ORDER BY p.id) AS rn,
               array_agg(c.id ORDER BY c.id) AS contacts
          FROM res_partner p
          JOIN res_partner c ON c.parent_id = p.id
         WHERE p.ref LIKE 'bench-%%'
      GROUP BY p.id, p.user_id;
        ALTER TABLE bench_account ADD PRIMARY KEY (account_id);
        ALTER TABLE bench_account ADD COLUMN neglected boolean;
        UPDATE bench_account SET neglected = (rn %% %(every)s = 0);

        INSERT INTO crm_lead (name, type, active, partner_id, user_id, team_id,
                              company_id, stage_id, probability, expected_revenue,
                              prorated_revenue, date_open, date_closed,
                              date_last_stage_update, create_date, write_date,
                              create_uid, write_uid, priority)
        SELECT 'Bench deal ' || a.rn || '-' || k, 'opportunity', true,
               a.contacts[1], a.user_id, (%(teams)s::int[])[1 + a.rn::int %% 4], 1,
               s.stage_id, s.probability, s.revenue,
               s.revenue * s.probability / 100.0, s.created,
               CASE WHEN s.stage_id = %(won)s THEN s.created END,
               s.created, s.created, now(), 1, 1, '0'
          FROM bench_account a
          CROSS JOIN generate_series(1, 2) k
          CROSS JOIN LATERAL (
              SELECT st AS stage_id,
                     CASE WHEN st = %(won)s THEN 100
                          ELSE round((random() * 90)::numeric)::float END
                         AS probability,
                     round((exp(random() * 8) * 100)::numeric) AS revenue,
                     now() - random() * interval '%(span)s days' AS created
                FROM (SELECT (%(stages)s::int[])[1 + floor(random() * %(nstages)s)::int]
                             + 0 * k AS st) x
          ) s;
        CREATE INDEX ON crm_lead (partner_id);
        ANALYZE crm_lead;
        ALTER TABLE bench_account ADD COLUMN first_lead integer;
        UPDATE bench_account b SET first_lead = l.lead_id
          FROM (SELECT partner_id, min(id) AS lead_id FROM crm_lead
                 GROUP BY partner_id) l
         WHERE l.partner_id = b.contacts[1];
        ANALYZE bench_account;
        """,
        {
            "users": users.ids,
            "teams": teams.ids,
            "n": accounts,
            "every": NEGLECT_EVERY,
            "won": won,
            "stages": stages,
            "nstages": len(stages),
            "span": SPAN_DAYS,
        },
    )
    documents = _documents(env)
    for table, column in defaulted:
        cr.execute(
            SQL(
                "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
                SQL.identifier(table),
                SQL.identifier(column),
            )
        )
    # Activities: 10 per account, on a contact or on a deal; 70 % done.
    cr.execute(
        """
        INSERT INTO mail_activity (res_model_id, res_model, res_id, activity_type_id,
                                   user_id, date_deadline, active, date_done,
                                   summary, automated, create_date, write_date,
                                   create_uid, write_uid)
        SELECT CASE WHEN x.on_lead THEN %(m_lead)s ELSE %(m_partner)s END,
               CASE WHEN x.on_lead THEN 'crm.lead' ELSE 'res.partner' END,
               CASE WHEN x.on_lead THEN a.first_lead
                    ELSE a.contacts[1 + (k %% array_length(a.contacts, 1))] END,
               (%(types)s::int[])[1 + floor(random() * 4)::int],
               a.user_id, x.at::date, NOT x.done,
               CASE WHEN x.done THEN x.at::date END,
               'Bench activity', false, x.at - interval '1 day', now(), 1, 1
          FROM bench_account a
          CROSS JOIN generate_series(1, 10) k
          CROSS JOIN LATERAL (
              SELECT random() < 0.3 + 0 * k AS on_lead,
                     random() < 0.7 AS done,
                     now() - random() * interval '%(span)s days' AS at
          ) x
        """,
        {
            "m_lead": model_ids["crm.lead"],
            "m_partner": model_ids["res.partner"],
            "types": list(types.values()),
            "span": SPAN_DAYS,
        },
    )
    # Messages: 5 per account; incoming emails, replies and internal notes.
    cr.execute(
        """
        INSERT INTO mail_message (model, res_id, message_type, subtype_id, is_internal,
                                  author_id, date, body, create_date, write_date,
                                  create_uid, write_uid)
        SELECT 'res.partner', a.contacts[1], x.mtype, x.subtype, x.internal,
               CASE WHEN x.kind = 0 THEN a.contacts[1] ELSE u.partner_id END,
               x.at, '<p>Bench message</p>', x.at, x.at, 1, 1
          FROM bench_account a
          JOIN res_users u ON u.id = a.user_id
          CROSS JOIN generate_series(1, 5) k
          CROSS JOIN LATERAL (
              SELECT v.kind,
                     CASE v.kind WHEN 0 THEN 'email' ELSE 'comment' END AS mtype,
                     CASE v.kind WHEN 2 THEN %(note)s ELSE %(comment)s END
                         AS subtype,
                     v.kind = 2 AS internal,
                     now() - random() * interval '%(span)s days' AS at
                FROM (SELECT (floor(random() * 5)::int %% 3) + 0 * k AS kind) v
          ) x
        """,
        {"note": note, "comment": comment, "span": SPAN_DAYS},
    )
    for column, model, _table in documents:
        _document_history(env, column, model, list(types.values()), comment, note)
    env.invalidate_all()
    return counts(cr)


def _documents(env):
    """One sale order, one posted customer invoice and one project task per
    account, for the apps that are installed; returns the DOCUMENTS made."""
    cr = env.cr
    made = []
    company = env.ref("base.main_company")
    if "sale.order" in env:
        cr.execute(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id,
                                    partner_shipping_id, company_id, currency_id,
                                    date_order, state, user_id, create_date,
                                    write_date, create_uid, write_uid)
            SELECT 'BENCH/SO/' || a.rn, a.contacts[1], a.contacts[1], a.contacts[1],
                   %(company)s, %(currency)s, x.at, 'sale', a.user_id, x.at, now(),
                   1, 1
              FROM bench_account a
             CROSS JOIN LATERAL (SELECT now() - random() * interval '%(span)s days'
                                        + a.rn * interval '0 seconds' AS at) x
            """,
            {
                "company": company.id,
                "currency": company.currency_id.id,
                "span": SPAN_DAYS,
            },
        )
        made.append(DOCUMENTS[0])
    if "account.move" in env:
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        ) or env["account.journal"].create(
            {"name": "Bench Sales", "type": "sale", "code": "BSAL"}
        )
        cr.execute(
            """
            INSERT INTO account_move (name, move_type, state, date, invoice_date,
                                      journal_id, company_id, currency_id,
                                      partner_id, commercial_partner_id,
                                      always_tax_exigible, auto_post,
                                      invoice_user_id, create_date, write_date,
                                      create_uid, write_uid)
            SELECT 'BENCH/INV/' || a.rn, 'out_invoice', 'posted', x.at::date,
                   x.at::date, %(journal)s, %(company)s, %(currency)s,
                   a.contacts[1], a.account_id, false, 'no', a.user_id, x.at, now(),
                   1, 1
              FROM bench_account a
             CROSS JOIN LATERAL (SELECT now() - random() * interval '%(span)s days'
                                        + a.rn * interval '0 seconds' AS at) x
            """,
            {
                "journal": journal.id,
                "company": company.id,
                "currency": company.currency_id.id,
                "span": SPAN_DAYS,
            },
        )
        made.append(DOCUMENTS[1])
    if "project.task" in env:
        project = env["project.project"].create({"name": "Bench Support"})
        cr.execute(
            """
            INSERT INTO project_task (name, project_id, company_id, partner_id,
                                      state, active, create_date, write_date,
                                      create_uid, write_uid)
            SELECT 'Bench task ' || a.rn, %(project)s, %(company)s, a.contacts[1],
                   '01_in_progress', true, now(), now(), 1, 1
              FROM bench_account a
            """,
            {"project": project.id, "company": company.id},
        )
        made.append(DOCUMENTS[2])
    for column, _model, table in made:
        cr.execute(
            SQL(
                """
                ALTER TABLE bench_account ADD COLUMN %(column)s integer;
                CREATE INDEX ON %(table)s (partner_id);
                ANALYZE %(table)s;
                UPDATE bench_account b SET %(column)s = d.doc_id
                  FROM (SELECT partner_id, min(id) AS doc_id FROM %(table)s
                         GROUP BY partner_id) d
                 WHERE d.partner_id = b.contacts[1];
                """,
                column=SQL.identifier(column),
                table=SQL.identifier(table),
            )
        )
    cr.execute("ANALYZE bench_account")
    return made


def _document_history(env, column, model, types, comment, note):
    """2 activities (70 % done) and 3 messages on the account's document of
    ``column``: emails from the client, replies and notes."""
    env.cr.execute(
        SQL(
            """
            INSERT INTO mail_activity (res_model_id, res_model, res_id,
                                       activity_type_id, user_id, date_deadline,
                                       active, date_done, summary, automated,
                                       create_date, write_date, create_uid,
                                       write_uid)
            SELECT %(model_id)s, %(model)s, a.%(column)s,
                   (%(types)s::int[])[1 + floor(random() * 4)::int],
                   a.user_id, x.at::date, NOT x.done,
                   CASE WHEN x.done THEN x.at::date END,
                   'Bench activity', false, x.at - interval '1 day', now(), 1, 1
              FROM bench_account a
             CROSS JOIN generate_series(1, 2) k
             CROSS JOIN LATERAL (
                  SELECT random() < 0.7 + 0 * k AS done,
                         now() - random() * interval '%(span)s days' AS at
             ) x;
            INSERT INTO mail_message (model, res_id, message_type, subtype_id,
                                      is_internal, author_id, date, body,
                                      create_date, write_date, create_uid,
                                      write_uid)
            SELECT %(model)s, a.%(column)s, x.mtype, x.subtype, x.internal,
                   CASE WHEN x.kind = 0 THEN a.contacts[1] ELSE u.partner_id END,
                   x.at, '<p>Bench message</p>', x.at, x.at, 1, 1
              FROM bench_account a
              JOIN res_users u ON u.id = a.user_id
             CROSS JOIN generate_series(0, 2) k
             CROSS JOIN LATERAL (
                  SELECT k AS kind,
                         CASE k WHEN 0 THEN 'email' ELSE 'comment' END AS mtype,
                         CASE k WHEN 2 THEN %(note)s ELSE %(comment)s END AS subtype,
                         k = 2 AS internal,
                         now() - random() * interval '%(span)s days' AS at
             ) x;
            """,
            model_id=env["ir.model"]._get_id(model),
            model=model,
            column=SQL.identifier(column),
            types=types,
            span=SQL(str(SPAN_DAYS)),
            comment=comment,
            note=note,
        )
    )


def client_value_layer(env):
    """After install: the module's view of the same history, then the
    controlled share of neglected accounts."""
    cr = env.cr
    service = env.ref("client_value.mail_activity_type_service_request").id
    admin = env.ref("client_value.mail_activity_type_admin_task").id
    call = env.ref("mail.mail_activity_data_call").id
    m_partner = env["ir.model"]._get_id("res.partner")
    documents = [doc for doc in DOCUMENTS if doc[1] in env]
    # The documents of the neglected accounts, and where the account's last
    # request (neglected) or recent call (the others) is placed: by turns on
    # the first contact and on each document.
    neglected_documents = SQL(" ").join(
        SQL(
            "UNION ALL SELECT %s, b.%s FROM bench_account b WHERE b.neglected",
            model,
            SQL.identifier(column),
        )
        for column, model, _table in documents
    )
    places = [
        SQL(
            "SELECT %s AS model_id, 'res.partner' AS model, b.contacts[1] AS res_id",
            m_partner,
        )
    ]
    places += [
        SQL(
            "SELECT %s, %s, b.%s",
            env["ir.model"]._get_id(model),
            model,
            SQL.identifier(column),
        )
        for column, model, _table in documents
    ]
    where_placed = SQL(
        "SELECT * FROM (%s) o OFFSET mod(b.rn / %s, %s) LIMIT 1",
        SQL(" UNION ALL ").join(places),
        NEGLECT_EVERY,
        len(places),
    )
    cr.execute("SELECT setseed(%s)", [SEED])
    # Raw events only, as users would have made them: the module's own
    # history reader classifies and answers them below.
    cr.execute(
        SQL(
            """
        ANALYZE mail_activity;
        ANALYZE mail_message;
        -- A quarter of the activities are service requests, a tenth admin.
        UPDATE mail_activity a
           SET activity_type_id = CASE WHEN r < 0.25 THEN %(service)s
                                       ELSE %(admin)s END
          FROM (SELECT id, random() AS r FROM mail_activity
                 WHERE summary = 'Bench activity') x
         WHERE x.id = a.id AND x.r < 0.35;
        -- The client asked when the request was logged; half of the open
        -- requests were answered by a reply some hours later.
        UPDATE mail_activity SET date_requested = create_date
         WHERE activity_type_id = %(service)s AND summary = 'Bench activity';
        -- Requests of every priority: a tenth urgent, three tenths high.
        UPDATE mail_activity a
           SET client_value_priority = CASE WHEN x.r < 0.1 THEN '2'
                                            WHEN x.r < 0.4 THEN '1' ELSE '0' END
          FROM (SELECT id, random() AS r FROM mail_activity
                 WHERE activity_type_id = %(service)s) x
         WHERE x.id = a.id;
        INSERT INTO mail_message (model, res_id, message_type, subtype_id, is_internal,
                                  author_id, date, body, create_date, write_date,
                                  create_uid, write_uid)
        SELECT a.res_model, a.res_id, 'comment', %(comment)s, false, u.partner_id,
               a.create_date + interval '5 hours', '<p>Bench reply</p>',
               a.create_date + interval '5 hours', now(), 1, 1
          FROM mail_activity a
          JOIN res_users u ON u.id = a.user_id
         WHERE a.activity_type_id = %(service)s AND a.active
           AND a.summary = 'Bench activity' AND random() < 0.5;

        -- Neglected accounts: nothing in the last 35 days...
        CREATE TEMP TABLE bench_neglected_record AS
        SELECT 'res.partner'::varchar AS model, p.id AS res_id
          FROM bench_account b
          JOIN res_partner p ON p.commercial_partner_id = b.account_id
         WHERE b.neglected
        UNION ALL
        SELECT 'crm.lead', l.id
          FROM bench_account b
          JOIN res_partner p ON p.commercial_partner_id = b.account_id
          JOIN crm_lead l ON l.partner_id = p.id
         WHERE b.neglected
        %(neglected_documents)s;
        ANALYZE bench_neglected_record;
        UPDATE mail_activity a
           SET date_done = a.date_done - 40,
               date_requested = a.date_requested - interval '40 days',
               create_date = a.create_date - interval '40 days'
          FROM bench_neglected_record r
         WHERE a.res_model = r.model AND a.res_id = r.res_id
           AND GREATEST(a.date_done + interval '1 day', a.create_date)
               > now() - interval '35 days';
        UPDATE mail_message m
           SET date = m.date - interval '40 days',
               create_date = m.create_date - interval '40 days'
          FROM bench_neglected_record r
         WHERE m.model = r.model AND m.res_id = r.res_id
           AND m.date > now() - interval '35 days';
        -- ...and a request nobody answered, 40 days ago.
        INSERT INTO mail_activity (res_model_id, res_model, res_id, activity_type_id,
                                   date_requested, user_id, date_deadline, active,
                                   summary, automated, create_date, write_date,
                                   create_uid, write_uid)
        SELECT w.model_id, w.model, w.res_id, %(service)s,
               now() - interval '40 days', b.user_id,
               (now() - interval '38 days')::date, true, 'Bench request', false,
               now() - interval '40 days', now(), 1, 1
          FROM bench_account b
          CROSS JOIN LATERAL (%(where_placed)s) w
         WHERE b.neglected;
        -- Every other account had a call in the last 10 days.
        INSERT INTO mail_activity (res_model_id, res_model, res_id, activity_type_id,
                                   date_done, user_id, date_deadline, active,
                                   summary, automated, create_date, write_date,
                                   create_uid, write_uid)
        SELECT w.model_id, w.model, w.res_id, %(call)s, x.at::date, b.user_id,
               x.at::date, false, 'Bench call', false, x.at, now(), 1, 1
          FROM bench_account b
          CROSS JOIN LATERAL (%(where_placed)s) w
          CROSS JOIN LATERAL (SELECT (now() at time zone 'UTC')
                                     - random() * interval '10 days'
                                     + b.rn * interval '0 seconds' AS at) x
         WHERE NOT b.neglected;
        -- What the module read of the history at install is read again.
        UPDATE mail_activity
           SET touch_kind = NULL, is_service_request = NULL, done_datetime = NULL,
               date_answered = NULL, answered_by_id = NULL, response_hours = NULL,
               answer_due = NULL, client_value_warn_at = NULL,
               client_value_escalate_at = NULL, client_value_warned = NULL,
               client_value_escalated = NULL
         WHERE touch_kind IS NOT NULL OR activity_type_id = %(service)s;
        UPDATE mail_message
           SET client_touch = NULL, client_touch_date = NULL, answer_due = NULL,
               date_answered = NULL, answered_by_id = NULL, answers_request = NULL,
               client_value_warn_at = NULL, client_value_escalate_at = NULL,
               client_value_warned = NULL, client_value_escalated = NULL,
               client_value_priority = NULL
         WHERE client_touch IS NOT NULL OR body = '<p>Bench reply</p>';
        """,
            service=service,
            admin=admin,
            call=call,
            comment=env.ref("mail.mt_comment").id,
            neglected_documents=neglected_documents,
            where_placed=where_placed,
        )
    )
    env.invalidate_all()
    # Read again by the module's own history run, a batch of accounts at a
    # time, as after install.
    runs = env["client_value.history.run"]
    with patch.object(client_value_history_run, "INLINE_ACCOUNTS", 0):
        runs._start("install", touch_rule.touch_models(env))
    cr.commit()
    runs._cron_read_history()
    cr.execute(
        "ANALYZE mail_activity; ANALYZE mail_message; ANALYZE res_partner; "
        "ANALYZE crm_lead;"
    )
    env.invalidate_all()
    # No request becomes late while the bench runs (its runs are minutes
    # apart): the cron's set and the lower bound's compare at any moment.
    cr.execute(
        """
        UPDATE mail_activity SET answer_due = now() + interval '6 hours'
         WHERE answer_due BETWEEN now() AND now() + interval '6 hours';
        UPDATE mail_message SET answer_due = now() + interval '6 hours'
         WHERE answer_due BETWEEN now() AND now() + interval '6 hours';
        """
    )
    # The last touch and the neglect moment the module keeps on every
    # account, for this history.
    env["client_value.care"]._refresh_last_touch()
    env["client_value.neglect.watch"]._refresh_moments()
    return counts(cr)


def requests_come_due(env, count):
    """``count`` waiting requests on accounts not flagged come due now (their
    due-soon signal given earlier), as between two runs of the frequent
    watch; for one of their accounts in ``NEGLECT_EVERY``, every touch has
    also left the look-back window, so that the run flags it. The accounts'
    neglect moments follow, as the module keeps them. Returns how many
    requests came due and how many accounts then have no recent touch."""
    cr = env.cr
    cr.execute(
        """
        CREATE TEMP TABLE bench_came_due AS
        SELECT * FROM (
            SELECT 'mail_activity' AS t, a.id, p.commercial_partner_id AS account_id
              FROM mail_activity a
              JOIN res_partner p ON p.id = a.res_id
              JOIN res_partner acc ON acc.id = p.commercial_partner_id
             WHERE a.res_model = 'res.partner' AND a.is_service_request IS TRUE
               AND a.date_answered IS NULL AND acc.client_neglected IS NOT TRUE
            UNION ALL
            SELECT 'mail_message', m.id, p.commercial_partner_id
              FROM mail_message m
              JOIN res_partner p ON p.id = m.res_id
              JOIN res_partner acc ON acc.id = p.commercial_partner_id
             WHERE m.model = 'res.partner' AND m.client_touch = 'incoming'
               AND m.date_answered IS NULL AND acc.client_neglected IS NOT TRUE
        ) w ORDER BY id LIMIT %(count)s;
        UPDATE mail_activity a
           SET answer_due = now() at time zone 'UTC' - interval '1 minute',
               client_value_warn_at = now() at time zone 'UTC' - interval '1 hour',
               client_value_warned = TRUE
          FROM bench_came_due c WHERE c.t = 'mail_activity' AND a.id = c.id;
        UPDATE mail_message m
           SET answer_due = now() at time zone 'UTC' - interval '1 minute',
               client_value_warn_at = now() at time zone 'UTC' - interval '1 hour',
               client_value_warned = TRUE
          FROM bench_came_due c WHERE c.t = 'mail_message' AND m.id = c.id;
        SELECT count(*), array_agg(DISTINCT account_id) FROM bench_came_due;
        """,
        {"count": count},
    )
    came_due, accounts = cr.fetchone()
    accounts = accounts or []
    quiet = [aid for aid in accounts if aid % NEGLECT_EVERY == 0]
    if quiet:
        records = env["client_value.care"]._account_records(quiet)
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE bench_quiet AS %(records)s;
                UPDATE mail_activity a
                   SET done_datetime = a.done_datetime - interval '40 days',
                       date_answered = a.date_answered - interval '40 days'
                  FROM bench_quiet r
                 WHERE a.res_model = r.model AND a.res_id = r.res_id
                   AND GREATEST(a.done_datetime, a.date_answered)
                       > now() at time zone 'UTC' - interval '35 days';
                UPDATE mail_message m
                   SET client_touch_date = m.client_touch_date - interval '40 days',
                       date_answered = m.date_answered - interval '40 days'
                  FROM bench_quiet r
                 WHERE m.model = r.model AND m.res_id = r.res_id
                   AND m.client_touch IS NOT NULL
                   AND GREATEST(m.client_touch_date, m.date_answered)
                       > now() at time zone 'UTC' - interval '35 days';
                """,
                records=records,
            )
        )
    env.invalidate_all()
    env["client_value.neglect.watch"]._refresh_moments(accounts)
    return came_due, len(quiet)


def waiting_count(env):
    """Requests waiting for an answer."""
    env.cr.execute(
        """
        SELECT (SELECT count(*) FROM mail_activity
                 WHERE is_service_request IS TRUE AND date_answered IS NULL)
             + (SELECT count(*) FROM mail_message
                 WHERE client_touch = 'incoming' AND date_answered IS NULL)
        """
    )
    return env.cr.fetchone()[0]


def counts(cr):
    result = {}
    tables = ["res_partner", "crm_lead", "mail_activity", "mail_message"]
    tables += [table for _c, _m, table in DOCUMENTS]
    for table in tables:
        cr.execute("SELECT to_regclass(%s)", [table])
        if not cr.fetchone()[0]:
            continue
        cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        result[table] = cr.fetchone()[0]
    return result
