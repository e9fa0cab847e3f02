#!/usr/bin/env bash
# tools/testenv.sh CMD...  (make test: tools/testenv.sh prove -r t/)
#
# Starts a fresh private PostgreSQL cluster and httpd on free ports under .run/test,
# runs CMD with the environment below, then stops both, whatever CMD did (also on
# Ctrl-C), and exits with CMD's status.
#
#   SCHED_ROOT       the checkout
#   SCHED_URL        http://127.0.0.1:PORT, the API mounted at /
#   SCHED_RUNDIR     the server's folder (.run/test): httpd.conf, logs, pid file
#   SCHED_ERROR_LOG  its error log
#   SCHED_HTTPD      the httpd binary
#   SCHED_MODULE     the module under test (.libs/mod_sched.so)
#   SCHED_PGPORT     PostgreSQL's port on 127.0.0.1
#   SCHED_PGDATA     the cluster's data folder
#   SCHED_PGBIN      PostgreSQL's programs (psql, pg_ctl)
#   SCHED_DSN        libpq connection string of the database
#   PERL5LIB         t/lib first (SchedTest.pm)
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/testenv.sh

# One run at a time per checkout: a second one waits for the first instead of wiping
# its servers. flock holds the lock itself (-o: the servers started below do not
# inherit it), and lets go when this script ends.
if [ -z "${SCHED_TESTENV_LOCKED:-}" ]; then
    mkdir -p "$ROOT/.run"
    export SCHED_TESTENV_LOCKED=1
    exec flock -o "$ROOT/.run/test.lock" "$0" "$@"
fi
HTTPD=${SCHED_HTTPD:-/usr/sbin/apache2}
HTTPD_USER=www-data
. "$ROOT/tools/common.sh"
MODULE=$ROOT/.libs/mod_sched.so

[ $# -ge 1 ] || {
    echo "usage: $PROG CMD..." >&2
    exit 2
}
[ -x "$HTTPD" ] || die "$HTTPD not found: install apache2 (make deps)"
[ -f "$MODULE" ] || die "$MODULE is missing: run make"
[ -x "$ROOT/tools/schedctl" ] || die "tools/schedctl is missing: run make"

# Ask every httpd with a pid file under DIR (the main one and any a test started) to
# stop, and wait up to 15 s for each to go.
stop_httpds() {
    local dir=$1 pidfile pid conf
    [ -d "$dir" ] || return 0
    while IFS= read -r pidfile; do
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
            continue
        fi
        conf=$(dirname "$pidfile")/httpd.conf
        "$HTTPD" -d "$(dirname "$pidfile")" -f "$conf" -k stop 2>/dev/null ||
            kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$PROG: httpd $pid did not stop in 15 s: killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done < <(find "$dir" -name httpd.pid 2>/dev/null)
}

tail_log() {
    if [ -s "$1" ]; then
        echo "--- last lines of $1:" >&2
        tail -n "${2:-25}" "$1" >&2
    fi
}

CLEANED=
cleanup() {
    [ -z "$CLEANED" ] || return 0
    CLEANED=1
    stop_httpds "$RUNDIR"
    "$ROOT/tools/pg.sh" stop "$RUNDIR/pg" >/dev/null || true
}

startup_failed() {
    tail_log "$RUNDIR/error.log"
    tail_log "$(dirname "$PGDATA")/postgres.log" 10
    die "$1"
}

RUNDIR=$(choose_rundir test)
CONF=$RUNDIR/httpd.conf

# A fresh start: whatever an earlier run left behind goes.
stop_httpds "$RUNDIR"
"$ROOT/tools/pg.sh" destroy "$RUNDIR/pg"
rm -rf -- "$RUNDIR"
mkdir -p "$RUNDIR"
if is_root; then
    chmod 0755 "$RUNDIR"
fi

read -r PORT PGPORT <<<"$(free_ports)"
PGBIN=$("$ROOT/tools/pg.sh" bindir)

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PG_FAST=1 "$ROOT/tools/pg.sh" start "$RUNDIR/pg" "$PGPORT" >"$RUNDIR/pg-start.log" 2>&1 || {
    cat "$RUNDIR/pg-start.log" >&2
    die "PostgreSQL did not start"
}
PGDATA=$("$ROOT/tools/pg.sh" path "$RUNDIR/pg")

write_config "$ROOT/t/conf/test.conf.in" "$CONF"
"$HTTPD" -d "$RUNDIR" -f "$CONF" -k start >"$RUNDIR/httpd-start.log" 2>&1 || {
    cat "$RUNDIR/httpd-start.log" >&2
    startup_failed "httpd did not start"
}

perl -MHTTP::Tiny -e '
    my ($url, $pidfile) = @ARGV;
    my $http = HTTP::Tiny->new(timeout => 2);
    my $last = "no answer";
    for (1 .. 150) {
        my $r = $http->get($url);
        exit 0 if $r->{status} == 200;
        $last = $r->{status} == 599 ? $r->{content} : "status $r->{status}";
        if (-f $pidfile) {
            open my $fh, "<", $pidfile;
            my $pid = <$fh> // "";
            chomp $pid;
            if ($pid && !kill 0, $pid) { warn "httpd exited\n"; exit 1 }
        }
        select undef, undef, undef, 0.1;
    }
    chomp $last;
    warn "GET $url: $last after 15 s\n";
    exit 1;' "http://127.0.0.1:$PORT/health/" "$RUNDIR/httpd.pid" ||
    startup_failed "httpd does not answer GET /health/ with 200"

export PG_FAST=1
export SCHED_ROOT=$ROOT
export SCHED_URL=http://127.0.0.1:$PORT
export SCHED_RUNDIR=$RUNDIR
export SCHED_ERROR_LOG=$RUNDIR/error.log
export SCHED_HTTPD=$HTTPD
export SCHED_MODULE=$MODULE
export SCHED_PGPORT=$PGPORT
export SCHED_PGDATA=$PGDATA
export SCHED_PGBIN=$PGBIN
export SCHED_DSN="host=127.0.0.1 port=$PGPORT dbname=sched user=sched"
export PERL5LIB=$ROOT/t/lib${PERL5LIB:+:$PERL5LIB}

echo "$PROG: httpd on $SCHED_URL, PostgreSQL on 127.0.0.1:$PGPORT, files in $RUNDIR"
status=0
"$@" || status=$?
exit "$status"
