#!/usr/bin/env bash
# bench/run.sh  (make bench; make bench SCALE=large)
#
# Starts a private PostgreSQL and httpd (event MPM, bench/httpd.conf.in) under
# .run/bench, seeds a data set (bench/seed.sql; SCALE=large adds bench/seed-large.sql),
# then measures with wrk, one line per scenario (requests/s, p50, p99, non-2xx):
#
#   list_slots       GET /available_slots/?provider=P&date=D, 50 providers x 7 days
#   get_one          GET /clients/{id}/, 200 clients
#   book             POST /appointment_reservations/, a different free slot each time
#   contention       every connection racing for one slot at a time; then the database
#                    is checked for double bookings
#   book_no_events, contention_no_events   the same two with the triggers that record
#                    every change (sql/007) disabled: what the events cost
#   book_webhooks    book with 3 webhooks subscribed to every event, which the sender
#                    inside httpd delivers to this same httpd (Redirect 204): what
#                    webhooks cost the bookings; then how fast the sender delivers
#                    (attempts recorded per second, until none is due)
#   list_slots_auth, get_one_auth   the same two under /auth: Basic authentication
#                    (mod_sched's provider and its cache) and SchedOpenAccess Off,
#                    as a superuser
#   static           a file of the size of a list_slots answer: the HTTP layer alone
#   list_slots_schedule  list_slots over 50 providers whose slots a schedule made
#                    (same hours, same bookings): the same plan as over manual slots
#   schedules        not wrk: PUT /schedules/{id}/ of a provider with about 1,000
#                    slots (60 days), 20 times, each replacing every slot, timed by
#                    curl, then in the database (psql); the same in the database
#                    without each guarantee of the slots in turn (their events, their
#                    exclusion constraint, their foreign keys, none of them), each put
#                    back as it was; then the horizon task's work (schedctl
#                    materialize, the statement httpd's background task runs) for
#                    1,000 providers: their first 60 days, then one day more
#
# then the ceilings: pgbench -M prepared running the module's own SQL (tools/schedctl
# statement NAME) for list_slots, get_one and book; then resident memory of the httpd
# children before and after BENCH_MEMORY_REQUESTS requests of a mix. Servers are
# stopped and the cluster deleted at the end, whatever happened (also on Ctrl-C).
#
# Results: bench/out/results-SCALE.jsonl (one JSON object per scenario),
# bench/out/summary-SCALE.txt (the table printed at the end), bench/out/SCALE/ (wrk
# and pgbench output, pgbench scripts, the httpd error log). When results of both
# scales exist, the large/small p50 ratios are printed too.
#
# Environment:
#   SCALE                  small (default) or large
#   BENCH_CONNECTIONS      wrk connections and pgbench clients (32)
#   BENCH_THREADS          wrk threads and pgbench threads (2)
#   BENCH_DURATION         measured run of each scenario (20s)
#   BENCH_WARMUP           warm-up run before each scenario (5s)
#   BENCH_MEMORY_REQUESTS  requests of the memory run (200000; 0 skips it)
#   BENCH_BOOK_SLOTS       free slots seeded for book (default: enough for 10000
#                          bookings per second over the longest run)
#   BENCH_PG_FAST          1 (default): fsync and synchronous_commit off, as make test;
#                          0: durable commits
#   BENCH_TIMEOUT          wrk's request timeout (10s)
#   BENCH_SCENARIOS        the scenarios to run, comma-separated (default: all of
#                          list_slots,get_one,book,contention,book_no_events,
#                          contention_no_events,book_webhooks,list_slots_auth,
#                          get_one_auth,static,list_slots_schedule,schedules)
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BENCH=$ROOT/bench
PROG=bench/run.sh

# One run at a time per checkout.
if [ -z "${SCHED_BENCH_LOCKED:-}" ]; then
    mkdir -p "$ROOT/.run"
    export SCHED_BENCH_LOCKED=1
    exec flock -o "$ROOT/.run/bench.lock" "$0" "$@"
fi

SCALE=${SCALE:-small}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-5s}
MEM_REQUESTS=${BENCH_MEMORY_REQUESTS:-200000}
PG_FAST=${BENCH_PG_FAST:-1}
WRK_TIMEOUT=${BENCH_TIMEOUT:-10s}
ALL_SCENARIOS=list_slots,get_one,book,contention,book_no_events,contention_no_events
ALL_SCENARIOS=$ALL_SCENARIOS,book_webhooks
ALL_SCENARIOS=$ALL_SCENARIOS,list_slots_auth,get_one_auth,static
ALL_SCENARIOS=$ALL_SCENARIOS,list_slots_schedule,schedules
SCENARIOS=${BENCH_SCENARIOS:-$ALL_SCENARIOS}
HTTPD=${SCHED_HTTPD:-/usr/sbin/apache2}
HTTPD_USER=www-data
. "$ROOT/tools/common.sh"
MODULE=$ROOT/.libs/mod_sched.so
SCHEDCTL=$ROOT/tools/schedctl
OUT=$ROOT/bench/out
LOGDIR=$OUT/$SCALE
SU_NAME=bench_admin
SU_PASSWORD=bench-admin-password
BOOK_PROVIDERS=20
RACE_SLOTS=20000
RACE_CLIENTS=64

# Seconds of a wrk duration (30, 30s, 2m, 1h).
seconds() {
    local v=$1
    case $v in
        *[0-9]s) echo "${v%s}" ;;
        *[0-9]m) echo $((${v%m} * 60)) ;;
        *[0-9]h) echo $((${v%h} * 3600)) ;;
        *[0-9]) echo "$v" ;;
        *) die "not a duration: '$v' (use 30s, 2m, ...)" ;;
    esac
}

case $SCALE in
    small | large) ;;
    *) die "SCALE must be small or large, not '$SCALE'" ;;
esac
for v in CONNS THREADS MEM_REQUESTS; do
    case ${!v} in
        '' | *[!0-9]*) die "$v must be a whole number, not '${!v}'" ;;
    esac
done
[ "$THREADS" -ge 1 ] && [ "$CONNS" -ge "$THREADS" ] ||
    die "BENCH_CONNECTIONS ($CONNS) must be at least BENCH_THREADS ($THREADS) >= 1"
DUR_S=$(seconds "$DURATION")
WARM_S=$(seconds "$WARMUP")
[ "$DUR_S" -ge 1 ] || die "BENCH_DURATION must be at least 1s"
for name in ${SCENARIOS//,/ }; do
    case ,$ALL_SCENARIOS, in
        *",$name,"*) ;;
        *) die "unknown scenario '$name' in BENCH_SCENARIOS (known: $ALL_SCENARIOS)" ;;
    esac
done

# Whether scenario NAME is to run.
wanted() {
    case ,$SCENARIOS, in
        *",$1,"*) return 0 ;;
    esac
    return 1
}
LONGEST=$((DUR_S > WARM_S ? DUR_S : WARM_S))
BOOK_SLOTS=${BENCH_BOOK_SLOTS:-$((10000 * (LONGEST + 2)))}
[ "$BOOK_SLOTS" -lt 40000 ] && [ -z "${BENCH_BOOK_SLOTS:-}" ] && BOOK_SLOTS=40000
BOOK_SLOTS=$(((BOOK_SLOTS + BOOK_PROVIDERS - 1) / BOOK_PROVIDERS * BOOK_PROVIDERS))

command -v wrk >/dev/null || die "wrk is not installed (make deps-bench)"
[ -x "$HTTPD" ] || die "$HTTPD not found: install apache2 (make deps)"
[ -f "$MODULE" ] || die "$MODULE is missing: run make"
[ -x "$SCHEDCTL" ] || die "tools/schedctl is missing: run make"
PGBIN=$("$ROOT/tools/pg.sh" bindir)
[ -x "$PGBIN/pgbench" ] || die "$PGBIN/pgbench not found (postgresql-contrib)"

httpd_pid() {
    cat "$RUNDIR/httpd.pid" 2>/dev/null || true
}

stop_httpd() {
    local pid
    pid=$(httpd_pid)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        return 0
    fi
    "$HTTPD" -d "$RUNDIR" -f "$RUNDIR/httpd.conf" -k stop 2>/dev/null ||
        kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "$PROG: httpd $pid did not stop in 15 s: killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

CLEANED=
cleanup() {
    [ -z "$CLEANED" ] || return 0
    CLEANED=1
    # wrk and pgbench started by this script, if one is still running.
    if [ -n "${CHILD_PID:-}" ]; then
        kill -TERM "$CHILD_PID" 2>/dev/null || true
    fi
    stop_httpd
    if [ -s "$RUNDIR/error.log" ]; then
        cp "$RUNDIR/error.log" "$LOGDIR/error.log" 2>/dev/null || true
    fi
    if [ -n "${PGDATA:-}" ] && [ -s "$(dirname "$PGDATA")/postgres.log" ]; then
        cp "$(dirname "$PGDATA")/postgres.log" "$LOGDIR/postgres.log" 2>/dev/null || true
    fi
    "$ROOT/tools/pg.sh" destroy "$RUNDIR/pg" >/dev/null 2>&1 || true
    rm -rf -- "$RUNDIR"
}

# psql on the bench database: unaligned, tuples only.
q() {
    "$PGBIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -d "$DSN" -c "$1"
}

say() {
    printf '%s\n' "$*" | tee -a "$LOGDIR/run.log"
}

now_s() {
    date +%s.%N
}

elapsed() {
    perl -e 'printf "%.1f", $ARGV[1] - $ARGV[0]' "$1" "$(now_s)"
}

# ---- Start ------------------------------------------------------------------------

RUNDIR=$(choose_rundir bench)
stop_httpd
"$ROOT/tools/pg.sh" destroy "$RUNDIR/pg" >/dev/null 2>&1 || true
rm -rf -- "$RUNDIR" "$LOGDIR"
mkdir -p "$RUNDIR/htdocs/static" "$LOGDIR"
is_root && chmod 0755 "$RUNDIR" "$RUNDIR/htdocs" "$RUNDIR/htdocs/static"
: >"$LOGDIR/run.log"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r PORT PGPORT <<<"$(free_ports)"
URL=http://127.0.0.1:$PORT
DSN="host=127.0.0.1 port=$PGPORT dbname=sched user=sched"

say "mod_sched bench, SCALE=$SCALE: $CONNS connections, $THREADS threads," \
    "$WARMUP warm-up + $DURATION per scenario, $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"

T0=$(now_s)
export PG_FAST
"$ROOT/tools/pg.sh" start "$RUNDIR/pg" "$PGPORT" >"$LOGDIR/pg-start.log" 2>&1 || {
    cat "$LOGDIR/pg-start.log" >&2
    die "PostgreSQL did not start"
}
# Room for httpd's pools (2 x DBDMax) and pgbench's clients side by side.
q "ALTER SYSTEM SET max_connections = $((CONNS + 100))" >/dev/null
"$ROOT/tools/pg.sh" stop "$RUNDIR/pg" >>"$LOGDIR/pg-start.log" 2>&1
"$ROOT/tools/pg.sh" start "$RUNDIR/pg" "$PGPORT" >>"$LOGDIR/pg-start.log" 2>&1 || {
    cat "$LOGDIR/pg-start.log" >&2
    die "PostgreSQL did not restart"
}
PGDATA=$("$ROOT/tools/pg.sh" path "$RUNDIR/pg")
say "PostgreSQL $(q 'SHOW server_version'): max_connections=$(q 'SHOW max_connections')" \
    "shared_buffers=$(q 'SHOW shared_buffers') fsync=$(q 'SHOW fsync')" \
    "synchronous_commit=$(q 'SHOW synchronous_commit') (BENCH_PG_FAST=$PG_FAST)"

# ---- Seed -------------------------------------------------------------------------

START_DAY=$(date -u -d '+2 days' +%F)
TODAY=$(date -u +%F)
T=$(now_s)
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" -f "$BENCH/seed.sql" \
    -v start_day="$START_DAY" -v book_providers="$BOOK_PROVIDERS" \
    -v book_slots="$BOOK_SLOTS" -v contention_slots="$RACE_SLOTS" >"$LOGDIR/seed.log" 2>&1 || {
    cat "$LOGDIR/seed.log" >&2
    die "bench/seed.sql failed"
}
SEED_SMALL_S=$(elapsed "$T")
SEED_LARGE_S=
if [ "$SCALE" = large ]; then
    T=$(now_s)
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" -f "$BENCH/seed-large.sql" \
        -v today="$TODAY" >>"$LOGDIR/seed.log" 2>&1 || {
        cat "$LOGDIR/seed.log" >&2
        die "bench/seed-large.sql failed"
    }
    SEED_LARGE_S=$(elapsed "$T")
fi

# The superuser of the authenticated scenarios: schedctl createsuperuser when this
# checkout has it, else a bcrypt hash from htpasswd.
if "$SCHEDCTL" --help 2>&1 | grep -q createsuperuser; then
    printf '%s\n' "$SU_PASSWORD" |
        "$SCHEDCTL" --dsn "$DSN" createsuperuser --username "$SU_NAME" --password-stdin \
            >>"$LOGDIR/seed.log" 2>&1 || die "schedctl createsuperuser failed"
else
    HASH=$(htpasswd -nbB "$SU_NAME" "$SU_PASSWORD" | cut -d: -f2)
    q "INSERT INTO users (username, password, is_superuser)
       VALUES ('$SU_NAME', '$HASH', true)" >/dev/null
fi
T=$(now_s)
q "VACUUM ANALYZE" >/dev/null
# The seed's writes reach the disk now, not during the first scenario: with fsync off
# they sit in the page cache, and the kernel's writeback would run beside wrk.
q "CHECKPOINT" >/dev/null
sync
VACUUM_S=$(elapsed "$T")

COUNTS=$(q "SELECT (SELECT count(*) FROM users) || ' users, '
                || (SELECT count(*) FROM clients) || ' clients, '
                || (SELECT count(*) FROM providers) || ' providers, '
                || (SELECT count(*) FROM slots) || ' slots ('
                || (SELECT count(*) FROM slots WHERE start_time < now()) || ' past), '
                || (SELECT count(*) FROM reservations) || ' reservations, '
                || pg_size_pretty(pg_database_size(current_database()))")
say "data set: $COUNTS"
say "seeding: seed.sql ${SEED_SMALL_S}s${SEED_LARGE_S:+, seed-large.sql ${SEED_LARGE_S}s}," \
    "VACUUM ANALYZE, CHECKPOINT, sync ${VACUUM_S}s"

# First id of a group of users' role records (clients or providers), checked to be
# contiguous.
group_first() {
    local table=$1 prefix=$2 count=$3 row first n last
    row=$(q "SELECT min(t.id), count(*), max(t.id) FROM $table t JOIN users u ON u.id = t.user_id
             WHERE u.username LIKE '${prefix}\\_%'")
    IFS='|' read -r first n last <<<"$row"
    [ "$n" = "$count" ] && [ $((last - first + 1)) = "$count" ] ||
        die "$table of $prefix: expected $count consecutive ids, got $row"
    echo "$first"
}

LIST_PROVIDER_FIRST=$(group_first providers lp 50)
CLIENT_FIRST=$(group_first clients gc 200)
BOOK_PROVIDER_FIRST=$(group_first providers bp "$BOOK_PROVIDERS")
BOOK_CLIENT_FIRST=$(group_first clients bc "$BOOK_PROVIDERS")
RACE_PROVIDER=$(group_first providers cp 1)
SCHED_PROVIDER_FIRST=$(group_first providers sp 50)
REPLACE_PROVIDER=$(group_first providers rp 1)
HORIZON_PROVIDER_FIRST=$(group_first providers hp 1000)
RACE_CLIENT_FIRST=$(group_first clients cc "$RACE_CLIENTS")
# Book slot k is slot id BOOK_SLOT_FIRST + k, of provider number k mod BOOK_PROVIDERS.
BOOK_SLOT_FIRST=$(q "SELECT min(id) FROM slots WHERE provider_id BETWEEN $BOOK_PROVIDER_FIRST
                     AND $((BOOK_PROVIDER_FIRST + BOOK_PROVIDERS - 1))")
BAD=$(q "SELECT count(*) FROM slots WHERE provider_id BETWEEN $BOOK_PROVIDER_FIRST
         AND $((BOOK_PROVIDER_FIRST + BOOK_PROVIDERS - 1))
         AND provider_id <> $BOOK_PROVIDER_FIRST + (id - $BOOK_SLOT_FIRST) % $BOOK_PROVIDERS")
[ "$BAD" = 0 ] || die "book slots are not numbered as expected ($BAD out of place)"
RACE_SLOT_FIRST=$(q "SELECT min(id) FROM slots WHERE provider_id = $RACE_PROVIDER")
DATES=$(for d in 0 1 2 3 4 5 6; do date -u -d "$START_DAY + $d days" +%F; done | paste -sd,)

# ---- httpd ------------------------------------------------------------------------

write_config "$BENCH/httpd.conf.in" "$RUNDIR/httpd.conf"
"$HTTPD" -d "$RUNDIR" -f "$RUNDIR/httpd.conf" -k start >"$LOGDIR/httpd-start.log" 2>&1 || {
    cat "$LOGDIR/httpd-start.log" "$RUNDIR/error.log" >&2 2>/dev/null || true
    die "httpd did not start"
}
for i in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health/" || true)" = 200 ] && break
    [ "$i" = 150 ] && die "httpd does not answer GET /health/ with 200"
    sleep 0.1
done

MPM=$("$HTTPD" -d "$RUNDIR" -f "$RUNDIR/httpd.conf" -V 2>/dev/null |
    sed -n 's/^Server MPM: *//p' | head -1)
SETTINGS=$(grep -E '^(StartServers|ServerLimit|ThreadsPerChild|MaxRequestWorkers|MinSpareThreads|MaxSpareThreads|KeepAlive|DBDMin|DBDKeep|DBDMax|DBDExptime) ' \
    "$RUNDIR/httpd.conf" | paste -sd' ' | sed 's/  */ /g')
say "httpd: $("$HTTPD" -v | sed -n 's/^Server version: //p'), MPM ${MPM:-event}: $SETTINGS"

# A list_slots answer, and a static file of the same bytes.
SAMPLE_URL="$URL/available_slots/?provider=$LIST_PROVIDER_FIRST&date=${DATES%%,*}"
curl -sf -o "$RUNDIR/htdocs/static/slots.json" "$SAMPLE_URL" ||
    die "GET $SAMPLE_URL failed"
is_root && chmod 0644 "$RUNDIR/htdocs/static/slots.json"
STATIC_BYTES=$(stat -c %s "$RUNDIR/htdocs/static/slots.json")
AUTH=$(printf '%s:%s' "$SU_NAME" "$SU_PASSWORD" | base64 -w0)
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $AUTH" \
    "$URL/auth/clients/$CLIENT_FIRST/")" = 200 ] ||
    die "GET /auth/clients/$CLIENT_FIRST/ as $SU_NAME does not answer 200"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/auth/clients/$CLIENT_FIRST/")" = 401 ] ||
    die "GET /auth/clients/$CLIENT_FIRST/ without credentials does not answer 401"

export BENCH_DIR=$BENCH BENCH_THREADS=$THREADS
export BENCH_PROVIDER_FIRST=$LIST_PROVIDER_FIRST BENCH_PROVIDER_COUNT=50 BENCH_DATES=$DATES
export BENCH_CLIENT_FIRST=$CLIENT_FIRST BENCH_CLIENT_COUNT=200
export BENCH_BOOK_SLOT_FIRST=$BOOK_SLOT_FIRST BENCH_BOOK_CLIENT_FIRST=$BOOK_CLIENT_FIRST
export BENCH_BOOK_PROVIDERS=$BOOK_PROVIDERS BENCH_BOOK_FROM=0 BENCH_BOOK_TO=$BOOK_SLOTS
export BENCH_RACE_SLOT_FIRST=$RACE_SLOT_FIRST BENCH_RACE_CLIENT_FIRST=$RACE_CLIENT_FIRST
export BENCH_RACE_CLIENT_COUNT=$RACE_CLIENTS BENCH_RACE_EVERY=$CONNS

# ---- Runs -------------------------------------------------------------------------

RESULTS=$OUT/results-$SCALE.jsonl
: >"$RESULTS.tmp"
declare -A RPS P50 P99 NON2XX LOGGED

log_lines() {
    wc -l <"$RUNDIR/error.log" 2>/dev/null || echo 0
}

# Error lines of the error log after line FROM.
log_errors() {
    tail -n +"$(($1 + 1))" "$RUNDIR/error.log" 2>/dev/null |
        grep -cE '\[(sched:(error|crit|alert|emerg)|core:(error|crit|alert|emerg))\]|exit signal' ||
        true
}

# Wait (at most 15 s) until no statement of httpd's runs any more.
wait_idle() {
    local i
    for i in $(seq 1 150); do
        [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'
                AND backend_type = 'client backend' AND pid <> pg_backend_pid()")" = 0 ] &&
            return 0
        sleep 0.1
    done
}

json_field() {
    perl -MJSON::PP -e 'my $j = decode_json($ARGV[0]); print $j->{$ARGV[1]} // ""' "$1" "$2"
}

# Book runs each start on free slots: the bookings of the run before are cancelled
# (cancelled reservations stay, as history does).
free_book_slots() {
    q "UPDATE reservations SET cancelled_at = now() WHERE cancelled_at IS NULL
       AND slot_id BETWEEN $BOOK_SLOT_FIRST AND $((BOOK_SLOT_FIRST + BOOK_SLOTS - 1))" >/dev/null
}

# run_child LOG CMD...: runs CMD in the background and waits for it here, in this
# shell (not in a $(...) subshell), so that Ctrl-C ends the run at once: wrk stops
# quietly on SIGINT, and the INT trap only fires in the shell that waits.
run_child() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    CHILD_PID=$!
    wait "$CHILD_PID" || { CHILD_PID=; cat "$log" >&2; die "$1 failed (see $log)"; }
    CHILD_PID=
}

# wrk_once LOG SCRIPT DURATION: one wrk run; sets WRK_JSON to its BENCH_RESULT.
wrk_once() {
    local log=$1 script=$2 duration=$3
    run_child "$log" wrk -t "$THREADS" -c "$CONNS" -d "$duration" --timeout "$WRK_TIMEOUT" \
        -s "$BENCH/$script" "$URL"
    WRK_JSON=$(sed -n 's/^BENCH_RESULT //p' "$log" | tail -1)
}

# scenario NAME SCRIPT: warm-up, then the measured run; one line of results.
scenario() {
    local name=$1 script=$2 json extra=
    LAST_JSON=
    wanted "$name" || return 0
    if [ "$WARM_S" -gt 0 ]; then
        wrk_once "$LOGDIR/$name-warmup.txt" "$script" "$WARMUP"
    fi
    [ -z "${BEFORE_MEASURE:-}" ] || $BEFORE_MEASURE
    local log_from
    log_from=$(log_lines)
    wrk_once "$LOGDIR/$name.txt" "$script" "$DURATION"
    json=$WRK_JSON
    # Requests wrk gave up on at the end still run: their errors count too.
    wait_idle
    LOGGED[$name]=$(($(log_errors "$log_from")))
    [ -n "$json" ] || die "no result from wrk ($name): see $LOGDIR/$name.txt"
    RPS[$name]=$(json_field "$json" rps)
    P50[$name]=$(json_field "$json" p50_ms)
    P99[$name]=$(json_field "$json" p99_ms)
    NON2XX[$name]=$(json_field "$json" non2xx)
    local errors
    errors=$(perl -MJSON::PP -e 'my $j = decode_json($ARGV[0]);
        my $n = 0; $n += $j->{$_} for qw(connect_errors read_errors write_errors timeouts);
        print $n' "$json")
    [ "$errors" = 0 ] || extra=" socket errors/timeouts $errors"
    [ "${LOGGED[$name]}" = 0 ] || extra="$extra; error log +${LOGGED[$name]} lines"
    printf '%-16s %9.0f req/s  p50 %8.2f ms  p99 %8.2f ms  non-2xx %d%s\n' "$name" \
        "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" "${NON2XX[$name]}" "$extra" |
        tee -a "$LOGDIR/run.log"
    printf '{"scale":"%s","scenario":"%s","connections":%d,"threads":%d,"duration":"%s",%s\n' \
        "$SCALE" "$name" "$CONNS" "$THREADS" "$DURATION" "${json#\{}" >>"$RESULTS.tmp"
    LAST_JSON=$json
}

say ""
say "scenario              req/s        p50             p99         non-2xx"
BEFORE_MEASURE= scenario list_slots list_slots.lua
scenario get_one get_one.lua

# book: the warm-up and the measured run each start from free slots.
book_measure() {
    free_book_slots
}
if wanted book; then
    free_book_slots
    BEFORE_MEASURE=book_measure scenario book book.lua
    [ "$(json_field "$LAST_JSON" wrapped)" = 0 ] ||
        say "  warning: book ran out of free slots ($BOOK_SLOTS): raise BENCH_BOOK_SLOTS"
    free_book_slots
fi

# contention: the warm-up races for the second half of the slots, the measured run for
# the first half.
race_measure() {
    export BENCH_RACE_FROM=0 BENCH_RACE_TO=$((RACE_SLOTS / 2))
}
RACE_DOUBLE=0
if wanted contention; then
    export BENCH_RACE_FROM=$((RACE_SLOTS / 2)) BENCH_RACE_TO=$RACE_SLOTS
    BEFORE_MEASURE=race_measure scenario contention contention.lua
    RACE_LAST=$(json_field "$LAST_JSON" last_slot)
    RACE_201=$(json_field "$LAST_JSON" n201)
    RACE_409=$(json_field "$LAST_JSON" n409)
    RACE_5XX=$(json_field "$LAST_JSON" n5xx)
    RACE_4XX=$(json_field "$LAST_JSON" n4xx)
    RACE_OTHER=$(($(json_field "$LAST_JSON" n2xx) + $(json_field "$LAST_JSON" nother)))
    RACE_CHECK=$(q "SELECT count(*), count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1)
        FROM (SELECT s.id, count(r.id) AS n FROM slots s
              LEFT JOIN reservations r ON r.slot_id = s.id AND r.cancelled_at IS NULL
                                      AND r.held_until > now()
              WHERE s.id BETWEEN $RACE_SLOT_FIRST AND $((RACE_SLOT_FIRST + RACE_LAST))
              GROUP BY s.id) x")
    IFS='|' read -r RACED RACE_ONE RACE_DOUBLE <<<"$RACE_CHECK"
    RACE_LINE="$RACED slots raced, $RACE_ONE booked once, double-booked: $RACE_DOUBLE; answers: 201 $RACE_201, 409 $RACE_409, 5xx $RACE_5XX, other 4xx $RACE_4XX, other $RACE_OTHER"
    # Requests still waiting when wrk stopped get no answer wrk counts; their errors
    # (statement timeout, deadlock) are in the error log.
    RACE_LINE="$RACE_LINE; error-log lines, unanswered requests included: ${LOGGED[contention]}"
    say "  contention: $RACE_LINE"
fi

# The same bookings with the event triggers off (ALTER TABLE ... DISABLE TRIGGER, every
# trigger named *_events_*), then on again: what recording every change costs them.
event_triggers() {
    q "DO \$\$DECLARE t record;
       BEGIN
           FOR t IN SELECT tgrelid::regclass AS rel, tgname FROM pg_trigger
                     WHERE NOT tgisinternal AND tgname LIKE '%\\_events\\_%' LOOP
               EXECUTE format('ALTER TABLE %s $1 TRIGGER %I', t.rel, t.tgname);
           END LOOP;
       END\$\$" >/dev/null
}
# contention_no_events races for the slots contention raced: their bookings go first.
race_reset() {
    q "DELETE FROM reservations WHERE slot_id BETWEEN $RACE_SLOT_FIRST
       AND $((RACE_SLOT_FIRST + RACE_SLOTS - 1))" >/dev/null
}
EVENTS_LINE=
if wanted book_no_events || wanted contention_no_events; then
    event_triggers DISABLE
    if wanted book_no_events; then
        free_book_slots
        BEFORE_MEASURE=book_measure scenario book_no_events book.lua
        free_book_slots
    fi
    if wanted contention_no_events; then
        race_reset
        export BENCH_RACE_FROM=$((RACE_SLOTS / 2)) BENCH_RACE_TO=$RACE_SLOTS
        BEFORE_MEASURE=race_measure scenario contention_no_events contention.lua
    fi
    event_triggers ENABLE
    for name in book contention; do
        if [ -n "${RPS[$name]:-}" ] && [ -n "${RPS[${name}_no_events]:-}" ]; then
            EVENTS_LINE="$EVENTS_LINE${EVENTS_LINE:+; }$(perl -e 'printf "%s keeps %.0f %% of its requests/s with the events (%.0f with, %.0f without)",
                $ARGV[0], 100 * $ARGV[1] / $ARGV[2], $ARGV[1], $ARGV[2]' \
                "$name" "${RPS[$name]}" "${RPS[${name}_no_events]}")"
        fi
    done
    [ -z "$EVENTS_LINE" ] || say "  events: $EVENTS_LINE"
fi

# book_webhooks: three webhooks of every event, sent to this httpd (Redirect 204).
# The bookings' rate with them, against book's; then the sender's rate: the attempts
# recorded from the start of the measured run until no delivery is due any more.
WEBHOOKS_LINE=
webhooks_measure() {
    free_book_slots
    HOOK_T0=$(now_s)
    HOOK_A0=$(q "SELECT count(*) FROM webhook_attempts")
}
if wanted book_webhooks; then
    for i in 1 2 3; do
        curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
            -d "{\"url\": \"$URL/hook?$i\", \"events\": [\"*\"]}" "$URL/webhooks/" |
            grep -qx 201 || die "cannot make the webhooks of book_webhooks"
    done
    BEFORE_MEASURE=webhooks_measure scenario book_webhooks book.lua
    HOOK_T1=$(now_s)
    HOOK_BACKLOG=$(q "SELECT count(*) FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL")
    for _ in $(seq 1 1200); do
        [ "$(q "SELECT count(*) FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL
                OR lease_until IS NOT NULL")" = 0 ] && break
        sleep 0.5
    done
    HOOK_T2=$(now_s)
    HOOK_SENT=$(( $(q "SELECT count(*) FROM webhook_attempts") - HOOK_A0 ))
    HOOK_FAILED=$(q "SELECT count(*) FROM webhook_attempts WHERE status IS NULL OR status >= 300")
    WEBHOOKS_LINE=$(perl -e 'my ($with, $without, $sent, $t0, $t1, $t2, $backlog, $failed) = @ARGV;
        printf "book keeps %s of its requests/s with 3 webhooks (%.0f with, %s without); the sender recorded %d attempts in %.1f s, %.0f/s (%d still due when the run ended, all delivered %.1f s later; %d not 2xx)",
            $without ? sprintf("%.0f %%", 100 * $with / $without) : "-", $with,
            $without ? sprintf("%.0f", $without) : "-", $sent, $t2 - $t0,
            $sent / (($t2 - $t0) || 1), $backlog, $t2 - $t1, $failed' \
        "${RPS[book_webhooks]}" "${RPS[book]:-0}" "$HOOK_SENT" "$HOOK_T0" "$HOOK_T1" \
        "$HOOK_T2" "$HOOK_BACKLOG" "$HOOK_FAILED")
    say "  webhooks: $WEBHOOKS_LINE"
    q "DELETE FROM webhooks" >/dev/null
    free_book_slots
fi

export BENCH_PREFIX=/auth BENCH_AUTH=$AUTH
scenario list_slots_auth list_slots.lua
scenario get_one_auth get_one.lua
unset BENCH_PREFIX BENCH_AUTH

scenario static static.lua
wanted static &&
    say "  static: a file of $STATIC_BYTES bytes (a list_slots answer) from the same httpd"

export BENCH_PROVIDER_FIRST=$SCHED_PROVIDER_FIRST
scenario list_slots_schedule list_slots.lua
export BENCH_PROVIDER_FIRST=$LIST_PROVIDER_FIRST

# ---- pgbench: the database's ceiling ------------------------------------------------

# pgbench_script NAME STATEMENT: the statement's exact SQL with $1..$n replaced by
# pgbench variables (keeping their casts); parameters the module sends as NULL become
# NULL literals (pgbench cannot send a NULL parameter).
pgbench_sql() {
    local stmt=$1 map=$2 sql
    sql=$("$SCHEDCTL" statement "$stmt") || die "schedctl statement $stmt failed"
    perl -e '
        my ($sql, $map) = @ARGV;
        my %m = map { split /=/, $_, 2 } split /,/, $map;
        $sql =~ s/\$(\d+)/exists $m{$1} ? $m{$1} : die "no value for \$$1\n"/ge;
        print "$sql;\n";' "$sql" "$map"
}

PGB_DIR=$LOGDIR/pgbench
mkdir -p "$PGB_DIR"

# list_slots: one script per day (a date is a string; pgbench \set makes numbers).
# $1 provider, $2 from, $3 to, $4 date, $5 tz, $6 window, $7 notice, $8 $9 cursor,
# $10 rows (limit 100 + 1).
for d in 0 1 2 3 4 5 6; do
    {
        echo "-- sched_slots_list_provider, date $(echo "$DATES" | cut -d, -f$((d + 1)))"
        echo "\\set p random($LIST_PROVIDER_FIRST, $((LIST_PROVIDER_FIRST + 49)))"
        pgbench_sql sched_slots_list_provider "1=:p,2=NULL,3=NULL,4=:d$d,5=NULL,6=:window,7=:notice,8=NULL,9=NULL,10=:fetch"
    } >"$PGB_DIR/list_slots-$d.sql"
done
{
    echo "-- sched_clients_get (open access: \$1 NULL user, \$2 true)"
    echo "\\set c random($CLIENT_FIRST, $((CLIENT_FIRST + 199)))"
    pgbench_sql sched_clients_get "1=NULL,2=:open,3=:c"
} >"$PGB_DIR/get_one.sql"
# Book: client i books slot k = off + i + n * clients of its own range (n counts its
# transactions), so no two bookings take one slot. $7 NULL: no Idempotency-Key.
{
    echo "-- sched_reservations_create: a different free slot each time"
    echo "\\set k :off + :client_id + :n * $CONNS"
    echo "\\set n :n + 1"
    echo "\\set k mod(:k, $BOOK_SLOTS)"
    echo "\\set slot $BOOK_SLOT_FIRST + :k"
    echo "\\set client $BOOK_CLIENT_FIRST + mod(:k, $BOOK_PROVIDERS)"
    pgbench_sql sched_reservations_create "1=NULL,2=:open,3=:client,4=:slot,5=:hold,6=:notice,7=NULL,8=:req"
} >"$PGB_DIR/book.sql"

# pgbench_run NAME ARGS...: sets PGB_OUT to "tps average-latency-ms failed".
pgbench_run() {
    local name=$1 log d dates=()
    shift
    log=$PGB_DIR/$name.txt
    for d in 0 1 2 3 4 5 6; do
        dates+=(-D "d$d=$(echo "$DATES" | cut -d, -f$((d + 1)))")
    done
    # The session of the module's connections (src/sched_conn.c): generic plans.
    local -x PGOPTIONS='-c plan_cache_mode=force_generic_plan'
    run_child "$log" "$PGBIN/pgbench" -n -M prepared -c "$CONNS" -j "$THREADS" -T "$DUR_S" \
        -D window='604800 seconds' -D notice='86400 seconds' -D hold='1800 seconds' \
        -D fetch=101 -D open=t -D off=0 -D n=0 -D req='client=&slot=&user=' \
        "${dates[@]}" "$@" -d "$DSN"
    local tps lat failed
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | head -1)
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log" | head -1)
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log" | head -1)
    PGB_OUT="${tps:-0} ${lat:-0} ${failed:-0}"
}

declare -A PGB_TPS PGB_LAT PGB_RATIO
PGB_FAILED=0
CEILINGS=
for name in list_slots get_one book; do
    wanted "$name" && CEILINGS="$CEILINGS $name"
done
if [ -n "$CEILINGS" ]; then
    say ""
    say "ceiling (pgbench -M prepared, $CONNS clients, ${DUR_S}s, the module's SQL):"
fi
for name in $CEILINGS; do
    case $name in
        list_slots)
            pgbench_args=()
            for d in 0 1 2 3 4 5 6; do pgbench_args+=(-f "$PGB_DIR/list_slots-$d.sql"); done
            ;;
        *) pgbench_args=(-f "$PGB_DIR/$name.sql") ;;
    esac
    [ "$name" != book ] || free_book_slots
    pgbench_run "$name" "${pgbench_args[@]}"
    read -r PGB_TPS[$name] PGB_LAT[$name] failed <<<"$PGB_OUT"
    [ "$name" != book ] || free_book_slots
    PGB_FAILED=$((PGB_FAILED + failed))
    ratio=$(perl -e 'printf "%.2f", $ARGV[1] > 0 ? $ARGV[0] / $ARGV[1] : 0' \
        "${RPS[$name]}" "${PGB_TPS[$name]}")
    PGB_RATIO[$name]=$ratio
    printf '%-16s %9.0f tps    avg %8.2f ms  module/pgbench %s\n' "$name" \
        "${PGB_TPS[$name]}" "${PGB_LAT[$name]}" "$ratio" | tee -a "$LOGDIR/run.log"
    printf '{"scale":"%s","scenario":"pgbench_%s","connections":%d,"tps":%s,"avg_ms":%s,"module_ratio":%s}\n' \
        "$SCALE" "$name" "$CONNS" "${PGB_TPS[$name]}" "${PGB_LAT[$name]}" "$ratio" >>"$RESULTS.tmp"
done
[ "$PGB_FAILED" = 0 ] || say "  warning: pgbench reported $PGB_FAILED failed transactions"

# ---- Memory -----------------------------------------------------------------------

# VmRSS (kB) of each httpd child: "pid kB" lines.
children_rss() {
    local parent pid
    parent=$(httpd_pid)
    for pid in $(ps -o pid= --ppid "$parent"); do
        printf '%s %s\n' "$pid" "$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    done
}

MEM_LINE=
if [ "$MEM_REQUESTS" -gt 0 ]; then
    say ""
    say "memory: $MEM_REQUESTS requests of the mix (9 list_slots : 9 get_one : 2 book)"
    BEFORE=$(children_rss)
    done_requests=0
    chunk=5
    mem_non2xx=0
    while [ "$done_requests" -lt "$MEM_REQUESTS" ]; do
        free_book_slots
        wrk_once "$LOGDIR/memory-$done_requests.txt" mixed.lua "${chunk}s"
        json=$WRK_JSON
        n=$(json_field "$json" requests)
        rps=$(json_field "$json" rps)
        mem_non2xx=$((mem_non2xx + $(json_field "$json" non2xx)))
        done_requests=$((done_requests + n))
        left=$((MEM_REQUESTS - done_requests))
        # The next chunk: what is left at this pace, at least 2 s, at most 60 s.
        chunk=$(perl -e 'my $s = int($ARGV[0] / ($ARGV[1] || 1)) + 1;
                         print $s < 2 ? 2 : $s > 60 ? 60 : $s' -- "$left" "$rps")
    done
    free_book_slots
    AFTER=$(children_rss)
    MEM_LINE=$(perl -e '
        my ($before, $after, $n) = @ARGV;
        my %b = map { split } split /\n/, $before;
        my %a = map { split } split /\n/, $after;
        my ($tb, $ta, @lines) = (0, 0);
        for my $pid (sort { $a <=> $b } keys %b) {
            if (!exists $a{$pid}) { push @lines, "  child $pid: gone"; next }
            $tb += $b{$pid}; $ta += $a{$pid};
            push @lines, sprintf "  child %d: %d kB -> %d kB (%+d kB)", $pid, $b{$pid},
                $a{$pid}, $a{$pid} - $b{$pid};
        }
        push @lines, "  child $_: new" for grep { !exists $b{$_} } sort keys %a;
        push @lines, sprintf "  total: %d kB -> %d kB (%+d kB, %.1f bytes per request)",
            $tb, $ta, $ta - $tb, $n ? 1024 * ($ta - $tb) / $n : 0;
        print join("\n", @lines), "\n";' "$BEFORE" "$AFTER" "$done_requests")
    say "$MEM_LINE"
    say "  ($done_requests requests, non-2xx $mem_non2xx)"
    printf '{"scale":"%s","scenario":"memory","requests":%d,"non2xx":%d,"rss_before_kb":%d,"rss_after_kb":%d}\n' \
        "$SCALE" "$done_requests" "$mem_non2xx" \
        "$(echo "$BEFORE" | awk '{s += $2} END {print s + 0}')" \
        "$(echo "$AFTER" | awk '{s += $2} END {print s + 0}')" >>"$RESULTS.tmp"
fi

# ---- Schedules --------------------------------------------------------------------

# weekly_json START END: every day of the week, START to END local.
weekly_json() {
    local d out=
    for d in 1 2 3 4 5 6 7; do
        out="$out${out:+, }{\"weekday\": $d, \"start\": \"$1\", \"end\": \"$2\"}"
    done
    echo "[$out]"
}

# The 20 changes of the schedule of the scenario schedules as the database sees them:
# the statement the module runs, in a session like the module's (generic plans), by
# psql, each its own transaction, timed with its commit; prints the 20 times in ms.
# The tables are vacuumed first, so that each series starts from the same state.
replace_in_db() {
    local file=$1 i hours
    q "VACUUM slots, events" >/dev/null
    {
        echo "SET plan_cache_mode = force_generic_plan;"
        echo "\\timing on"
        for i in $(seq 1 20); do
            if [ $((i % 2)) = 1 ]; then hours="09:15 17:45"; else hours="09:00 17:30"; fi
            # shellcheck disable=SC2086
            echo "\\set weekly '$(weekly_json $hours)'"
            echo "$REPLACE_STMT"
        done
    } >"$file"
    local times
    times=$("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" -f "$file" |
        sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    [ "$(echo "$times" | wc -l)" = 20 ] || die "psql did not time 20 changes of the schedule ($file)"
    echo "$times"
}

SCHED_LINES=
if wanted schedules; then
    say ""
    say "schedules:"
    body="{\"provider\": $REPLACE_PROVIDER, \"time_zone\": \"Europe/Paris\", \"slot_minutes\": 30,
           \"horizon_days\": 60, \"weekly\": $(weekly_json 09:00 17:30)}"
    code=$(curl -s -o "$LOGDIR/schedule.json" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' -d "$body" "$URL/schedules/")
    [ "$code" = 201 ] || die "POST /schedules/ answered $code: $(cat "$LOGDIR/schedule.json")"
    SCHEDULE_ID=$(json_field "$(cat "$LOGDIR/schedule.json")" id)
    REPLACE_SLOTS=$(q "SELECT count(*) FROM slots WHERE provider_id = $REPLACE_PROVIDER")
    times=()
    for i in $(seq 1 20); do
        if [ $((i % 2)) = 1 ]; then hours="09:15 17:45"; else hours="09:00 17:30"; fi
        # shellcheck disable=SC2086
        body="{\"time_zone\": \"Europe/Paris\", \"slot_minutes\": 30, \"horizon_days\": 60,
               \"weekly\": $(weekly_json $hours)}"
        out=$(curl -s -o "$LOGDIR/schedule-put.json" -w '%{http_code} %{time_total}' -X PUT \
            -H 'Content-Type: application/json' -d "$body" "$URL/schedules/$SCHEDULE_ID/")
        [ "${out%% *}" = 200 ] ||
            die "PUT /schedules/$SCHEDULE_ID/ answered $out: $(cat "$LOGDIR/schedule-put.json")"
        times+=("${out#* }")
    done
    AFTER_SLOTS=$(q "SELECT count(*) FROM slots WHERE provider_id = $REPLACE_PROVIDER
                     AND start_time >= now()")
    REPLACE_LINE=$(perl -e '
        my ($n, @t) = @ARGV;
        @t = sort { $a <=> $b } map { $_ * 1000 } @t;
        printf "replace a schedule of %d slots (60 days; every slot deleted and made again),"
             . " PUT over HTTP, %d times: median %.1f ms, p90 %.1f ms, max %.1f ms",
            $n, scalar @t, $t[$#t / 2], $t[int(0.9 * $#t)], $t[-1];' \
        "$REPLACE_SLOTS" "${times[@]}")
    say "  $REPLACE_LINE ($AFTER_SLOTS future slots after)"
    # The same changes as the database sees them: the statement the module runs, in a
    # session like the module's (generic plans), each its own transaction; psql's
    # timing includes the commit.
    REPLACE_STMT=$(pgbench_sql sched_schedules_update \
        "1=NULL,2=true,3=$SCHEDULE_ID,4='Europe/Paris',5=30,6=NULL,7=NULL,8=NULL,9=false,10=60,11=:'weekly',12=NULL")
    db_times=$(replace_in_db "$LOGDIR/schedule-replace.sql")
    REPLACE_DB_LINE=$(perl -e '
        my @t = sort { $a <=> $b } @ARGV;
        printf "the same changes in the database (the statement and its commit, psql):"
             . " median %.1f ms, p90 %.1f ms, max %.1f ms", $t[$#t / 2], $t[int(0.9 * $#t)], $t[-1];' \
        $db_times)
    say "  $REPLACE_DB_LINE"
    # What each guarantee of the slots costs these changes: the same 20 changes with
    # it removed, then put back as it was (its definition read from the catalog).
    COST_LINE="what the slots' guarantees cost them (median of the same 20):"
    declare -A SLOT_CONSTRAINT
    for c in slots_overlap slots_provider_fkey slots_schedule_fkey; do
        SLOT_CONSTRAINT[$c]=$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint
                                  WHERE conrelid = 'slots'::regclass AND conname = '$c'")
        [ -n "${SLOT_CONSTRAINT[$c]}" ] || die "slots has no constraint $c"
    done
    EVENTS_OFF="ALTER TABLE slots DISABLE TRIGGER slots_events_insert, DISABLE TRIGGER slots_events_delete;"
    OVERLAP_OFF="ALTER TABLE slots DROP CONSTRAINT slots_overlap;"
    FKEYS_OFF="ALTER TABLE slots DROP CONSTRAINT slots_provider_fkey, DROP CONSTRAINT slots_schedule_fkey;"
    for variant in events overlap foreign_keys none; do
        case $variant in
            events) label="without the slots' events"; setup=$EVENTS_OFF ;;
            overlap) label="without their exclusion constraint"; setup=$OVERLAP_OFF ;;
            foreign_keys) label="without their two foreign keys"; setup=$FKEYS_OFF ;;
            none) label="without any of the three"; setup="$EVENTS_OFF $OVERLAP_OFF $FKEYS_OFF" ;;
        esac
        q "$setup" >/dev/null
        db_times=$(replace_in_db "$LOGDIR/schedule-replace-$variant.sql")
        q "ALTER TABLE slots ENABLE TRIGGER slots_events_insert, ENABLE TRIGGER slots_events_delete" \
            >/dev/null
        for c in "${!SLOT_CONSTRAINT[@]}"; do
            [ -n "$(q "SELECT 1 FROM pg_constraint
                        WHERE conrelid = 'slots'::regclass AND conname = '$c'")" ] ||
                q "ALTER TABLE slots ADD CONSTRAINT $c ${SLOT_CONSTRAINT[$c]}" >/dev/null
        done
        median=$(perl -e 'my @t = sort { $a <=> $b } @ARGV; printf "%.1f", $t[$#t / 2]' $db_times)
        COST_LINE="$COST_LINE $label $median ms;"
    done
    COST_LINE=${COST_LINE%;}
    [ "$(q "SELECT count(*) FROM pg_constraint WHERE conrelid = 'slots'::regclass
             AND conname IN ('slots_overlap', 'slots_provider_fkey', 'slots_schedule_fkey')")" = 3 ] &&
        [ "$(q "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'slots'::regclass
                 AND tgname IN ('slots_events_insert', 'slots_events_delete')
                 AND tgenabled = 'O'")" = 2 ] ||
        die "the slots' constraints and event triggers were not all put back"
    say "  $COST_LINE"

    # The horizon task: 1,000 schedules (Europe/Paris, Monday to Friday 09:00-17:00,
    # 30 minutes, 60 days) that have no slot yet, then one day later.
    q "INSERT INTO schedules (provider_id, time_zone, slot_minutes, horizon_days)
       SELECT id, 'Europe/Paris', 30, 60 FROM providers
        WHERE id BETWEEN $HORIZON_PROVIDER_FIRST AND $((HORIZON_PROVIDER_FIRST + 999))
        ORDER BY id;
       INSERT INTO schedule_intervals (schedule_id, weekday, start_minute, end_minute)
       SELECT sc.id, wd, 540, 1020 FROM schedules sc, generate_series(1, 5) wd
        WHERE sc.provider_id BETWEEN $HORIZON_PROVIDER_FIRST
                                 AND $((HORIZON_PROVIDER_FIRST + 999))" >/dev/null
    T=$(now_s)
    FIRST_OUT=$("$SCHEDCTL" --dsn "$DSN" materialize) || die "schedctl materialize failed"
    FIRST_S=$(elapsed "$T")
    # A day passes: the last day of each of those schedules undone.
    q "WITH sc AS (UPDATE schedules SET materialized_until = materialized_until - interval '1 day'
                    WHERE provider_id BETWEEN $HORIZON_PROVIDER_FIRST
                                          AND $((HORIZON_PROVIDER_FIRST + 999))
                   RETURNING id, materialized_until)
       DELETE FROM slots s USING sc
        WHERE s.schedule_id = sc.id AND s.start_time >= sc.materialized_until" >/dev/null
    T=$(now_s)
    DAY_OUT=$("$SCHEDCTL" --dsn "$DSN" materialize) || die "schedctl materialize failed"
    DAY_S=$(elapsed "$T")
    HORIZON_LINE="horizon task, 1,000 schedules: first 60 days ${FIRST_OUT#materialized: } in ${FIRST_S}s; one day later ${DAY_OUT#materialized: } in ${DAY_S}s"
    say "  $HORIZON_LINE"
    SCHED_LINES="schedules: $REPLACE_LINE
schedules: $REPLACE_DB_LINE
schedules: $COST_LINE
schedules: $HORIZON_LINE"
    printf '{"scale":"%s","scenario":"schedules","replace_slots":%d,"replace_s":[%s],"horizon_first_s":%s,"horizon_day_s":%s}\n' \
        "$SCALE" "$REPLACE_SLOTS" "$(IFS=,; echo "${times[*]}")" "$FIRST_S" "$DAY_S" >>"$RESULTS.tmp"
fi

# Errors the module logged during the run.
LOGGED=$(grep -cE '\[(sched:(error|crit|alert|emerg)|core:(error|crit|alert|emerg))\]|exit signal' \
    "$RUNDIR/error.log" 2>/dev/null || true)
mv "$RESULTS.tmp" "$RESULTS"

# ---- Summary ----------------------------------------------------------------------

SUMMARY=$OUT/summary-$SCALE.txt
{
    echo "mod_sched bench, SCALE=$SCALE, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
    echo "data set: $COUNTS"
    echo "httpd: MPM ${MPM:-event}: $SETTINGS"
    echo "wrk: $CONNS connections, $THREADS threads, $WARMUP warm-up + $DURATION measured"
    echo
    printf '%-16s %10s %10s %10s %8s %12s %9s\n' scenario 'req/s' 'p50 ms' 'p99 ms' \
        non-2xx 'pgbench tps' 'of pgbench'
    for name in ${SCENARIOS//,/ }; do
        [ "$name" != schedules ] || continue
        printf '%-16s %10.0f %10.2f %10.2f %8d %12s %9s\n' "$name" "${RPS[$name]}" \
            "${P50[$name]}" "${P99[$name]}" "${NON2XX[$name]}" \
            "$([ -n "${PGB_TPS[$name]:-}" ] && printf '%.0f' "${PGB_TPS[$name]}" || echo -)" \
            "${PGB_RATIO[$name]:--}"
    done
    echo
    [ -z "${RACE_LINE:-}" ] || echo "contention: $RACE_LINE"
    [ -z "$EVENTS_LINE" ] || echo "events: $EVENTS_LINE"
    [ -z "$WEBHOOKS_LINE" ] || echo "webhooks: $WEBHOOKS_LINE"
    [ -z "$SCHED_LINES" ] || echo "$SCHED_LINES"
    [ -z "$MEM_LINE" ] || { echo "memory (VmRSS of the httpd children):"; echo "$MEM_LINE"; }
    echo "error log: $LOGGED error lines (bench/out/$SCALE/error.log)"
    echo "seeding: seed.sql ${SEED_SMALL_S}s${SEED_LARGE_S:+, seed-large.sql ${SEED_LARGE_S}s}, VACUUM ANALYZE, CHECKPOINT, sync ${VACUUM_S}s; total run $(elapsed "$T0")s"
    if [ -f "$OUT/results-small.jsonl" ] && [ -f "$OUT/results-large.jsonl" ]; then
        echo
        echo "large / small p50 (from bench/out/results-*.jsonl):"
        perl -MJSON::PP -e '
            my %p;
            for my $scale (qw(small large)) {
                open my $fh, "<", "$ARGV[0]/results-$scale.jsonl" or next;
                while (<$fh>) { my $j = decode_json($_); $p{$scale}{$j->{scenario}} = $j->{p50_ms} }
            }
            for my $s (qw(list_slots get_one book)) {
                my ($a, $b) = ($p{small}{$s}, $p{large}{$s});
                next unless $a && $b;
                printf "  %-12s small %7.2f ms  large %7.2f ms  ratio %.2f\n", $s, $a, $b, $b / $a;
            }' "$OUT"
    fi
} >"$SUMMARY"
echo
echo "==== summary (bench/out/summary-$SCALE.txt) ===="
cat "$SUMMARY"
[ "$RACE_DOUBLE" = 0 ] || die "contention: $RACE_DOUBLE slots were booked twice"
