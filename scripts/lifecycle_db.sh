#!/usr/bin/env bash
# Throwaway databases of tests/test_lifecycle.py, named <something>_lifecycle:
#   lifecycle_db.sh create NAME   copy of the base template (client_value's
#                                 dependencies installed, client_value not)
#   lifecycle_db.sh drop NAME     drop it with its filestore
source "$(dirname "$0")/lib.sh"
action="${1:-}"; db="${2:-}"
case "$db" in
    *_lifecycle) ;;
    *) die "usage: lifecycle_db.sh create|drop <name>_lifecycle" ;;
esac
setup_all
case "$action" in
    create) new_db_from_base "$db" demo ;;
    drop) drop_db "$db" ;;
    *) die "usage: lifecycle_db.sh create|drop <name>_lifecycle" ;;
esac
