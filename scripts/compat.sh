#!/usr/bin/env bash
# `make compat`: run Odoo's own test suites on two fresh databases without
# demo data, one with the modules below and one with the same plus
# client_value, and fail listing each test that fails only with client_value.
#
# Both databases are copies of one template database that click-odoo-initdb
# builds once and caches, keyed by the content of the modules. client_value
# is installed on its side at every run. The baseline results (without
# client_value) do not depend on the addon: they are cached under
# $CACHE/compat, keyed by the modules' and Odoo core's content, the suites and
# the virtualenv; COMPAT_REFRESH_BASELINE=1 recomputes them.
source "$(dirname "$0")/lib.sh"
setup_all

MODULES="crm,rating,test_mail,test_mail_full"
SUITES=(
    crm/tests
    test_mail/tests/test_mail_activity.py
    test_mail/tests/test_performance.py
    test_mail/tests/test_message_post.py
    test_mail/tests/test_mail_gateway.py
    test_mail/tests/test_mail_thread_internals.py
    mail/tests/test_mail_activity.py
    rating/tests
    test_mail_full/tests
)
BASE_DB=client_value_compat_base$DB_SUFFIX
ADDON_DB=client_value_compat_addon$DB_SUFFIX
WORK="$CACHE/compat/$ODOO_SERIES"
mkdir -p "$WORK/run"

now() { date +%s.%N; }
since() { python -c "import sys; print('%.0f s' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now)"; }
TIMES=()
t_total="$(now)"

# Fresh database $1 from the cached template (built first if missing); the
# two most recently used templates are kept.
compat_db() { initdb_from_cache "$1" "$MODULES" nodemo cvcompat 2; }

# Odoo's suites on database $1; outcomes into $2 (JSON), output into $3.
run_suites() {
    local db="$1" results="$2" log="$3" paths=() suite
    for suite in "${SUITES[@]}"; do paths+=("$ODOO_SRC/addons/$suite"); done
    rm -f "$results"
    # From a folder outside Odoo's addons (addons/calendar would shadow
    # Python's calendar); test ids relative to the addons folder.
    (cd "$WORK/run" && PYTHONPATH="$ROOT/scripts" python -m pytest -q -rfE \
        -p no:cacheprovider -p compat_results --compat-results="$results" \
        --rootdir="$ODOO_SRC/addons" \
        --odoo-config="$ODOO_CONF" --odoo-database="$db" --odoo-log-level=warn \
        "${paths[@]}") >"$log" 2>&1 || true
    say "  pytest: $(tail -1 "$log" | sed 's/=//g; s/^ *//; s/ *$//')  (output: $log)"
}

t="$(now)"
MODULES_HASH="$(modules_hash "$MODULES" nodemo)"
BASELINE_KEY="$(python "$ROOT/scripts/compat_results.py" key --modules-hash "$MODULES_HASH" \
    --odoo-src "$ODOO_SRC" --venv "$VENV" "${SUITES[@]}")"
compat_db "$ADDON_DB"
TIMES+=("template (built or reused) + $ADDON_DB|$(since "$t")")

BASELINE="$WORK/baseline-$BASELINE_KEY.json"
NOTE=""
if [ "${COMPAT_REFRESH_BASELINE:-}" != 1 ] && [ -f "$BASELINE" ]; then
    say "without client_value: baseline reused from cache ($BASELINE)"
    NOTE=" (baseline reused from cache)"
    TIMES+=("suites without client_value|cached")
else
    t="$(now)"
    compat_db "$BASE_DB"
    say "without client_value: running Odoo's suites on $BASE_DB — a few minutes"
    run_suites "$BASE_DB" "$WORK/baseline.tmp.json" "$WORK/baseline.log"
    # Only a complete run is cached; an unusable one fails the comparison.
    if python - "$WORK/baseline.tmp.json" <<'PY'; then
import json
import sys

try:
    data = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(1)
sys.exit(not (data["exitstatus"] in (0, 1) and data["collected"]))
PY
        mv "$WORK/baseline.tmp.json" "$BASELINE"
        NOTE=" (baseline computed now, cached for the next runs)"
    else
        BASELINE="$WORK/baseline.tmp.json"
    fi
    TIMES+=("$BASE_DB + suites without client_value|$(since "$t")")
fi

t="$(now)"
say "with client_value: installing client_value in $ADDON_DB"
odoo_bin -d "$ADDON_DB" -i client_value --stop-after-init --log-level=warn --max-cron-threads=0
module_installed "$ADDON_DB" client_value || die "client_value failed to install in $ADDON_DB"
TIMES+=("install client_value|$(since "$t")")

t="$(now)"
say "with client_value: running Odoo's suites on $ADDON_DB — a few minutes"
run_suites "$ADDON_DB" "$WORK/addon.json" "$WORK/addon.log"
TIMES+=("suites with client_value|$(since "$t")")

echo
set +e
python "$ROOT/scripts/compat_results.py" compare "$BASELINE" "$WORK/addon.json" \
    --baseline-note "$NOTE"
status=$?
set -e
TIMES+=("total|$(since "$t_total")")
echo
echo "wall time:"
for row in "${TIMES[@]}"; do printf '  %-56s %6s\n' "${row%%|*}" "${row#*|}"; done
case "$status" in
    0) say "make compat passed" ;;
    1) say "make compat failed: the tests listed above fail only with client_value" ;;
    *) say "make compat failed: a run is unusable (see above and its output)" ;;
esac
exit "$status"
