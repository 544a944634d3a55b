import logging
import random
from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import rating as rating_scale
from ..tools import response_target, settings
from ..tools.compat import users_groups_field

_logger = logging.getLogger(__name__)

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
# Earlier deals of an account, won or lost over the last year, next to its
# open Pilot and Rollout.
EARLIER_DEALS = ["Support plan", "Training", "Renewal", "Upgrade", "Audit"]
# Accounts whose only recent touch is an old, unanswered service request on
# a contact: the neglect watch flags them on its first run.
NEGLECTED = ("Tidewater Marine", "Lantern Theatre Company", "Foxglove Florists")
# Accounts flagged through a document of an app installed next to CRM: an
# email from the client on it that nobody answered, and no other touch in
# the window (days: how long ago the client wrote). With CRM alone these
# documents do not exist, and the accounts are looked after like the others.
NEGLECTED_THROUGH = {
    "sale.order": "Old Mill Brewery",
    "account.move": "Horizon Travel",
    "project.task": "Ember Kitchen Studio",
}
WAITING_EMAILS = {
    "sale.order": (12, "%s: still waiting for the revised quote"),
    "account.move": (9, "%s: we were charged twice"),
    "project.task": (16, "%s: when can we expect an update?"),
}
# The history covers the last year, so every monthly and weekly chart of
# the dashboard has a trend.
HISTORY_DAYS = 365
# Past neglect episodes (a request waited, the account was flagged, then
# answered and cleared), spread over the year.
EPISODES = 36
SERVICE = "client_value.mail_activity_type_service_request"
ADMIN = "client_value.mail_activity_type_admin_task"
CALL = "mail.mail_activity_data_call"
MEETING = "mail.mail_activity_data_meeting"
REVIEW = "client_value.mail_activity_type_impact_review"
DEMO_MARKER = "client_value.demo_loaded"
# The reason the watch gives when an answer clears an account (in English,
# like the rest of the demo's text).
CLEARED_REASON = "No request is waiting any more: the client was answered."
# Models of the documents the demo creates when their app is installed.
DOCUMENTS = ("sale.order", "account.move", "project.task")
PRODUCTS = [
    ("Onboarding package", 1200.0),
    ("Support plan (12 months)", 2400.0),
    ("Training day", 650.0),
]
TASKS = {
    "Client Onboarding": ["Data import", "Team training", "Go-live support"],
    "Support & Maintenance": ["Quarterly check-up", "Access review"],
}
# Where each kind of touch happens: (model, what is said or done).
DONE_TOUCHES = {
    CALL: [
        ("res.partner", "Check-in call"),
        ("crm.lead", "Call about the next steps"),
        ("sale.order", "%s: call about the delivery"),
        ("project.task", "%s: progress call"),
    ],
    MEETING: [
        ("res.partner", "Quarterly review meeting"),
        ("crm.lead", "Meeting with the decision makers"),
        ("project.task", "%s: workshop on site"),
    ],
    ADMIN: [
        ("res.partner", "Update the billing address"),
        ("account.move", "%s: send a copy to accounts payable"),
        ("account.move", "%s: payment reminder"),
    ],
}
REQUESTS = [
    ("res.partner", "Please send the updated contract"),
    ("res.partner", "Access for a new colleague"),
    ("crm.lead", "A reference client to call"),
    ("project.task", "%s: one more user to set up"),
    ("project.task", "%s: export of last month's data"),
]
# How urgent the client said each request was (normal when not listed).
REQUEST_PRIORITIES = {
    "Access for a new colleague": "2",
    "%s: export of last month's data": "1",
}
EMAILS = [
    ("res.partner", "Question about our invoice"),
    ("crm.lead", "Can we start earlier?"),
    ("sale.order", "%s: can we add two more licences?"),
    ("sale.order", "%s: delivery date"),
    ("account.move", "%s: wrong VAT number"),
    ("account.move", "%s: payment terms"),
    ("project.task", "%s: training date"),
]


class _Demo:
    """Demo data for ``make demo``: a believable sales team and its clients.

    Deterministic (fixed seed and names) and relative to today, so the demo
    never goes stale. Loaded by the post-install hook in databases with demo
    data, once. Orders, invoices and tasks are created only when Sales,
    Invoicing and Project are installed; with CRM alone the accounts' touches
    are on contacts and opportunities.

    Every touch is made through the ORM with the clock set to its moment, so
    the module's own code classifies and answers it; the history spreads
    over the last year.
    """

    def __init__(self, env):
        self.env = env
        self.now = fields.Datetime.now()
        # (model, id) -> when the record came to be: no touch before that.
        self.since = {}
        # Past neglect episodes, logged once their requests exist.
        self.episodes = []

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
                mail_auto_subscribe_no_notify=True,
                # No "activity assigned to you" email per planned activity
                mail_activity_quick_update=True,
            ),
        )
        rng = random.Random(42)
        last_mail = self.env["mail.mail"].search([], order="id desc", limit=1).id
        users = self._demo_salespeople()
        accounts = self._demo_accounts(rng, users)
        self._demo_opportunities(rng, accounts)
        self._demo_documents(rng, accounts)
        healthy = [
            account
            for account in accounts
            if account.name not in NEGLECTED and not self._waiting_model(account)
        ]
        episodes = self._demo_episode_slots(rng, healthy)
        # Odoo depends on freezegun; the clock moves to each touch's moment.
        with freeze_time(self.now) as self.clock:
            for account in accounts:
                records = self._account_records(account)
                if account.name in NEGLECTED:
                    self._demo_neglected_history(rng, account, records)
                elif self._waiting_model(account):
                    self._demo_neglected_through(rng, account, records)
                else:
                    self._demo_care_history(
                        rng, account, records, episodes.get(account.id, [])
                    )
        self._demo_neglect_events()
        self._demo_mails_sent(last_mail or 0)
        self.env.invalidate_all()
        params.set_param(DEMO_MARKER, "1")
        self.env["client_value.care"]._refresh_last_touch()
        self.env["client_value.neglect.watch"]._cron_flag_neglected_accounts()
        return True

    # -- time ---------------------------------------------------------------

    def _moment(self, rng, days):
        """A moment in working hours ``days`` days ago (at least one);
        weekends move to the Friday before."""
        day = (self.now - timedelta(days=max(days, 1))).date()
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        return datetime.combine(
            day, time(rng.randint(8, 15), rng.choice((0, 15, 30, 45)))
        )

    def _days_ago(self, moment):
        return (self.now - moment).days

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
                        users_groups_field(self.env): [(6, 0, [group.id])],
                    }
                ]
            )
        )
        # Nina works in French where the demo database has it (make demo
        # loads French and Spanish).
        if self.env["res.lang"]._lang_get("fr_FR"):
            users.filtered(
                lambda user: user.login == "nina.okafor@example.com"
            ).lang = "fr_FR"
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
        contacts = Partner.create(contacts)
        for partner in companies | contacts:
            self.since[("res.partner", partner.id)] = self.now - timedelta(
                days=HISTORY_DAYS + 30
            )
        return companies

    # -- deals --------------------------------------------------------------

    def _deal_values(self, rng, account, name, need_index, stage, big=False):
        revenue = rng.choice([800, 1500, 3000, 6000, 12000, 30000, 60000, 120000])
        level = str(rng.choice([0, 1, 2, 2, 3, 3, 4]))
        if revenue <= 3000 and big:
            level = str(rng.choice([3, 4]))  # small deal, big impact
        need, outcome = NEEDS[need_index % len(NEEDS)]
        areas = self.env["client_value.impact.area"].search([])
        contact = account.child_ids[:1] or account
        return {
            "name": "%s: %s" % (account.name, name),
            "type": "opportunity",
            "partner_id": contact.id,
            "user_id": account.user_id.id,
            "expected_revenue": revenue,
            "stage_id": stage.id,
            "impact_level": level,
            "client_need": need if level != "0" else False,
            "expected_outcome": outcome if level != "0" else False,
            "client_fit": rng.choice(["good", "good", "uncertain"]),
            "impact_area_ids": [(6, 0, rng.sample(areas.ids, 2))] if areas else [],
        }

    def _demo_opportunities(self, rng, accounts):
        """Two current deals per account (a third of them won, a few lost),
        and one or two earlier deals per account, mostly won, over the year."""
        stages = self.env["crm.stage"].search([], order="sequence")
        open_stages = stages.filtered(lambda s: not s.is_won)
        values = []
        for index, account in enumerate(accounts):
            for k in range(2):
                values.append(
                    self._deal_values(
                        rng,
                        account,
                        ["Pilot", "Rollout"][k],
                        index + k,
                        rng.choice(open_stages),
                        big=k == 0,
                    )
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
        earlier_values = []
        for index, account in enumerate(accounts):
            for k, name in enumerate(rng.sample(EARLIER_DEALS, rng.choice([1, 2, 2]))):
                earlier_values.append(
                    self._deal_values(
                        rng, account, name, index + k + 3, open_stages[0], big=True
                    )
                )
        earlier = self.env["crm.lead"].create(earlier_values)
        # A third of the current deals are won, a few lost; the rest stay open.
        # Five earlier deals in six were won, the others lost.
        won = leads.browse([lead.id for i, lead in enumerate(leads) if i % 3 == 0])
        won -= poor
        lost = leads.browse([lead.id for i, lead in enumerate(leads) if i % 7 == 1])
        lost -= won | poor
        lost |= earlier.browse(
            [lead.id for i, lead in enumerate(earlier) if i % 6 == 5]
        )
        won |= earlier - lost
        won.action_set_won()
        lost.action_set_lost()
        self.env.flush_all()
        for lead in leads - won - lost:
            self._date_lead(lead, self._moment(rng, rng.randint(10, 150)))
        for lead in lost:
            days = rng.randint(60, HISTORY_DAYS)
            self._date_lead(
                lead,
                self._moment(rng, days),
                self._moment(rng, days - rng.randint(15, 50)),
            )
        self._demo_wins(rng, won)
        self.env.invalidate_all()
        return leads | earlier

    def _date_lead(self, lead, created, closed=None):
        """Created at ``created``, closed at ``closed``. An open deal moved
        to its stage in the last days: Odoo 19 shows deals that sit in a
        stage too long as rotting, and the demo's open deals are moving."""
        self.since[("crm.lead", lead.id)] = created
        moved = closed or max(created, self.now - timedelta(days=2))
        self.env.cr.execute(
            SQL(
                "UPDATE crm_lead SET create_date = %(created)s,"
                " date_open = %(created)s,"
                " date_last_stage_update = %(moved)s,"
                " date_closed = COALESCE(%(closed)s, date_closed),"
                " day_open = 0,"
                " day_close = CASE WHEN %(closed)s IS NULL THEN day_close"
                "   ELSE EXTRACT(EPOCH FROM %(closed)s - %(created)s) / 86400 END"
                " WHERE id = %(id)s",
                created=created,
                closed=closed,
                moved=moved,
                id=lead.id,
            )
        )

    def _demo_wins(self, rng, won):
        """Wins spread over the last twelve months, several a month; their
        outcome recorded when the review came due (most of them), and the
        client's rating a few days later (most of those)."""
        review_type = self.env.ref(REVIEW)
        review_days = settings.get(self.env, "impact_review_days")
        order = list(won)
        rng.shuffle(order)
        for position, lead in enumerate(order):
            days = 2 + position * (HISTORY_DAYS - 8) // len(order) + rng.randint(0, 3)
            closed = self._moment(rng, days)
            self._date_lead(lead, closed - timedelta(days=rng.randint(20, 90)), closed)
            review = (closed + timedelta(days=review_days)).date()
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET impact_review_date = %(review)s"
                    " WHERE id = %(id)s;"
                    "UPDATE mail_activity SET date_deadline = %(review)s,"
                    " create_date = %(closed)s"
                    " WHERE res_model = 'crm.lead' AND res_id = %(id)s"
                    " AND activity_type_id = %(type)s",
                    review=review,
                    closed=closed,
                    id=lead.id,
                    type=review_type.id,
                )
            )
            outcome_days = self._days_ago(closed) - review_days + rng.randint(-3, 6)
            if outcome_days < 1 or position % 7 == 3:
                continue  # not due yet, or the salesperson is late with it
            state = rng.choice(["improved"] * 5 + ["unchanged"] * 2 + ["worsened"])
            lead._client_value_record_outcome(state, NEEDS[position % len(NEEDS)][1])
            recorded = self._moment(rng, outcome_days)
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET outcome_date = %(day)s WHERE id = %(id)s;"
                    "UPDATE mail_activity SET date_done = %(day)s"
                    " WHERE res_model = 'crm.lead' AND res_id = %(id)s"
                    " AND activity_type_id = %(type)s;"
                    "UPDATE mail_message SET date = %(at)s"
                    " WHERE model = 'crm.lead' AND res_id = %(id)s"
                    " AND mail_activity_type_id = %(type)s",
                    day=recorded.date(),
                    at=recorded,
                    id=lead.id,
                    type=review_type.id,
                )
            )
            if position % 4 == 1:
                continue  # the client did not rate
            score = {
                "improved": rng.choice([4, 5, 5]),
                "unchanged": 3,
                "worsened": rng.choice([1, 2]),
            }[state]
            lead._rating_get_access_token()
            rating = lead.rating_ids[:1]
            lead.rating_apply(
                score,
                token=rating_scale.link_token(self.env, rating),
                feedback="Thank you for following up.",
            )
            rated = min(
                recorded + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5)),
                self.now - timedelta(hours=1),
            )
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "UPDATE rating_rating SET create_date = %(at)s, write_date = %(at)s"
                    " WHERE id = %(id)s;"
                    "UPDATE mail_message SET date = %(at)s WHERE id = %(message)s",
                    at=rated,
                    id=rating.id,
                    message=rating.message_id.id or 0,
                )
            )

    # -- orders, invoices, tasks -----------------------------------------------

    def _demo_documents(self, rng, accounts):
        """Each account's documents in the apps installed next to CRM:
        {account id: {model: records}}, oldest first."""
        documents = {account.id: {} for account in accounts}
        orders = self._demo_orders(rng, accounts, documents)
        self._demo_invoices(rng, accounts, orders, documents)
        self._demo_tasks(rng, accounts, documents)
        return documents

    def _add_document(self, documents, account, record, created):
        documents[account.id].setdefault(record._name, []).append(record)
        self.since[(record._name, record.id)] = created
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET create_date = %s WHERE id = %s",
                SQL.identifier(record._table),
                created,
                record.id,
            )
        )

    def _demo_products(self):
        Product = self.env["product.product"]
        values = [
            {"name": name, "type": "service", "list_price": price}
            for name, price in PRODUCTS
        ]
        if "invoice_policy" in Product._fields:
            for vals in values:
                vals["invoice_policy"] = "order"
        return Product.create(values)

    def _demo_orders(self, rng, accounts, documents):
        """An order confirmed months ago and a recent quotation per account."""
        if "sale.order" not in self.env:
            return {}
        self.products = self._demo_products()
        orders = {}
        confirmed = self.env["sale.order"]
        for account in accounts:
            contacts = account.child_ids or account
            for days, confirm in (
                (rng.randint(150, 330), True),
                (rng.randint(20, 100), False),
            ):
                order = self.env["sale.order"].create(
                    {
                        "partner_id": rng.choice(contacts).id,
                        "user_id": account.user_id.id,
                        "order_line": [
                            (
                                0,
                                0,
                                {
                                    "product_id": rng.choice(self.products).id,
                                    "product_uom_qty": rng.choice([1, 2, 3, 5]),
                                },
                            )
                        ],
                    }
                )
                created = self._moment(rng, days)
                if confirm:
                    confirmed |= order
                    orders[account.id] = (order, created)
                self._add_document(documents, account, order, created)
        confirmed.action_confirm()
        self.env.flush_all()
        for account in accounts:
            for order in documents[account.id]["sale.order"]:
                created = self.since[("sale.order", order.id)]
                self.env.cr.execute(
                    SQL(
                        "UPDATE sale_order SET date_order = %s WHERE id = %s",
                        created + timedelta(hours=2),
                        order.id,
                    )
                )
        return orders

    def _demo_invoices(self, rng, accounts, orders, documents):
        """The invoice of each confirmed order (or, with Invoicing alone, one
        invoice per account), posted a week after the order; a few left in
        draft. Posted only when the chart of accounts allows it."""
        if "account.move" not in self.env:
            return
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.env.company.id)],
            limit=1,
        )
        if not journal:
            return
        dated = []
        for index, account in enumerate(accounts):
            if account.id in orders:
                order, ordered = orders[account.id]
                invoice = order._create_invoices()
                invoice_day = ordered + timedelta(days=7)
            else:
                invoice_day = self._moment(rng, rng.randint(120, 300))
                invoice = self.env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": (account.child_ids[:1] or account).id,
                        "invoice_user_id": account.user_id.id,
                        "journal_id": journal.id,
                        "invoice_line_ids": [
                            (0, 0, {"name": name, "quantity": 1, "price_unit": price})
                            for name, price in PRODUCTS[:2]
                        ],
                    }
                )
            invoice.write({"invoice_date": invoice_day.date()})
            dated.append((invoice_day, index, invoice, account))
        dated.sort(key=lambda item: item[:2])
        to_post = self.env["account.move"].browse(
            [invoice.id for _day, index, invoice, _a in dated if index % 8 != 5]
        )
        if self.env.company.chart_template and journal.default_account_id:
            try:
                with self.env.cr.savepoint():
                    for invoice in to_post:
                        invoice.action_post()
            except UserError as exc:
                _logger.warning("Demo invoices left in draft: %s", exc)
        for invoice_day, _index, invoice, account in dated:
            self._add_document(documents, account, invoice, invoice_day)

    def _demo_tasks(self, rng, accounts, documents):
        """Two projects: every account's onboarding, and the support of half
        of them."""
        if "project.task" not in self.env:
            return
        Stage = self.env["project.task.type"]
        stages = Stage.create(
            [
                {"name": "To Do", "sequence": 1},
                {"name": "In Progress", "sequence": 2},
                {"name": "Done", "sequence": 3, "fold": True},
            ]
        )
        projects = self.env["project.project"].create(
            [{"name": name, "type_ids": [(6, 0, stages.ids)]} for name in TASKS]
        )
        for index, account in enumerate(accounts):
            contacts = account.child_ids or account
            plans = [(projects[0], rng.choice(TASKS["Client Onboarding"]), 140, 320)]
            if index % 2 == 0 or account.name == NEGLECTED_THROUGH["project.task"]:
                plans.append(
                    (projects[1], rng.choice(TASKS["Support & Maintenance"]), 40, 120)
                )
            for project, name, low, high in plans:
                created = self._moment(rng, rng.randint(low, high))
                done = self._days_ago(created) > 200
                task = self.env["project.task"].create(
                    {
                        "name": name,
                        "project_id": project.id,
                        "partner_id": rng.choice(contacts).id,
                        "stage_id": stages[2 if done else 1].id,
                        "state": "1_done" if done else "01_in_progress",
                    }
                )
                self._add_document(documents, account, task, created)

    # -- touches ------------------------------------------------------------

    def _waiting_model(self, account):
        """The model of the document through which ``account`` is neglected,
        when its app is installed."""
        for model, name in NEGLECTED_THROUGH.items():
            if account.name == name and model in self.env:
                return model
        return None

    def _account_records(self, account):
        """{model: records} that can carry the touches of ``account``, as the
        module lists them (``client_value.care._account_records``); on
        contacts, the people rather than the company itself when it has
        some."""
        rows = self.env.execute_query(
            self.env["client_value.care"]._account_records([account.id])
        )
        ids = {}
        for _account_id, model, res_id in rows:
            ids.setdefault(model, []).append(res_id)
        records = {
            model: list(self.env[model].browse(sorted(found)))
            for model, found in ids.items()
        }
        records["res.partner"] = list(account.child_ids or account)
        return records

    def _pick(self, rng, records, choices, when):
        """A (record, summary) among ``choices`` ((model, summary) pairs)
        whose record existed at ``when``."""
        candidates = [
            (record, summary)
            for model, summary in choices
            for record in records.get(model, [])
            if self.since[(model, record.id)] <= when
        ]
        if not candidates:  # every list starts with a contact, which always exists
            return records["res.partner"][0], choices[0][1]
        record, summary = rng.choice(candidates)
        if "%s" in summary:
            summary = summary % record.display_name
        return record, summary

    def _history(self, rng, records, first_day, done, requests, emails, quiet=()):
        """Touch plans over the year, from ``first_day`` days ago back:
        ``done`` done activities, ``requests`` service requests and
        ``emails`` emails from the client, each answered. Plans whose span
        (from the touch to its answer) meets a ``quiet`` period are left out.
        Returns (moment, plan) pairs."""
        plans = []
        days = range(first_day, HISTORY_DAYS)
        for day in rng.sample(days, done):
            kind = rng.choice([CALL, CALL, MEETING, ADMIN])
            when = self._moment(rng, day)
            record, summary = self._pick(rng, records, DONE_TOUCHES[kind], when)
            plans.append((when, when, ("done", record, kind, summary)))
        for day in rng.sample(days, requests):
            when = self._moment(rng, day)
            hours = rng.choice([2, 5, 9, 26, 50, 70])
            record, summary = self._pick(rng, records, REQUESTS, when)
            by_done = record._name == "project.task" and rng.random() < 0.5
            plans.append(
                (
                    when,
                    when + timedelta(hours=hours),
                    ("request", record, summary, hours, by_done),
                )
            )
        for day in rng.sample(days, emails):
            when = self._moment(rng, day)
            hours = rng.choice([1, 4, 20, 30])
            record, subject = self._pick(rng, records, EMAILS, when)
            plans.append(
                (when, when + timedelta(hours=hours), ("email", record, subject, hours))
            )
        return [
            (when, plan)
            for when, end, plan in plans
            if not any(start <= end and when <= stop for start, stop in quiet)
        ]

    def _run(self, rng, account, records, plans):
        """Make the planned touches, oldest first: a reply answers every
        request waiting on its record, so each request is answered before
        the next one on the same record is made."""
        user = account.user_id
        for when, plan in sorted(plans, key=lambda item: item[0]):
            kind, *args = plan
            if kind == "episode":
                self._demo_episode(rng, account, records, *args)
            elif kind == "done":
                record, xmlid, summary = args
                self._demo_done(record, xmlid, user, when, summary)
            elif kind == "request":
                record, summary, hours, by_done = args
                self._demo_request(
                    record, user, when, hours, summary=summary, by_done=by_done
                )
            else:
                record, subject, hours = args
                self._demo_client_email(record, user, when, hours, subject)

    def _demo_care_history(self, rng, account, records, episodes):
        """A year of touches of every kind, on every kind of document, with a
        touch in the last three weeks; the account's past neglect episodes;
        sometimes a request made two days ago, still open."""
        # The rule looks back over the window before a flag: during an
        # episode nothing else happens, from a window before the flag until
        # the answer.
        quiet = [
            (episode["flagged"] - timedelta(days=31), episode["cleared"])
            for episode in episodes
        ]
        plans = self._history(
            rng,
            records,
            21,
            rng.randint(8, 11),
            rng.randint(4, 6),
            rng.randint(2, 4),
            quiet,
        )
        when = self._moment(rng, rng.randint(3, 20))
        record, summary = self._pick(rng, records, DONE_TOUCHES[CALL], when)
        plans.append((when, ("done", record, CALL, summary)))
        plans += [(episode["asked"], ("episode", episode)) for episode in episodes]
        self._run(rng, account, records, plans)
        if rng.random() < 0.3:
            # Asked a few days ago, still open: within the window, other
            # touches keep the account from being flagged.
            self._demo_request(
                records["res.partner"][0],
                account.user_id,
                self.now - timedelta(days=2),
                None,
            )

    def _demo_neglected_history(self, rng, account, records):
        """A year of touches ending with an old call, then a request nobody
        answered."""
        contact = records["res.partner"][0]
        self._run(rng, account, records, self._history(rng, records, 90, 4, 2, 1))
        self._demo_done(
            contact, CALL, account.user_id, self._moment(rng, 75), "Check-in call"
        )
        self._demo_request(
            contact,
            account.user_id,
            self.now - timedelta(days=rng.randint(33, 45)),
            None,
            summary="Invoice address must change",
        )

    def _demo_neglected_through(self, rng, account, records):
        """A year of touches, none in the last five weeks, then an email from
        the client on one of its documents that nobody answered."""
        model = self._waiting_model(account)
        self._run(rng, account, records, self._history(rng, records, 40, 6, 3, 2))
        days, subject = WAITING_EMAILS[model]
        record = records[model][-1]
        self._demo_client_email(
            record,
            account.user_id,
            self._moment(rng, days),
            None,
            subject % record.display_name,
        )

    # -- past neglect -------------------------------------------------------

    def _demo_episode_slots(self, rng, healthy):
        """{account id: [episode]}: past neglect episodes spread over the
        year, one or two per account, months apart. Each has when the
        client asked, when the watch flagged the account (the morning after
        the request became late) and when the answer cleared it."""
        order = list(healthy)
        rng.shuffle(order)
        slots = {}
        for index in range(EPISODES if order else 0):
            account = order[index % len(order)]
            cleared_days = 35 + index * (HISTORY_DAYS - 45) // EPISODES
            cleared = self._moment(rng, cleared_days + rng.randint(0, 4))
            asked = self._moment(rng, self._days_ago(cleared) + rng.randint(7, 12))
            due = response_target.plan(
                self.env, response_target.Request(self.env.company, asked)
            ).due
            flagged = datetime.combine(due.date() + timedelta(days=1), time(6, 0))
            slots.setdefault(account.id, []).append(
                {
                    "account": account,
                    "asked": asked,
                    "flagged": flagged,
                    "cleared": max(cleared, flagged + timedelta(days=2)),
                }
            )
        return slots

    def _demo_episode(self, rng, account, records, episode):
        """The request of a past episode, answered when it was cleared."""
        hours = (episode["cleared"] - episode["asked"]).total_seconds() / 3600
        if rng.random() < 0.5:
            record, summary = self._pick(rng, records, REQUESTS, episode["asked"])
            activity = self._demo_request(
                record, account.user_id, episode["asked"], hours, summary=summary
            )
            episode["request"] = {"request_activity_id": activity.id}
        else:
            record, subject = self._pick(rng, records, EMAILS, episode["asked"])
            message = self._demo_client_email(
                record, account.user_id, episode["asked"], hours, subject
            )
            episode["request"] = {"request_message_id": message.id}
        key = (record._name, record.id)
        episode["company"] = response_target.document_facts(self.env, [key])[key][0]
        self.episodes.append(episode)

    def _demo_neglect_events(self):
        """Log the past episodes as the watch logs its flags and clearances.

        Written directly, for the demo only: the watch logs an event when it
        runs, at the time it runs, and cannot replay a year; the trend chart
        needs that year."""
        watch = self.env["client_value.neglect.watch"]
        window = settings.get(self.env, "neglect_window_days")
        answered = CLEARED_REASON
        values = []
        for episode in self.episodes:
            account = episode["account"]
            company = episode["company"] or self.env.company
            values.append(
                {
                    "partner_id": account.id,
                    "kind": "flagged",
                    "date": episode["flagged"],
                    "reason": watch._reason(
                        {"requested_on": episode["asked"], "waiting_count": 1},
                        window,
                        episode["flagged"],
                    ),
                    "waiting_since": episode["asked"],
                    "user_id": account.user_id.id,
                    "company_id": company.id,
                    **episode["request"],
                }
            )
            values.append(
                {
                    "partner_id": account.id,
                    "kind": "cleared",
                    "date": episode["cleared"],
                    "reason": answered,
                    "user_id": account.user_id.id,
                    "company_id": company.id,
                }
            )
        # sudo: neglect events are a log; the demo writes the past ones (above)
        self.env["client_value.neglect.event"].sudo().create(values)

    def _demo_mails_sent(self, last_mail_id):
        """The demo's messages are history: the emails they queued (replies
        to clients, notifications of followers) count as sent long ago, so
        the demo server has none of them to send."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_notification SET notification_status = 'sent'"
                " WHERE mail_mail_id IN (SELECT id FROM mail_mail"
                " WHERE id > %(id)s AND state = 'outgoing');"
                "DELETE FROM mail_mail WHERE id > %(id)s AND state = 'outgoing'",
                id=last_mail_id,
            )
        )

    # -- making one touch ---------------------------------------------------
    #
    # Each touch is made through the ORM with the clock set to its moment
    # (``self.clock``): the module's own code classifies it, answers the
    # requests it answers and plans when the waiting ones become late, as it
    # would have then. Only the creation dates, which the database's own
    # clock stamps, are set back in SQL.

    def _at(self, moment):
        self.clock.move_to(moment)

    def _created_at(self, records, moment):
        records.flush_recordset()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET create_date = %s, write_date = %s WHERE id IN %s",
                SQL.identifier(records._table),
                moment,
                moment,
                tuple(records.ids),
            )
        )

    def _demo_done(self, record, xmlid, user, when, summary=None):
        self._at(when - timedelta(days=1))
        activity = record.activity_schedule(
            xmlid, user_id=user.id, date_deadline=when.date(), summary=summary
        )
        self._created_at(activity, when - timedelta(days=1))
        self._at(when)
        activity.action_done()
        self.env.flush_all()
        return activity

    def _demo_request(
        self, record, user, when, answer_hours, summary=None, by_done=False
    ):
        """A service request made at ``when``, answered ``answer_hours``
        later by a reply on the same record, or by marking it done; never
        answered when ``answer_hours`` is None."""
        self._at(when)
        summary = summary or "Please send the updated contract"
        priority = next(
            (
                level
                for pattern, level in REQUEST_PRIORITIES.items()
                if summary == pattern or summary.endswith(pattern.replace("%s", ""))
            ),
            False,
        )
        activity = record.activity_schedule(
            SERVICE,
            user_id=user.id,
            date_deadline=(when + timedelta(days=2)).date(),
            summary=summary,
            client_value_priority=priority,
        )
        self._created_at(activity, when)
        if answer_hours is not None:
            self._at(when + timedelta(hours=answer_hours))
            if by_done:
                activity.action_done()
            else:
                self._demo_post(
                    record, user, self.env._("Here you are: done on our side.")
                )
        self.env.flush_all()
        return activity

    def _customer(self, record):
        """The client contact who writes about ``record``."""
        if record._name == "res.partner":
            return record.child_ids[:1] or record if record.is_company else record
        return record.partner_id

    def _demo_client_email(self, record, user, when, reply_hours, subject=None):
        """An email from the client at ``when`` on ``record``, answered
        ``reply_hours`` later by the salesperson; left waiting when
        ``reply_hours`` is None."""
        self._at(when)
        incoming = record.message_post(
            body=self.env._("Hello, could you check our last invoice?")
            if record._name == "account.move" or not subject
            else "Hello, could you have a look at this for us?",
            subject=subject or self.env._("Question about our invoice"),
            message_type="email",
            author_id=self._customer(record).id,
            subtype_xmlid="mail.mt_comment",
        )
        if reply_hours is not None:
            self._at(when + timedelta(hours=reply_hours))
            self._demo_post(record, user, self.env._("Checked: it is corrected."))
        self.env.flush_all()
        return incoming

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
