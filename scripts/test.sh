#!/usr/bin/env bash
# `make test`: set up, lint, then run the pytest-odoo suite against a freshly
# created database where client_value was just installed.
source "$(dirname "$0")/lib.sh"
setup_all
require_chromium
[ "${SKIP_LINT:-}" = 1 ] || bash "$ROOT/scripts/lint.sh"

TEST_DB="${TEST_DB:-client_value_test}"
if [ "${REUSE_DB:-}" = 1 ] && module_installed "$TEST_DB" client_value; then
    # Developer shortcut (make retest): upgrade the existing test database.
    say "upgrading client_value in existing $TEST_DB"
    odoo_bin -d "$TEST_DB" -u client_value --stop-after-init --log-level=warn --max-cron-threads=0
else
    create_db_with_addon "$TEST_DB" demo
fi

say "running pytest-odoo on $TEST_DB"
cd "$ROOT"
set +e
python -m pytest -rs -p no:cacheprovider \
    --odoo-config="$ODOO_CONF" --odoo-database="$TEST_DB" --odoo-http \
    --odoo-log-level="${ODOO_TEST_LOG_LEVEL:-warn}" \
    ${PYTEST_ARGS:-tests}
status=$?
set -e
exit "$status"
