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
#   SCHED_HTTPD      the httpd binary (with SCHED_SANITIZE=1: a script that runs it
#                    with the AddressSanitizer runtime preloaded)
#   SCHED_MODULE     the module under test (.libs/mod_sched.so)
#   SCHED_SCHEDCTL   schedctl (tools/schedctl)
#   SCHED_UNIT_DIR   the C unit tests (t/unit/build)
#   SCHED_PGPORT     PostgreSQL's port on 127.0.0.1
#   SCHED_PGDATA     the cluster's data folder
#   SCHED_PGBIN      PostgreSQL's programs (psql, pg_ctl)
#   SCHED_DSN        libpq connection string of the database
#   PERL5LIB         t/lib first (SchedTest.pm)
#
# SCHED_SANITIZE=1 (make test SANITIZE=1): the same with the sanitized build of .san/
# (module, schedctl and unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer), files in .run/test-san. Every httpd runs with the ASan
# runtime preloaded (httpd itself is not instrumented), every report goes to a file in
# SCHED_SANITIZER_DIR (RUNDIR/sanitizer), and the run fails when any is there once the
# servers have stopped; SchedTest::finish fails the test file during which one appeared.
# LeakSanitizer checks httpd too, with the suppressions of t/conf/lsan-httpd.supp.
#   SCHED_SANITIZER_DIR   where the reports go (report.PID)
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
case ${SCHED_SANITIZE:-} in
    '') BUILD=$ROOT NAME=test ;;
    1) BUILD=$ROOT/.san NAME=test-san ;;
    *) die "SCHED_SANITIZE is 1 or empty, not '$SCHED_SANITIZE'" ;;
esac
MODULE=$BUILD/.libs/mod_sched.so
SCHEDCTL=$BUILD/tools/schedctl
UNIT_DIR=$BUILD/t/unit/build
MAKE_HINT="make${SCHED_SANITIZE:+ SANITIZE=1}"

[ $# -ge 1 ] || {
    echo "usage: $PROG CMD..." >&2
    exit 2
}
[ -x "$HTTPD" ] || die "$HTTPD not found: install apache2 (make deps)"
[ -f "$MODULE" ] || die "$MODULE is missing: run $MAKE_HINT"
[ -x "$SCHEDCTL" ] || die "$SCHEDCTL is missing: run $MAKE_HINT"

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
    if [ -n "${SCHED_SANITIZE:-}" ]; then
        check_reports || true
    fi
    tail_log "$(dirname "$PGDATA")/postgres.log" 10
    die "$1"
}

# Sanitizer options. Reports go to files (log_path), not to the output of whatever ran
# the program; a UBSan report ends the program (halt_on_error, and the build's
# -fno-sanitize-recover). LeakSanitizer checks every sanitized process when it exits:
# schedctl, the unit tests and each httpd process (a child when it stops, the parent,
# httpd -t, httpd -k start). In httpd (HTTPD_ASAN_OPTIONS), memory held by an APR pool
# until the process ends is reachable, so not reported; t/conf/lsan-httpd.supp names
# the APR allocators httpd itself never frees, and nothing of mod_sched's.
# fast_unwind_on_malloc=0 there: httpd, APR and libpq are built without frame
# pointers, so only the slow unwinder sees through them to the caller (the
# suppression names an httpd function; the stacks of a report reach mod_sched's).
sanitizer_env() {
    export ASAN_OPTIONS="log_path=$REPORTS/report:detect_leaks=1"
    ASAN_OPTIONS+=":detect_stack_use_after_return=1"
    export UBSAN_OPTIONS="log_path=$REPORTS/report:print_stacktrace=1:halt_on_error=1"
    HTTPD_ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
    HTTPD_LSAN_OPTIONS="suppressions=$ROOT/t/conf/lsan-httpd.supp:print_suppressions=0"
}

# Reports dir, options and the httpd that preloads the ASan runtime (SCHED_HTTPD).
setup_sanitizers() {
    local runtime clang_dir
    command -v clang >/dev/null || die "clang is missing: make test SANITIZE=1 installs it"
    runtime=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
    [ -f "$runtime" ] ||
        die "the ASan runtime ($runtime) is missing: install libclang-rt-14-dev"
    clang_dir=$(dirname "$(readlink -f "$(command -v clang)")")
    REPORTS=$RUNDIR/sanitizer
    mkdir -p "$REPORTS"
    chmod 1777 "$REPORTS"           # httpd's children write here as $HTTPD_USER
    export SCHED_SANITIZER_DIR=$REPORTS
    sanitizer_env
    if [ -x "$clang_dir/llvm-symbolizer" ]; then
        export ASAN_SYMBOLIZER_PATH=$clang_dir/llvm-symbolizer
    fi
    # Not LD_PRELOAD for the whole suite: perl, psql and PostgreSQL would run with
    # the runtime too, and LeakSanitizer would report them.
    cat >"$RUNDIR/httpd-asan" <<END
#!/bin/sh
# $HTTPD with the AddressSanitizer runtime preloaded (written by $PROG):
# mod_sched is built with ASan and UBSan, httpd is not.
LD_PRELOAD=$(printf %q "$runtime")
ASAN_OPTIONS=$(printf %q "$HTTPD_ASAN_OPTIONS")
LSAN_OPTIONS=$(printf %q "$HTTPD_LSAN_OPTIONS")
export LD_PRELOAD ASAN_OPTIONS LSAN_OPTIONS
exec $(printf %q "$HTTPD") "\$@"
END
    chmod 0755 "$RUNDIR/httpd-asan"
    HTTPD=$RUNDIR/httpd-asan
}

# When REPORTS holds reports, prints how many and the first five, and returns 1;
# else says there are none.
check_reports() {
    local files=() file
    mapfile -t files < <(find "$REPORTS" -type f | sort)
    if [ ${#files[@]} -eq 0 ]; then
        echo "$PROG: sanitizers: 0 reports"
        return 0
    fi
    for file in "${files[@]:0:5}"; do
        echo "--- $file" >&2
        head -n 60 "$file" >&2
    done
    echo "$PROG: sanitizers: ${#files[@]} report(s) in $REPORTS" >&2
    return 1
}

RUNDIR=$(choose_rundir "$NAME")
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
if [ -n "${SCHED_SANITIZE:-}" ]; then
    setup_sanitizers
fi
export SCHED_SCHEDCTL=$SCHEDCTL     # tools/pg.sh migrates with it

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

# The tests' remote mode (tools/test-remote.sh) is for a server that runs already: here
# they use the private servers whatever the caller's environment says.
unset SCHED_ADMIN_USER SCHED_ADMIN_PASSWORD
export PG_FAST=1
export SCHED_ROOT=$ROOT
export SCHED_URL=http://127.0.0.1:$PORT
export SCHED_RUNDIR=$RUNDIR
export SCHED_ERROR_LOG=$RUNDIR/error.log
export SCHED_HTTPD=$HTTPD
export SCHED_MODULE=$MODULE
export SCHED_UNIT_DIR=$UNIT_DIR
export SCHED_PGPORT=$PGPORT
export SCHED_PGDATA=$PGDATA
export SCHED_PGBIN=$PGBIN
export SCHED_DSN="host=127.0.0.1 port=$PGPORT dbname=sched user=sched"
export PERL5LIB=$ROOT/t/lib${PERL5LIB:+:$PERL5LIB}

echo "$PROG: httpd on $SCHED_URL, PostgreSQL on 127.0.0.1:$PGPORT, files in $RUNDIR"
status=0
"$@" || status=$?
if [ -n "${SCHED_SANITIZE:-}" ]; then
    # Reports written while the servers stop count too.
    cleanup
    check_reports || status=1
fi
exit "$status"
