#!/usr/bin/env bash
# `make test`: set up, lint, then run the pytest-odoo suite against a freshly
# created database where client_value was just installed.
source "$(dirname "$0")/lib.sh"
setup_all
require_chromium
[ "${SKIP_LINT:-}" = 1 ] || bash "$ROOT/scripts/lint.sh"

# Two databases: CRM with the apps whose documents carry touches (Sales,
# Invoicing, Project, OCA Helpdesk), for the whole suite; and CRM alone, for
# tests/crm_alone (the module depends on none of those apps).
TEST_DB="${TEST_DB:-client_value_test$DB_SUFFIX}"
TEST_DB_CRM="${TEST_DB}_crm"

prepare_db() {
    local db="$1" apps="$2"
    if [ "${REUSE_DB:-}" = 1 ] && module_installed "$db" client_value; then
        # Developer shortcut (make retest): upgrade the existing test database.
        say "upgrading client_value in existing $db"
        odoo_bin -d "$db" -u client_value --stop-after-init --log-level=warn --max-cron-threads=0
    else
        create_db_with_addon "$db" demo "$apps"
    fi
}

run_pytest() {
    local db="$1"; shift
    say "running pytest-odoo on $db"
    (cd "$ROOT" && python -m pytest -rs -p no:cacheprovider \
        --odoo-config="$ODOO_CONF" --odoo-database="$db" --odoo-http \
        --odoo-log-level="${ODOO_TEST_LOG_LEVEL:-warn}" "$@")
}

status=0
if [ -n "${PYTEST_ARGS:-}" ]; then
    # e.g. make retest PYTEST_ARGS="tests/test_touches.py -k cost"
    prepare_db "$TEST_DB" "$TEST_APPS"
    # shellcheck disable=SC2086
    run_pytest "$TEST_DB" $PYTEST_ARGS || status=$?
    exit "$status"
fi
prepare_db "$TEST_DB" "$TEST_APPS"
run_pytest "$TEST_DB" tests --ignore=tests/crm_alone || status=$?
prepare_db "$TEST_DB_CRM" ""
run_pytest "$TEST_DB_CRM" tests/crm_alone || status=$?
exit "$status"
