#!/usr/bin/env bash
# What `make run` runs once the module is built: a private PostgreSQL (.run/dev/pg,
# port 5433) and httpd in the foreground on http://127.0.0.1:8080/ with the API at `/`.
# Ctrl-C stops both. The data stays: the next run finds it again.
#
# On the first start (no superuser in the database yet) it creates the superuser
# `admin`, with the password in ADMIN_PASSWORD when that is set (make run
# ADMIN_PASSWORD=...), else with a generated one, which it prints.
#
# Environment: PORT (httpd, default 8080), PGPORT_DEV (PostgreSQL, default 5433),
# SCHED_HTTPD (default /usr/sbin/apache2), ADMIN_PASSWORD (see above).
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/run.sh
HTTPD=${SCHED_HTTPD:-/usr/sbin/apache2}
HTTPD_USER=www-data
. "$ROOT/tools/common.sh"
PORT=${PORT:-8080}
PGPORT=${PGPORT_DEV:-5433}
MODULE=$ROOT/.libs/mod_sched.so
ADMIN_USER=admin
HTTPD_PID=
# For the banner: LOGIN is created (ADMIN_GENERATED holds the password when it was
# generated) or existing (SUPERUSERS names them).
LOGIN=
ADMIN_GENERATED=
SUPERUSERS=

show_error_log() {
    if [ -s "$RUNDIR/error.log" ]; then
        echo "--- last lines of $RUNDIR/error.log:" >&2
        tail -n 20 "$RUNDIR/error.log" >&2
    fi
}

# An httpd left running by an earlier run that was killed: stop it.
stop_leftover() {
    local pid
    pid=$(cat "$RUNDIR/httpd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$CONF"; then
        echo "$PROG: stopping the httpd left from an earlier run (pid $pid)"
        "$HTTPD" -d "$RUNDIR" -f "$CONF" -k stop || true
        for _ in $(seq 1 150); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
}

cleanup() {
    trap - INT TERM EXIT
    echo
    if [ -n "$HTTPD_PID" ] && kill -0 "$HTTPD_PID" 2>/dev/null; then
        echo "$PROG: stopping httpd"
        kill -TERM "$HTTPD_PID" 2>/dev/null || true
        wait "$HTTPD_PID" 2>/dev/null || true
    fi
    "$ROOT/tools/pg.sh" stop "$RUNDIR/pg" || true
}

# Up to 15 s for GET /health/ to answer 200. Returns 1 when it does not, 2 when httpd
# has exited.
wait_healthy() {
    perl -MHTTP::Tiny -e '
        my ($url, $pid) = @ARGV;
        my $http = HTTP::Tiny->new(timeout => 2);
        for (1 .. 150) {
            exit 2 unless kill 0, $pid;
            exit 0 if $http->get($url)->{status} == 200;
            select undef, undef, undef, 0.1;
        }
        exit 1;' "$URL/health/" "$HTTPD_PID"
}

# 16 letters and digits from /dev/urandom.
generate_password() {
    local chars
    chars=$(head -c 48 /dev/urandom | base64 -w 0 | tr -dc 'A-Za-z0-9')
    echo "${chars:0:16}"
}

# On the first start (no superuser yet), create the superuser admin; a user admin that
# is there already becomes a superuser with this password. Sets LOGIN.
ensure_superuser() {
    local row count password
    row=$("$PGBIN/psql" -X -A -t -q -h 127.0.0.1 -p "$PGPORT" -U sched -d sched -c \
        "SELECT count(*), coalesce(string_agg(username, ', ' ORDER BY id), '')
           FROM users WHERE is_superuser")
    IFS='|' read -r count SUPERUSERS <<<"$row"
    if [ "${count:-0}" -gt 0 ]; then
        LOGIN=existing
        return
    fi
    if [ -n "${ADMIN_PASSWORD:-}" ]; then
        password=$ADMIN_PASSWORD
    else
        password=$(generate_password)
        ADMIN_GENERATED=$password
    fi
    printf '%s\n' "$password" |
        "$ROOT/tools/schedctl" --dsn "$DSN" createsuperuser --username "$ADMIN_USER" \
            --password-stdin --update ||
        die "could not create the superuser $ADMIN_USER"
    LOGIN=created
}

# The user:password of the sample curl lines.
credentials() {
    if [ -n "$ADMIN_GENERATED" ]; then
        echo "$ADMIN_USER:$ADMIN_GENERATED"
    else
        echo "$ADMIN_USER:PASSWORD"
    fi
}

# The Login lines of the banner.
login_text() {
    if [ "$LOGIN" = created ] && [ -n "$ADMIN_GENERATED" ]; then
        echo "user $ADMIN_USER, password $ADMIN_GENERATED"
        echo "             (generated now and not shown again: the database keeps a hash)"
    elif [ "$LOGIN" = created ]; then
        echo "user $ADMIN_USER, with the password you gave in ADMIN_PASSWORD"
    else
        echo "the superuser exists already ($SUPERUSERS), with the password it was"
        echo "             given at the first start. To set a new one for $ADMIN_USER:"
        echo "             tools/schedctl --dsn \"$DSN\" createsuperuser --username $ADMIN_USER --update"
        if [ -n "${ADMIN_PASSWORD:-}" ]; then
            echo "             (ADMIN_PASSWORD counts on the first start only)"
        fi
    fi
}

banner() {
    local rel=${RUNDIR#"$ROOT"/} login cred
    login=$(login_text)
    cred=$(credentials)
    cat <<EOF

mod_sched development server
  Web:       $URL/app/  (sign in there with the login below)
  API:       $URL/
  Access:    Basic auth against the users table, and the API's rules of who
             may do what (README: "Who may do what"). Without credentials only
             /, /health/ and /openapi.json answer.
  Login:     $login
  Database:  PostgreSQL on 127.0.0.1:$PGPORT, database sched, user sched
             $PGBIN/psql -h 127.0.0.1 -p $PGPORT -U sched sched
  Logs:      $rel/error.log and $rel/access.log (PostgreSQL: $rel/postgres.log)

Try:
  curl -s $URL/
  curl -s -u $cred $URL/users/me/
  curl -s -u $cred -X POST -H 'Content-Type: application/json' -d '{"username":"ada","password":"correct horse"}' $URL/users/

Press Ctrl-C to stop httpd and PostgreSQL.
EOF
}

[ -x "$HTTPD" ] || die "$HTTPD not found: install apache2 (make deps)"
[ -f "$MODULE" ] || die "$MODULE is missing: run make"
[ -x "$ROOT/tools/schedctl" ] || die "tools/schedctl is missing: run make"

RUNDIR=$(choose_rundir dev)
CONF=$RUNDIR/httpd.conf
URL=http://127.0.0.1:$PORT
DSN="host=127.0.0.1 port=$PGPORT dbname=sched user=sched"
PGBIN=$("$ROOT/tools/pg.sh" bindir)

stop_leftover
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

"$ROOT/tools/pg.sh" start "$RUNDIR/pg" "$PGPORT"
ensure_superuser

write_config "$ROOT/conf/dev.conf.in" "$CONF"
"$HTTPD" -t -d "$RUNDIR" -f "$CONF" >/dev/null 2>"$RUNDIR/configtest.log" || {
    cat "$RUNDIR/configtest.log" >&2
    die "the generated configuration $CONF does not work"
}

"$HTTPD" -d "$RUNDIR" -f "$CONF" -D FOREGROUND &
HTTPD_PID=$!

status=0
wait_healthy || status=$?
case $status in
    0) banner ;;
    2)
        show_error_log
        die "httpd did not start"
        ;;
    *)
        show_error_log
        echo "$PROG: warning: $URL/health/ does not answer 200 yet; httpd keeps running" >&2
        banner
        ;;
esac

status=0
wait "$HTTPD_PID" || status=$?
HTTPD_PID=
echo "$PROG: httpd exited (status $status)" >&2
show_error_log
exit 1
