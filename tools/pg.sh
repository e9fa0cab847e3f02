#!/usr/bin/env bash
# A private PostgreSQL cluster for `make run` and `make test`.
#
#   tools/pg.sh start DATADIR PORT   create the cluster if needed (initdb), start it on
#                                    127.0.0.1:PORT, create database `sched` and apply
#                                    the migrations (tools/schedctl migrate); on a
#                                    running cluster only the last two
#   tools/pg.sh stop DATADIR         stop it (fast shutdown); fine if not running
#   tools/pg.sh status DATADIR       exit 0 when running, 3 when not
#   tools/pg.sh path DATADIR         print where the cluster really lives (see below)
#   tools/pg.sh destroy DATADIR      stop it and delete its files
#   tools/pg.sh bindir               print the PostgreSQL server binaries' directory
#
# The cluster has one superuser, `sched`, trusted on 127.0.0.1 only; there is no Unix
# socket. PostgreSQL refuses to run as root: as root, the server runs as the `postgres`
# user, which must be able to reach DATADIR. When it cannot (a checkout under /root,
# say), the cluster goes to /tmp/mod_sched-<hash of DATADIR>/ instead, and this script
# says so.
#
# Environment: PG_FAST=1 turns off fsync, synchronous_commit and full_page_writes (for
# throw-away test clusters; takes effect when the server starts). SCHED_PGBIN names the
# server binaries' directory (default: `pg_config --bindir`, else the newest
# /usr/lib/postgresql/*/bin). SCHED_SCHEDCTL names the schedctl that migrates (default:
# tools/schedctl; make test SANITIZE=1 gives the sanitized one).
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/pg.sh
SCHEDCTL=${SCHED_SCHEDCTL:-$ROOT/tools/schedctl}
DB_NAME=sched
DB_USER=sched
PG_OS_USER=postgres

die() {
    echo "$PROG: $*" >&2
    exit 1
}

usage() {
    cat >&2 <<EOF
usage: $PROG start DATADIR PORT
       $PROG stop|status|path|destroy DATADIR
       $PROG bindir
EOF
    exit 2
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

pg_bindir() {
    local dir
    if [ -n "${SCHED_PGBIN:-}" ]; then
        [ -x "$SCHED_PGBIN/initdb" ] || die "SCHED_PGBIN=$SCHED_PGBIN has no initdb"
        echo "$SCHED_PGBIN"
        return
    fi
    dir=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
        return
    fi
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return
        fi
    done
    die "no PostgreSQL server programs (initdb) found: install postgresql (make deps)"
}

# Run a server program as the unprivileged user (root) or as ourselves.
as_pg() {
    if is_root; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        "$@"
    fi
}

pg_can_reach() {
    (cd / && runuser -u "$PG_OS_USER" -- test -x "$1") 2>/dev/null
}

fallback_dir() {
    local hash
    hash=$(printf '%s' "$1" | sha256sum | cut -c1-12)
    echo "/tmp/mod_sched-$hash/$(basename "$1")"
}

# Where the cluster of the requested DATADIR lives, for an existing cluster.
existing_datadir() {
    local requested fallback
    requested=$(realpath -m -- "$1")
    fallback=$(fallback_dir "$requested")
    if [ ! -f "$requested/PG_VERSION" ] && [ -f "$fallback/PG_VERSION" ]; then
        echo "$fallback"
    else
        echo "$requested"
    fi
}

# Where the cluster of the requested DATADIR lives or will live; makes its parent
# directory reachable for the server's user.
prepare_datadir() {
    local requested parent dir fallback base
    requested=$(realpath -m -- "$1")
    if [ -f "$requested/PG_VERSION" ] || ! is_root; then
        mkdir -p "$(dirname "$requested")"
        echo "$requested"
        return
    fi
    fallback=$(fallback_dir "$requested")
    if [ -f "$fallback/PG_VERSION" ]; then
        echo "$fallback"
        return
    fi
    getent passwd "$PG_OS_USER" >/dev/null ||
        die "PostgreSQL refuses to run as root and there is no '$PG_OS_USER' user: install the postgresql package"

    parent=$(dirname "$requested")
    mkdir -p "$parent"
    # Our own folders (.run/...) get o+x; folders above the checkout are left alone.
    dir=$parent
    while [ "$dir" != / ] && [ "$dir" != "$ROOT" ]; do
        case $dir in
            "$ROOT"/*) chmod o+x "$dir" ;;
            *) [ "$dir" = "$parent" ] && chmod o+x "$dir" ;;
        esac
        dir=$(dirname "$dir")
    done
    if pg_can_reach "$parent"; then
        echo "$requested"
        return
    fi

    base=$(dirname "$fallback")
    mkdir -p "$base"
    if [ -L "$base" ] || [ "$(stat -c %u "$base")" -ne 0 ]; then
        die "$base exists and does not belong to root: remove it"
    fi
    chmod 0755 "$base"
    echo "$PROG: the '$PG_OS_USER' user cannot reach $parent;" \
        "the cluster lives in $fallback instead" >&2
    echo "$fallback"
}

log_file() {
    echo "$(dirname "$1")/postgres.log"
}

is_running() {
    as_pg "$BIN/pg_ctl" status -D "$1" >/dev/null 2>&1
}

running_port() {
    sed -n 4p "$1/postmaster.pid" 2>/dev/null || true
}

show_log() {
    local log
    log=$(log_file "$1")
    if [ -f "$log" ]; then
        echo "--- last lines of $log:" >&2
        tail -n 25 "$log" >&2
    fi
}

init_cluster() {
    local datadir=$1 initlog
    initlog="$(dirname "$datadir")/initdb.log"
    mkdir -p "$datadir"
    chmod 0700 "$datadir"
    if is_root; then
        chown "$PG_OS_USER:" "$datadir"
        touch "$initlog"
        chown "$PG_OS_USER:" "$initlog"
    fi
    if ! as_pg "$BIN/initdb" -D "$datadir" -U "$DB_USER" --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$initlog" 2>&1; then
        cat "$initlog" >&2
        die "initdb failed for $datadir"
    fi
    echo "$PROG: created a PostgreSQL cluster in $datadir"
}

start_server() {
    local datadir=$1 port=$2 log opts
    log=$(log_file "$datadir")
    touch "$log"
    if is_root; then
        chown "$PG_OS_USER:" "$log"
    fi
    opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=''"
    if [ "${PG_FAST:-0}" = 1 ]; then
        opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    if ! as_pg "$BIN/pg_ctl" start -w -t 60 -D "$datadir" -l "$log" -o "$opts" >/dev/null; then
        show_log "$datadir"
        die "PostgreSQL did not start (port $port busy?)"
    fi
    echo "$PROG: PostgreSQL is running on 127.0.0.1:$port (log: $log)"
}

ensure_database() {
    local port=$1 found
    found=$("$BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
        -U "$DB_USER" -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ||
        die "cannot query the server on port $port"
    if [ "$found" != 1 ]; then
        # Another start may create it at the same time: accept that.
        "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME" 2>/dev/null ||
            [ "$("$BIN/psql" -X -A -t -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres \
                -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" = 1 ] ||
            die "cannot create the database $DB_NAME"
    fi
}

migrate() {
    local port=$1
    [ -x "$SCHEDCTL" ] || die "$SCHEDCTL is not built: run make"
    "$SCHEDCTL" --dsn "host=127.0.0.1 port=$port dbname=$DB_NAME user=$DB_USER" \
        migrate || die "migrations failed"
}

cmd_start() {
    local datadir port=$2 other
    case $port in
        '' | *[!0-9]*) die "PORT must be a number, not '$port'" ;;
    esac
    datadir=$(prepare_datadir "$1")
    if [ ! -f "$datadir/PG_VERSION" ]; then
        init_cluster "$datadir"
    fi
    if is_running "$datadir"; then
        other=$(running_port "$datadir")
        if [ -n "$other" ] && [ "$other" != "$port" ]; then
            die "the cluster in $datadir is running on port $other, not $port: stop it first ($PROG stop $1)"
        fi
    else
        start_server "$datadir" "$port"
    fi
    ensure_database "$port"
    migrate "$port"
}

cmd_stop() {
    local datadir
    datadir=$(existing_datadir "$1")
    if [ ! -f "$datadir/PG_VERSION" ]; then
        echo "$PROG: no cluster in $1"
        return 0
    fi
    if ! is_running "$datadir"; then
        echo "$PROG: PostgreSQL in $datadir is not running"
        return 0
    fi
    if ! as_pg "$BIN/pg_ctl" stop -D "$datadir" -m fast -w -t 60 >/dev/null; then
        show_log "$datadir"
        die "PostgreSQL in $datadir did not stop"
    fi
    echo "$PROG: stopped PostgreSQL in $datadir"
}

cmd_status() {
    local datadir
    datadir=$(existing_datadir "$1")
    if [ ! -f "$datadir/PG_VERSION" ]; then
        echo "no cluster in $1"
        return 3
    fi
    if is_running "$datadir"; then
        echo "running on 127.0.0.1:$(running_port "$datadir") (data: $datadir)"
        return 0
    fi
    echo "not running (data: $datadir)"
    return 3
}

cmd_destroy() {
    local datadir
    datadir=$(existing_datadir "$1")
    cmd_stop "$1" >/dev/null
    rm -rf -- "$datadir"
    case $datadir in
        /tmp/mod_sched-*) rm -rf -- "$(dirname "$datadir")" ;;
    esac
}

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
    bindir)
        [ $# -eq 0 ] || usage
        pg_bindir
        exit 0
        ;;
    start) [ $# -eq 2 ] || usage ;;
    stop | status | path | destroy) [ $# -eq 1 ] || usage ;;
    *) usage ;;
esac
BIN=$(pg_bindir)

case $command in
    start) cmd_start "$1" "$2" ;;
    stop) cmd_stop "$1" ;;
    status) cmd_status "$1" ;;
    path) existing_datadir "$1" ;;
    destroy) cmd_destroy "$1" ;;
esac
