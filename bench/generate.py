"""Synthetic CRM data for the benchmark, generated server-side in SQL.

Rows are produced by ``INSERT ... SELECT generate_series`` with a fixed
random seed, so a given size always yields the same data and millions of
rows load in seconds instead of hours of ORM ``create`` calls.

Shape (defaults for ``accounts=100_000``):
- accounts: companies, each with 1 to 3 contacts;
- opportunities: 2 per account, across all stages, sizes and salespeople;
- activities: 10 per account, every touch kind, done and open;
- messages: 5 per account, incoming emails, replies and internal notes;
- everything spread over the last 180 days.
A controlled share of accounts (``neglect_share``) only has an old,
unanswered service request and no other recent touch: they must be flagged.
"""

from odoo.tools import SQL

SEED = 0.42
SPAN_DAYS = 180


def _exec(cr, query):
    cr.execute(query)


def create_salespeople(env, count=20, teams=4):
    """Salespeople and teams through the ORM: few rows, real users."""
    Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)
    group = env.ref("sales_team.group_sale_salesman")
    users = Users.create(
        [
            {
                "name": f"Bench Salesperson {i:02d}",
                "login": f"bench.sales.{i:02d}",
                "email": f"bench.sales.{i:02d}@example.com",
                "groups_id": [(6, 0, [group.id, env.ref("base.group_user").id])],
            }
            for i in range(count)
        ]
    )
    team_records = env["crm.team"].create(
        [
            {
                "name": f"Bench Team {t}",
                "user_id": users[t].id,
                "member_ids": [(6, 0, users[t::teams].ids)],
            }
            for t in range(teams)
        ]
    )
    return users, team_records


def generate(env, accounts, neglect_share=0.03):
    """Generate the whole data set; returns a dict of row counts."""
    cr = env.cr
    users, teams = create_salespeople(env)
    cr.execute("SELECT setseed(%s)", [SEED])
    user_ids = users.ids
    team_ids = teams.ids
    stage_rows = env["crm.stage"].search_read([], ["id", "is_won"], order="sequence")
    stage_ids = [s["id"] for s in stage_rows]
    won_stage = next(s["id"] for s in stage_rows if s["is_won"])
    neglect_every = max(int(round(1 / neglect_share)), 1) if neglect_share else 0

    # accounts (companies) ------------------------------------------------
    _exec(
        cr,
        SQL(
            """
        INSERT INTO res_partner (name, complete_name, ref, is_company, active, type,
                                 lang, user_id, team_id, email, create_date,
                                 write_date, create_uid, write_uid)
        SELECT 'Bench Account ' || g, 'Bench Account ' || g, 'bench-' || g, true,
               true, 'contact', 'en_US',
               (%(users)s::int[])[1 + g %% %(nusers)s],
               (%(teams)s::int[])[1 + g %% %(nteams)s],
               'account' || g || '@example.com',
               now() - interval '400 days', now(), 1, 1
          FROM generate_series(1, %(n)s) g
        """,
            users=user_ids,
            nusers=len(user_ids),
            teams=team_ids,
            nteams=len(team_ids),
            n=accounts,
        ),
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id "
        "WHERE ref LIKE 'bench-%%' AND commercial_partner_id IS NULL"
    )
    # contacts: 1 to 3 per account -------------------------------------------
    _exec(
        cr,
        SQL(
            """
        INSERT INTO res_partner (name, complete_name, parent_id, commercial_partner_id,
                                 is_company, active, type, lang, user_id, email,
                                 create_date, write_date, create_uid, write_uid)
        SELECT 'Contact ' || c || ' of ' || p.name,
               p.name || ', Contact ' || c, p.id, p.id, false, true, 'contact',
               'en_US', p.user_id, 'contact' || c || '.' || p.id || '@example.com',
               p.create_date, now(), 1, 1
          FROM res_partner p
          CROSS JOIN LATERAL generate_series(1, 1 + (p.id * 7919) %% 3) c
         WHERE p.ref LIKE 'bench-%%'
        """
        ),
    )
    cr.execute(
        """
        CREATE TEMP TABLE bench_account AS
        SELECT p.id AS account_id, p.user_id,
               (SELECT min(c.id) FROM res_partner c WHERE c.parent_id = p.id)
                   AS contact_id,
               row_number() OVER (ORDER BY p.id) AS rn
          FROM res_partner p WHERE p.ref LIKE 'bench-%%'
        """
    )
    cr.execute("ALTER TABLE bench_account ADD PRIMARY KEY (account_id)")
    cr.execute(
        "ALTER TABLE bench_account ADD COLUMN neglected boolean NOT NULL DEFAULT false"
    )
    if neglect_every:
        cr.execute(
            "UPDATE bench_account SET neglected = (rn %% %s = 0)", [neglect_every]
        )

    # opportunities: 2 per account ------------------------------------------
    _exec(
        cr,
        SQL(
            """
        INSERT INTO crm_lead (name, type, active, partner_id, user_id, team_id,
                              company_id, stage_id, probability, expected_revenue,
                              prorated_revenue, date_open, date_closed,
                              date_last_stage_update, create_date, write_date,
                              create_uid, write_uid, priority)
        SELECT 'Bench deal ' || a.rn || '-' || k, 'opportunity', true, a.contact_id,
               a.user_id, (%(teams)s::int[])[1 + a.rn::int %% %(nteams)s], 1,
               s.stage_id, s.probability, s.revenue,
               s.revenue * s.probability / 100.0,
               s.created, CASE WHEN s.stage_id = %(won)s THEN s.created END,
               s.created, s.created, now(), 1, 1, '0'
          FROM bench_account a
          CROSS JOIN LATERAL generate_series(1, 2) k
          CROSS JOIN LATERAL (
              SELECT st.stage_id,
                     CASE WHEN st.stage_id = %(won)s THEN 100
                          ELSE round((random() * 90)::numeric, 0)::float END
                         AS probability,
                     round((exp(random() * 8) * 100)::numeric, 0) AS revenue,
                     now() - random() * interval '%(span)s days' AS created
                FROM (SELECT (%(stages)s::int[])[1 + floor(random() * %(nstages)s)::int]
                             AS stage_id, k AS k) st
          ) s
        """,
            teams=team_ids,
            nteams=len(team_ids),
            won=won_stage,
            stages=stage_ids,
            nstages=len(stage_ids),
            span=SQL(str(SPAN_DAYS)),
        ),
    )
    counts = {}
    for table in ("res_partner", "crm_lead"):
        cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        counts[table] = cr.fetchone()[0]
    return counts
