#!/usr/bin/env bash
# `make pot`: export client_value/i18n/client_value.pot from the module
# installed in the test database (created, or upgraded when it exists).
# Volatile header lines are dropped so that the file only changes with its
# terms; tests/test_i18n.py checks that the committed file is up to date.
source "$(dirname "$0")/lib.sh"
# One template for both series, exported from 18.0; on 19.0 the tests check
# that it holds every term 19.0 exports (tests/test_i18n.py).
[ "$ODOO_SERIES" = 18.0 ] || die "the translation template is exported from Odoo 18.0: run make pot without ODOO_SERIES."
setup_all
TEST_DB="${TEST_DB:-client_value_test$DB_SUFFIX}"
if module_installed "$TEST_DB" client_value; then
    say "upgrading client_value in $TEST_DB (after removing fields, run make test first: it starts from a fresh database)"
    odoo_bin -d "$TEST_DB" -u client_value --stop-after-init --log-level=warn --max-cron-threads=0
else
    create_db_with_addon "$TEST_DB" demo
fi
POT="$ROOT/client_value/i18n/client_value.pot"
mkdir -p "$(dirname "$POT")"
tmp="$(mktemp --suffix=.pot)"
trap 'rm -f "$tmp"' EXIT
odoo_bin -d "$TEST_DB" --i18n-export="$tmp" --modules=client_value \
    --log-level=warn --max-cron-threads=0 --no-http
# Same normalisation as tests/test_i18n.py.
grep -v -E '^"(POT-Creation-Date|PO-Revision-Date): ' "$tmp" > "$POT"
say "wrote ${POT#"$ROOT"/}"
