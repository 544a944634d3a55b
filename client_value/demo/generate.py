import random
from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

ACCOUNTS = [
    ("Harbour Bakery", "Portland", 1),
    ("Northwind Logistics", "Chicago", 3),
    ("Greenleaf Dental", "Austin", 2),
    ("Bluepeak Outdoor", "Denver", 2),
    ("Cedar & Stone Architects", "Seattle", 3),
    ("Riverside Veterinary", "Sacramento", 1),
    ("Atlas Freight", "Houston", 2),
    ("Maple Street Books", "Boston", 1),
    ("Summit Physiotherapy", "Boulder", 2),
    ("Ironwood Manufacturing", "Detroit", 3),
    ("Lighthouse Legal", "Miami", 2),
    ("Orchard Family Farms", "Fresno", 1),
    ("Copperline Electric", "Phoenix", 2),
    ("Silverbirch School", "Madison", 3),
    ("Tidewater Marine", "Norfolk", 1),
    ("Pinecrest Hotels", "Asheville", 3),
    ("Quarry Coffee Roasters", "Portland", 1),
    ("Meridian Health Clinic", "Minneapolis", 2),
    ("Foxglove Florists", "Savannah", 1),
    ("Keystone Insurance", "Philadelphia", 3),
    ("Sunburst Solar", "Tucson", 2),
    ("Redwood Accounting", "San Jose", 2),
    ("Lantern Theatre Company", "Providence", 1),
    ("Granite Peak Gyms", "Salt Lake City", 2),
    ("Willow Care Homes", "Columbus", 3),
    ("Brightwater Labs", "San Diego", 2),
    ("Old Mill Brewery", "Milwaukee", 1),
    ("Horizon Travel", "Orlando", 2),
    ("Beacon Nonprofit Network", "Baltimore", 3),
    ("Ember Kitchen Studio", "Nashville", 1),
]
FIRST_NAMES = [
    "Ava", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla",
    "Jack", "Kara", "Liam", "Maya", "Noah", "Olive", "Paul", "Quinn", "Rosa",
]  # fmt: skip
LAST_NAMES = [
    "Baker", "Carter", "Diaz", "Evans", "Foster", "Garcia", "Hughes", "Ito",
    "Jensen", "Khan", "Lopez", "Moreau", "Nakamura", "Okafor", "Price",
]  # fmt: skip
NEEDS = [
    ("Month-end close takes the owner two full weekends.", "Close in two days."),
    ("Orders get lost between email and the warehouse.", "No lost order."),
    ("Patients wait 20 minutes at reception.", "Check-in under 5 minutes."),
    ("Compliance reports are rebuilt by hand each quarter.", "One-click report."),
    ("Staff schedules live on paper.", "Shifts published a week ahead."),
    ("Quotes take three days to send.", "Quotes the same day."),
]
# Accounts whose only recent touch is an old, unanswered service request:
# the neglect watch flags them on its first run.
NEGLECTED = ("Tidewater Marine", "Lantern Theatre Company", "Foxglove Florists")
SERVICE = "client_value.mail_activity_type_service_request"
ADMIN = "client_value.mail_activity_type_admin_task"
CALL = "mail.mail_activity_data_call"
MEETING = "mail.mail_activity_data_meeting"
DEMO_MARKER = "client_value.demo_loaded"


class _Demo:
    """Demo data for ``make demo``: a believable sales team and its clients.

    Deterministic (fixed seed and names) and relative to today, so the demo
    never goes stale. Loaded by the post-install hook in databases with demo
    data, once.
    """

    def __init__(self, env):
        self.env = env

    def _load_demo(self):
        # sudo: settings are system parameters, readable by administrators only
        params = self.env["ir.config_parameter"].sudo()
        # Once per database: the marker, or the accounts themselves when the
        # module was uninstalled and installed again (they outlive it).
        if params.get_param(DEMO_MARKER) or self.env["res.partner"].search_count(
            [("name", "=", ACCOUNTS[0][0]), ("is_company", "=", True)], limit=1
        ):
            return False
        # sudo: demo data is loaded by the installer, for every user
        self.env = self.env(
            su=True,
            context=dict(
                self.env.context,
                tracking_disable=True,
                mail_notrack=True,
                mail_create_nolog=True,
            ),
        )
        rng = random.Random(42)
        now = fields.Datetime.now()
        users = self._demo_salespeople()
        accounts = self._demo_accounts(rng, users)
        leads = self._demo_opportunities(rng, accounts, now)
        for account in accounts:
            if account.name in NEGLECTED:
                self._demo_neglected_history(rng, account, now)
            else:
                self._demo_care_history(rng, account, leads, now)
        self.env.invalidate_all()
        params.set_param(DEMO_MARKER, "1")
        self.env["client_value.touch"]._refresh_last_touch()
        self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        return True

    # -- people -------------------------------------------------------------

    def _demo_salespeople(self):
        users = self.env.ref("base.user_demo") | self.env.ref("base.user_admin")
        group = self.env.ref("sales_team.group_sale_salesman")
        users |= (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "name": "Nina Okafor",
                        "login": "nina.okafor@example.com",
                        "email": "nina.okafor@example.com",
                        "groups_id": [(6, 0, [group.id])],
                    }
                ]
            )
        )
        team = self.env.ref(
            "sales_team.team_sales_department", raise_if_not_found=False
        )
        if team:
            team.member_ids |= users
        return users

    def _demo_accounts(self, rng, users):
        Partner = self.env["res.partner"]
        companies = Partner.create(
            [
                {
                    "name": name,
                    "is_company": True,
                    "city": city,
                    "country_id": self.env.ref("base.us").id,
                    "email": "hello@%s.example.com" % name.split()[0].lower(),
                    "user_id": users[index % len(users)].id,
                }
                for index, (name, city, _contacts) in enumerate(ACCOUNTS)
            ]
        )
        contacts = []
        for company, (_name, _city, count) in zip(companies, ACCOUNTS, strict=True):
            for _i in range(count):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                contacts.append(
                    {
                        "name": f"{first} {last}",
                        "parent_id": company.id,
                        "email": f"{first.lower()}.{last.lower()}@example.com",
                    }
                )
        Partner.create(contacts)
        return companies

    # -- deals --------------------------------------------------------------

    def _demo_opportunities(self, rng, accounts, now):
        stages = self.env["crm.stage"].search([], order="sequence")
        open_stages = stages.filtered(lambda s: not s.is_won)
        areas = self.env["client_value.impact.area"].search([])
        values = []
        for index, account in enumerate(accounts):
            contact = account.child_ids[:1] or account
            for k in range(2):
                # Deal sizes from 800 to 120,000; the smallest often matter most.
                revenue = rng.choice(
                    [800, 1500, 3000, 6000, 12000, 30000, 60000, 120000]
                )
                level = str(rng.choice([0, 1, 2, 2, 3, 3, 4]))
                if revenue <= 3000 and k == 0:
                    level = str(rng.choice([3, 4]))  # small deal, big impact
                need, outcome = NEEDS[(index + k) % len(NEEDS)]
                values.append(
                    {
                        "name": "%s: %s" % (account.name, ["Pilot", "Rollout"][k]),
                        "type": "opportunity",
                        "partner_id": contact.id,
                        "user_id": account.user_id.id,
                        "expected_revenue": revenue,
                        "stage_id": rng.choice(open_stages).id,
                        "impact_level": level,
                        "client_need": need if level != "0" else False,
                        "expected_outcome": outcome if level != "0" else False,
                        "client_fit": rng.choice(["good", "good", "uncertain"]),
                        "impact_area_ids": [(6, 0, rng.sample(areas.ids, 2))]
                        if areas
                        else [],
                    }
                )
        leads = self.env["crm.lead"].create(values)
        poor = leads[5]
        poor.write(
            {
                "client_fit": "poor",
                "client_fit_reason": "They need an on-site team in every store; "
                "we only deliver remotely.",
            }
        )
        # A third of the deals are won, a few lost; the rest stay open.
        won = leads.browse([lead.id for i, lead in enumerate(leads) if i % 3 == 0])
        won -= poor
        lost = leads.browse([lead.id for i, lead in enumerate(leads) if i % 7 == 1])
        lost -= won | poor
        won.action_set_won()
        lost.action_set_lost()
        for position, lead in enumerate(won):
            closed = now - timedelta(days=5 + (position * 7) % 80)
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET date_closed = %s, date_open = %s "
                    "WHERE id = %s",
                    closed,
                    closed - timedelta(days=30),
                    lead.id,
                )
            )
            if position % 3 == 2:
                continue  # outcome still pending
            state = ["improved", "improved", "unchanged", "worsened"][position % 4]
            lead._record_outcome(state, NEEDS[position % len(NEEDS)][1])
            if position % 2 == 0:
                score = {"improved": 5, "unchanged": 3, "worsened": 2}[state]
                lead._rating_get_access_token()
                lead.rating_apply(
                    score,
                    token=lead._client_value_rating_link_token(lead.rating_ids[:1]),
                    feedback="Thank you for following up.",
                )
        self.env.invalidate_all()
        return leads

    # -- touches ------------------------------------------------------------

    def _demo_care_history(self, rng, account, leads, now):
        """Touches of every kind over the last 90 days."""
        contacts = account.child_ids or account
        user = account.user_id
        account_leads = leads.filtered(lambda lead: lead.partner_id in contacts)
        for days in sorted(rng.sample(range(1, 90), 3), reverse=True):
            record = rng.choice([contacts[0], account_leads[:1] or contacts[0]])
            kind = rng.choice([CALL, CALL, MEETING, ADMIN])
            self._demo_done(record, kind, user, now - timedelta(days=days))
        request_day = rng.randint(3, 60)
        self._demo_request(
            rng.choice(contacts),
            user,
            now - timedelta(days=request_day),
            answer_hours=rng.choice([2, 5, 9, 26, 50]),
        )
        if rng.random() < 0.5:
            self._demo_client_email(
                rng.choice(contacts),
                user,
                now - timedelta(days=rng.randint(2, 40)),
                reply_hours=rng.choice([1, 4, 20]),
            )
        if rng.random() < 0.3:
            # Asked a few days ago, still open: within the window, other
            # touches keep the account from being flagged.
            self._demo_request(contacts[0], user, now - timedelta(days=2))

    def _demo_neglected_history(self, rng, account, now):
        """An old call, then a request nobody answered."""
        contact = account.child_ids[:1] or account
        self._demo_done(contact, CALL, account.user_id, now - timedelta(days=75))
        self._demo_request(
            contact,
            account.user_id,
            now - timedelta(days=rng.randint(33, 45)),
            summary="Invoice address must change",
        )

    def _demo_done(self, record, xmlid, user, when):
        activity = record.activity_schedule(
            xmlid, user_id=user.id, date_deadline=when.date()
        )
        activity.action_done()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_activity SET done_datetime = %s, date_done = %s, "
                "create_date = %s WHERE id = %s",
                when,
                when.date(),
                when - timedelta(days=1),
                activity.id,
            )
        )

    def _demo_request(self, record, user, when, answer_hours=None, summary=None):
        activity = record.activity_schedule(
            SERVICE,
            user_id=user.id,
            date_deadline=(when + timedelta(days=2)).date(),
            summary=summary or "Please send the updated contract",
        )
        activity.write({"date_requested": when})
        self.env.cr.execute(
            SQL(
                "UPDATE mail_activity SET create_date = %s WHERE id = %s",
                when,
                activity.id,
            )
        )
        if answer_hours is None:
            return activity
        answered = when + timedelta(hours=answer_hours)
        reply = self._demo_post(
            record, user, self.env._("Here you are: done on our side.")
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET date = %(at)s, client_touch_date = %(at)s"
                " WHERE id = %(msg)s;"
                "UPDATE mail_activity SET date_answered = %(at)s,"
                " response_hours = %(hours)s WHERE id = %(act)s",
                at=answered,
                msg=reply.id,
                hours=float(answer_hours),
                act=activity.id,
            )
        )
        return activity

    def _demo_client_email(self, record, user, when, reply_hours):
        author = record if not record.is_company else record.child_ids[:1] or record
        incoming = record.message_post(
            body=self.env._("Hello, could you check our last invoice?"),
            subject=self.env._("Question about our invoice"),
            message_type="email",
            author_id=author.id,
            subtype_xmlid="mail.mt_comment",
        )
        reply = self._demo_post(record, user, self.env._("Checked: it is corrected."))
        answered = when + timedelta(hours=reply_hours)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET date = %(when)s, client_touch_date = %(when)s"
                " WHERE id = %(incoming)s;"
                "UPDATE mail_message SET date = %(at)s, client_touch_date = %(at)s"
                " WHERE id = %(reply)s;"
                "UPDATE mail_message SET date_answered = %(at)s"
                " WHERE id = %(incoming)s AND date_answered IS NOT NULL",
                when=when,
                incoming=incoming.id,
                at=answered,
                reply=reply.id,
            )
        )

    def _demo_post(self, record, user, body):
        return record.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=user.partner_id.id,
        )


def load(env):
    """Generate the demo history of ``env``'s database (once)."""
    return _Demo(env)._load_demo()
