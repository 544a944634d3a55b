"""How PostgreSQL plans the rule's queries: what a query sets before it runs,
for the rest of its transaction only."""

from odoo.tools import SQL

# Queries over many accounts (the daily run, the care summary of a long
# list): PostgreSQL prices them high enough to JIT-compile them, and compiling
# takes longer than running them; their sorts and hashes of every account
# outgrow PostgreSQL's default 4 MB of working memory and spill to disk (the
# daily run's decision at 100,000 accounts: 4.4 s with the default, 3.7 s
# with 32 MB, the same with 64 MB).
MANY_ROWS = SQL("SET LOCAL jit = off; SET LOCAL work_mem = '32MB';")
# A query of a few accounts (the frequent run, an account just touched) reads
# a few rows through the indexes: starting PostgreSQL's parallel workers takes
# longer than that (about 30 ms a query on the bench's data). For at most
# this many accounts, they are off too, and a page read through an index is
# priced as one read from memory, where those rows are (PostgreSQL's default
# prices it as a read from a spinning disk, four times a sequential one, and
# then scans whole tables of orders, invoices and tasks to find an account's
# few: 16 ms instead of 2 on the bench's 20,000 accounts, growing with them).
# A batch of the history run reads its accounts' records the same way.
FEW_ACCOUNTS = 500
FEW_ROWS = SQL(
    "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; "
    "SET LOCAL random_page_cost = 1.1;"
)


def settings_for(account_ids=None):
    """What a query over ``account_ids`` sets first: for many accounts, JIT
    off and more working memory (``MANY_ROWS``); for a list of few accounts,
    JIT, parallel workers and the disk's price of an index read off
    (``FEW_ROWS``). None (every account) and an SQL query of ids count as
    many."""
    if isinstance(account_ids, list | tuple) and len(account_ids) <= FEW_ACCOUNTS:
        return FEW_ROWS
    return MANY_ROWS
