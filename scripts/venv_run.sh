#!/usr/bin/env bash
# Runs a project tool (ruff, pylint) from the project's virtualenv, so that
# the pre-commit hooks use the pinned versions without activating anything.
source "$(dirname "$0")/lib.sh"
find_odoo
setup_venv
exec "$@"
