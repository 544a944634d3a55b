#!/usr/bin/env bash
# `make bench`: benchmark the neglect watch, the care summary and the impact
# pipeline on synthetic data. ACCOUNTS=N sets the size (default 100000);
# SCALING=0 skips the 2N run; BENCH_KEEP_DB=1 keeps the databases afterwards.
source "$(dirname "$0")/lib.sh"
setup_all
ACCOUNTS="${ACCOUNTS:-100000}"
SIZES=("$ACCOUNTS")
[ "${SCALING:-1}" = 0 ] || SIZES+=("$((ACCOUNTS * 2))")
for n in "${SIZES[@]}"; do
    db="client_value_bench_$n$DB_SUFFIX"
    say "bench database $db: base modules with Sales, Invoicing and Project, no demo data"
    new_db_from_base "$db" nodemo "$DEMO_APPS"
done
cd "$ROOT"
status=0
python bench/bench.py --conf "$ODOO_CONF" --odoo-bin "$ODOO_SRC/odoo-bin" "${SIZES[@]}" || status=$?
# A default-size database takes gigabytes: drop them unless asked to keep them.
if [ "${BENCH_KEEP_DB:-0}" != 1 ]; then
    for n in "${SIZES[@]}"; do
        drop_db "client_value_bench_$n$DB_SUFFIX"
    done
    say "bench databases dropped (BENCH_KEEP_DB=1 keeps them)"
fi
exit "$status"
