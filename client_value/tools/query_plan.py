"""How PostgreSQL plans the rule's queries: what a query sets before it runs,
for the rest of its transaction only."""

from odoo.tools import SQL

# Queries over many accounts that PostgreSQL prices high enough to
# JIT-compile: compiling takes longer than running them.
NO_JIT = SQL("SET LOCAL jit = off;")
# A query of a few accounts (the frequent run, an account just touched) reads
# a few rows through the indexes: starting PostgreSQL's parallel workers takes
# longer than that (about 30 ms a query on the bench's data). For at most
# this many accounts, they are off too, and a page read through an index is
# priced as one read from memory, where those rows are (PostgreSQL's default
# prices it as a read from a spinning disk, four times a sequential one, and
# then scans whole tables of orders, invoices and tasks to find an account's
# few: 16 ms instead of 2 on the bench's 20,000 accounts, growing with them).
FEW_ACCOUNTS = 500
FEW_ROWS = SQL(
    "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; "
    "SET LOCAL random_page_cost = 1.1;"
)


def settings_for(account_ids=None):
    """What a query over ``account_ids`` sets first: JIT off (``NO_JIT``);
    parallel workers off too for a list of few accounts (``FEW_ROWS``).
    None (every account) and an SQL query of ids count as many."""
    if isinstance(account_ids, list | tuple) and len(account_ids) <= FEW_ACCOUNTS:
        return FEW_ROWS
    return NO_JIT
