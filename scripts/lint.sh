#!/usr/bin/env bash
# Linters run by `make test`: ruff and pylint-odoo's mandatory checks.
source "$(dirname "$0")/lib.sh"
[ -n "${VIRTUAL_ENV:-}" ] || { find_odoo; setup_venv; }
cd "$ROOT"
say "ruff"
ruff check .
ruff format --check .
say "pylint-odoo (mandatory checks)"
pylint --rcfile=.pylintrc client_value
