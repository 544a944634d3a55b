# shellcheck shell=bash
# Shared setup for `make demo`, `make test` and `make bench`.
#
# One checkout serves Odoo 18.0 (the default) and 19.0: ODOO_SERIES=19.0, or
# an ODOO_SRC whose odoo/release.py says 19.0, selects the series. Everything
# that is missing is prepared once per series and cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/client_value:
#   odoo-<series>/     Odoo Community source (unless $ODOO_SRC is set)
#   venv-<hash>/       virtualenv keyed by the series and its requirement files
#   pg/                private PostgreSQL cluster, only when no server answers
#                      (as root, $PG_PRIVATE_DIR or /var/tmp/client_value-pg when
#                      the postgres user cannot reach this folder)
#   data/              Odoo data_dir (filestores)
#   odoo-<hash>-<series>.conf  generated server configuration, one per
#                      checkout and series
#   compat/<series>/   `make compat`: cached baseline results, logs
# Databases of 19.0 carry the suffix _19 (client_value_test_19, ...), so
# both series' databases live side by side.
# and, in PostgreSQL, template databases built by click-odoo-initdb:
#   cvbase-*           client_value's dependencies (make test, demo, bench)
#   cvcompat-*         the modules of Odoo's suites run by `make compat`
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/client_value"
SUPPORTED_SERIES="18.0 19.0"
mkdir -p "$CACHE"

say() { printf '\033[1m[client_value]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[client_value] error:\033[0m %s\n' "$*" >&2; exit 1; }

# The series of the Odoo source tree $1 ("18.0", "19.0"), from odoo/release.py.
odoo_series() {
    sed -n 's/^version_info = (\([0-9]*\), \([0-9]*\).*/\1.\2/p' "$1/odoo/release.py" 2>/dev/null | tr -d '\r'
}
is_odoo_series() { [ -f "$1/odoo-bin" ] && [ "$(odoo_series "$1")" = "$ODOO_SERIES" ]; }

# The series: ODOO_SERIES, else the one of ODOO_SRC, else 18.0.
if [ -z "${ODOO_SERIES:-}" ] && [ -n "${ODOO_SRC:-}" ]; then
    ODOO_SERIES="$(odoo_series "$ODOO_SRC")"
fi
ODOO_SERIES="${ODOO_SERIES:-18.0}"
case " $SUPPORTED_SERIES " in
    *" $ODOO_SERIES "*) ;;
    *) die "ODOO_SERIES=$ODOO_SERIES is not supported (one of: $SUPPORTED_SERIES)." ;;
esac
# Databases of another series than 18.0 carry its suffix.
DB_SUFFIX=""
[ "$ODOO_SERIES" = 18.0 ] || DB_SUFFIX="_${ODOO_SERIES%%.*}"
export ODOO_SERIES DB_SUFFIX
ODOO_SOURCE_URL="${ODOO_SOURCE_URL:-https://nightly.odoo.com/$ODOO_SERIES/nightly/src/odoo_$ODOO_SERIES.latest.tar.gz}"
# One configuration per checkout and series, so several can run side by side.
ODOO_CONF="$CACHE/odoo-$(echo "$ROOT" | sha256sum | cut -c1-8)-$ODOO_SERIES.conf"

# Locate Odoo: $ODOO_SRC, then the cache, then the official archive.
find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo_series "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo $ODOO_SERIES source tree (no odoo-bin, or its release.py says: $(odoo_series "$ODOO_SRC"))."
        ODOO_SRC="$(cd "$ODOO_SRC" && pwd)"
    elif is_odoo_series "$CACHE/odoo-$ODOO_SERIES"; then
        ODOO_SRC="$CACHE/odoo-$ODOO_SERIES"
    else
        say "Odoo $ODOO_SERIES not found; downloading $ODOO_SOURCE_URL"
        local tmp
        tmp="$(mktemp -d "$CACHE/odoo-download.XXXXXX")"
        if curl -fsSL --connect-timeout 10 --max-time 900 "$ODOO_SOURCE_URL" -o "$tmp/odoo.tar.gz" \
            && mkdir -p "$tmp/src" && tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1 \
            && is_odoo_series "$tmp/src"; then
            rm -rf "$CACHE/odoo-$ODOO_SERIES" && mv "$tmp/src" "$CACHE/odoo-$ODOO_SERIES" && rm -rf "$tmp"
            ODOO_SRC="$CACHE/odoo-$ODOO_SERIES"
        else
            rm -rf "$tmp"
            die "Odoo $ODOO_SERIES source not found and could not be downloaded.
  Provide it in one of these ways:
    - export ODOO_SRC=/path/to/odoo-$ODOO_SERIES   (a checkout of Odoo $ODOO_SERIES Community)
    - put the source tree at $CACHE/odoo-$ODOO_SERIES
    - export ODOO_SOURCE_URL=<url of an Odoo $ODOO_SERIES source .tar.gz> and retry"
        fi
    fi
    export ODOO_SRC
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.12 python3.11 python3.10 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then
            PYTHON_BIN="$(command -v "$candidate")"
            return
        fi
    done
    die "Python 3.10, 3.11 or 3.12 is required (set PYTHON=/path/to/python3.x)."
}

# Virtualenv keyed by the series, its requirement files and the interpreter
# version, so a warm machine reuses it and a changed pin builds a fresh one.
# The Community addons the tests run with are pinned per series.
setup_venv() {
    find_python
    local key addons="$ROOT/requirements/addons-$ODOO_SERIES.txt"
    [ -f "$addons" ] || die "no $addons: the Community addons of Odoo $ODOO_SERIES are not pinned."
    key="$( { echo "$ODOO_SERIES"; cat "$ROOT/requirements/odoo.txt" "$ROOT/requirements/dev.txt" "$addons"; "$PYTHON_BIN" -V; } | sha256sum | cut -c1-12)"
    VENV="$CACHE/venv-$key"
    if [ ! -f "$VENV/.complete" ]; then
        say "creating virtualenv $VENV (Odoo dependencies and project tools from PyPI)"
        rm -rf "$VENV"
        "$PYTHON_BIN" -m venv "$VENV"
        local log="$CACHE/pip-install.log"
        if ! { "$VENV/bin/pip" install --upgrade pip setuptools wheel \
               && "$VENV/bin/pip" install -r "$ROOT/requirements/odoo.txt" -r "$ROOT/requirements/dev.txt" \
               && "$VENV/bin/pip" install --no-deps -r "$addons"; } >"$log" 2>&1; then
            tail -30 "$log" >&2
            die "installing Python dependencies failed (full log: $log)"
        fi
        touch "$VENV/.complete"
    fi
    # Odoo is not pip-installed: expose the source tree through a .pth file.
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ODOO_SRC" > "$site/odoo-src.pth"
    export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
}

pg_answers() { psql -X -d postgres -Atc 'select 1' >/dev/null 2>&1; }
pg_error() { psql -X -d postgres -Atc 'select 1' 2>&1 >/dev/null | head -1; }

pg_bindir() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

# A server that is starting up, shutting down or briefly out of connection
# slots is still the server to use: wait for it rather than start another.
# pg_isready exits 0 when it accepts, 1 when it rejects, 2 when nothing answers.
wait_for_server() {
    command -v pg_isready >/dev/null 2>&1 || return 0
    local i state
    for i in $(seq 1 "${PG_WAIT_SECONDS:-30}"); do
        pg_isready -q -d postgres >/dev/null 2>&1; state=$?
        [ "$state" = 2 ] && return 1
        pg_answers && return 0
        # Accepting but refusing us for a reason other than load: stop waiting.
        [ "$state" = 0 ] && ! pg_error | grep -qiE 'too many|starting up|shutting down|recovery' && return 0
        [ "$i" = 1 ] && say "PostgreSQL answers but is not ready yet ($(pg_error)); waiting"
        sleep 1
    done
}

# Reach PostgreSQL: the default socket or PG* variables, else a private
# cluster under the cache folder. Odoo refuses the `postgres` role, so the
# machine user's own role is used (and created when missing).
setup_postgres() {
    command -v psql >/dev/null 2>&1 || [ -n "$(pg_bindir)" ] || die "PostgreSQL is not installed.
  Install PostgreSQL 12 or newer, e.g.:  sudo apt-get install postgresql   (Debian/Ubuntu)
  or point PGHOST/PGPORT/PGUSER/PGPASSWORD at an existing server."
    export PGUSER="${PGUSER:-$(id -un)}"
    [ "$PGUSER" != "postgres" ] || die "Odoo refuses to run as the 'postgres' role; set PGUSER to another role."
    if ! pg_answers && wait_for_server && ! pg_answers; then
        # The server answers but may lack our role: create it as the superuser.
        if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 \
            && runuser -u postgres -- psql -X -d postgres -Atc 'select 1' >/dev/null 2>&1; then
            say "creating PostgreSQL role $PGUSER"
            runuser -u postgres -- createuser --superuser "$PGUSER" || true
        elif sudo -n true 2>/dev/null && sudo -n -u postgres psql -X -d postgres -Atc 'select 1' >/dev/null 2>&1; then
            say "creating PostgreSQL role $PGUSER"
            sudo -n -u postgres createuser --superuser "$PGUSER" || true
        fi
        pg_answers || die "PostgreSQL answers but refuses role '$PGUSER': $(pg_error)"
    fi
    pg_answers || start_private_cluster
    pg_answers || die "cannot connect to PostgreSQL as role '$PGUSER' (PGHOST=${PGHOST:-default socket}): $(pg_error)"
}

# The private cluster lives in $CACHE/pg. PostgreSQL refuses to run as root,
# so as root the cluster belongs to the `postgres` system user; when that
# user cannot reach the cache folder (a home directory closed to others),
# the cluster goes to $PG_PRIVATE_DIR, by default /var/tmp/client_value-pg.
start_private_cluster() {
    local bindir base data sock owner
    bindir="$(pg_bindir)" || true
    [ -n "$bindir" ] || die "no PostgreSQL server answers and no initdb/pg_ctl found.
  Install PostgreSQL 12 or newer (sudo apt-get install postgresql) or set PG* variables."
    say "no PostgreSQL server answers ($(pg_error))"
    owner="$(id -un)"
    local run=()
    base="$CACHE/pg"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "no PostgreSQL server answers, and a private cluster cannot run as root
  without a 'postgres' system user. Start PostgreSQL or set PG* variables."
        owner=postgres; run=(runuser -u postgres --)
        mkdir -p "$base"
        if ! runuser -u postgres -- test -x "$base"; then
            base="${PG_PRIVATE_DIR:-/var/tmp/client_value-pg}"
        fi
    fi
    data="$base/data"; sock="$base/run"
    export PGHOST="$sock" PGPORT="${PGPORT:-54329}"
    mkdir -p "$base" "$sock"; chown "$owner" "$base" "$sock"
    if [ ! -f "$data/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $base"
        # The bootstrap superuser is named after our role, so no role to add.
        "${run[@]}" "$bindir/initdb" -D "$data" -U "$PGUSER" --auth=trust >/dev/null \
            || die "initdb failed for the private cluster in $base"
    fi
    if ! pg_isready -q -h "$sock" -p "$PGPORT" >/dev/null 2>&1; then
        say "starting the private PostgreSQL cluster in $base (socket $sock, port $PGPORT)"
        "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w \
            -o "-k $sock -p $PGPORT -c listen_addresses=''" start >/dev/null \
            || die "the private PostgreSQL cluster did not start; see $base/server.log"
    fi
    if ! pg_answers; then
        # A cluster made earlier for another role: add ours.
        "${run[@]}" psql -X -q -h "$sock" -p "$PGPORT" -U "$owner" -d postgres \
            -c "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN" || true
    fi
}

write_conf() {
    mkdir -p "$CACHE/data"
    cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $ODOO_SRC/addons,$ROOT
data_dir = $CACHE/data
db_user = $PGUSER
${PGHOST:+db_host = $PGHOST}
${PGPORT:+db_port = $PGPORT}
${PGPASSWORD:+db_password = $PGPASSWORD}
admin_passwd = admin
http_interface = ${HTTP_INTERFACE:-127.0.0.1}
http_port = ${HTTP_PORT:-8069}
max_cron_threads = 1
without_demo = False
CONF
    export ODOO_RC="$ODOO_CONF"
}

setup_all() {
    find_odoo
    setup_venv
    setup_postgres
    write_conf
}

odoo_bin() { python "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"; }

db_exists() { [ "$(psql -X -d postgres -Atc "select 1 from pg_database where datname = '$1'")" = 1 ]; }

module_installed() {
    db_exists "$1" && [ "$(psql -X -d "$1" -Atc "select state from ir_module_module where name = '$2'" 2>/dev/null)" = installed ]
}

drop_db() {
    if db_exists "$1"; then dropdb --force "$1"; fi
    rm -rf "$CACHE/data/filestore/$1"
}

# Depends of client_value, read from its manifest.
addon_depends() {
    python - "$ROOT/client_value/__manifest__.py" <<'PY'
import ast, sys
print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))
PY
}

db_like_exists() { [ -n "$(psql -X -d postgres -Atc "select 1 from pg_database where datname like '$1' limit 1")" ]; }

# The key click-odoo-initdb gives the template of modules $1 (comma-separated)
# with demo data ($2 = demo) or without: a hash of the content of those
# modules, their dependencies and the modules they auto-install.
modules_hash() {
    python - "$ODOO_CONF" "$1" "$2" <<'PY'
import sys

from click_odoo import odoo
from click_odoo_contrib.initdb import addons_hash

odoo.tools.config.parse_config(["-c", sys.argv[1]])
print(addons_hash(sys.argv[2].split(","), sys.argv[3] == "demo"))
PY
}

# Fresh database $1 with modules $2 installed, with demo data or not
# ($3: demo or nodemo), copied from a template database that click-odoo-initdb
# builds once and caches as <prefix $4>-<last use>-<modules hash>. Templates of
# that prefix unused for 30 days, or beyond the $5 most recently used, are
# dropped. Attachments made while building a template are kept in the
# database, so a copy needs no filestore.
initdb_from_cache() {
    local db="$1" modules="$2" demo="$3" prefix="$4" keep="$5" hash log
    hash="$(modules_hash "$modules" "$demo")"
    if db_like_exists "$prefix-____________-$hash"; then
        say "database $db: copy of the cached template $prefix-…-${hash:0:8} ($modules, $demo)"
    else
        say "building the template database $prefix-…-${hash:0:8} ($modules, $demo) with click-odoo-initdb — done once"
    fi
    drop_db "$db"
    log="$CACHE/initdb-$db.log"
    local demo_opt=--demo
    [ "$demo" = demo ] || demo_opt=--no-demo
    if ! click-odoo-initdb -c "$ODOO_CONF" -n "$db" -m "$modules" "$demo_opt" \
        --cache-prefix "$prefix" --cache-max-size "$keep" --log-level info >"$log" 2>&1; then
        tail -30 "$log" >&2
        die "click-odoo-initdb failed for $db (full log: $log)"
    fi
}

# Fresh database $1 with client_value's dependencies installed, not
# client_value, with demo data or not ($2: demo or nodemo).
# The apps whose documents carry touches, installed next to CRM for the
# tests (make test) and, OCA Helpdesk aside, for make demo and make bench.
TEST_APPS="sale_management,account,project,helpdesk_mgmt"
DEMO_APPS="sale_management,account,project"

# Fresh database $1 (demo data: $2) with client_value's dependencies and the
# apps $3 (comma-separated, none by default) installed, client_value not.
new_db_from_base() {
    local modules
    modules="$(addon_depends)${3:+,$3}"
    initdb_from_cache "$1" "$modules" "$2" cvbase 6
}

# Fresh database $1 from the base template, then install client_value.
create_db_with_addon() {
    local db="$1" demo="$2" apps="${3:-}"
    new_db_from_base "$db" "$demo" "$apps"
    say "installing client_value in $db"
    local log="$CACHE/install-$db.log"
    # LOAD_LANGUAGES (e.g. fr_FR,es_ES): languages loaded before the module,
    # so its demo data and translations come in them too.
    odoo_bin -d "$db" -i client_value ${LOAD_LANGUAGES:+--load-language="$LOAD_LANGUAGES"} \
        --stop-after-init --log-level=warn --max-cron-threads=0 2>&1 | tee "$log"
    module_installed "$db" client_value || die "client_value failed to install in $db"
    # Odoo installs a module whose demo data failed without it, and says so
    # only in a warning: that is a failure here.
    if grep -q "demo data failed to install" "$log"; then
        die "client_value's demo data failed to install in $db (see $log)"
    fi
}

# Chromium for the browser tests, which `make test` always runs. When it is
# missing, Debian's `chromium` package is installed (as root, with apt-get;
# no recommended packages but the fonts of the screenshots), otherwise the
# run stops here: a browser test is never skipped.
find_chromium() {
    if [ -n "${ODOO_BROWSER_BIN:-}" ] && [ -x "$ODOO_BROWSER_BIN" ]; then
        echo "$ODOO_BROWSER_BIN"; return
    fi
    # Same names, in the same order, as Odoo's test browser looks for.
    local name
    for name in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$name" 2>/dev/null && return
    done
    return 1
}

require_chromium() {
    find_chromium >/dev/null && return
    local log="$CACHE/apt-chromium.log"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "Chromium not found: installing Debian's chromium package for the browser tests"
        if ! { apt-get update \
               && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
                  chromium fonts-liberation; } >"$log" 2>&1; then
            tail -20 "$log" >&2
            die "installing the chromium package failed (full log: $log).
  The browser tests need it: apt-get install chromium"
        fi
    fi
    find_chromium >/dev/null || die "Chromium is required: make test always runs the browser tests.
  Install Debian's package:  sudo apt-get install chromium
  (or set ODOO_BROWSER_BIN to a Chromium or Chrome executable)."
}
