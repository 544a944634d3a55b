#!/usr/bin/env bash
# `make demo`: set up, create (or reuse) client_value_demo, serve Odoo.
source "$(dirname "$0")/lib.sh"
setup_all
DEMO_DB="${DEMO_DB:-client_value_demo$DB_SUFFIX}"
if [ "${1:-}" = "--reset" ]; then
    say "dropping $DEMO_DB"
    drop_db "$DEMO_DB"
fi
if module_installed "$DEMO_DB" client_value; then
    say "reusing database $DEMO_DB (make demo-reset recreates it)"
    UPDATE=(-u client_value)
else
    # French and Spanish, as the module's translations: one salesperson
    # works in French.
    LOAD_LANGUAGES=fr_FR,es_ES create_db_with_addon "$DEMO_DB" demo "$DEMO_APPS"
    UPDATE=()
fi
if [ "${DEMO_NO_SERVE:-}" = 1 ]; then
    exit 0
fi
say "Odoo is starting on http://localhost:${HTTP_PORT:-8069}  — login: admin / password: admin  (Ctrl-C stops it)"
exec python "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" "${UPDATE[@]}"
