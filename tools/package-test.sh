#!/usr/bin/env bash
# tools/package-test.sh [--installed]   (make package-test; .ci/run; debian/tests/control)
#
# The Debian package in this machine's own Apache httpd, the way README.Debian has an
# operator set it up:
#   - builds it (make deb) and installs dist/libapache2-mod-sched_*.deb with apt-get;
#     the module is not enabled by that;
#   - a2enmod sched and apachectl configtest before DBDParams is edited;
#   - a role and a database on the system PostgreSQL cluster (started if it was
#     not), schedctl migrate, check and createsuperuser (non-interactive);
#   - DBDParams in /etc/apache2/mods-available/sched.conf pointed at them, the web
#     interface's modules and session key, configtest, httpd started (or restarted);
#   - the API tests against http://127.0.0.1/api (tools/test-remote.sh, with the
#     database and httpd's error log), and a sign-in to the web interface at /app/;
#   - apt-get purge, then nothing of the package may be left: none of its files
#     (dpkg -L before the purge), no mods-enabled link, no state of a2enmod,
#     /usr/share/mod-sched gone; httpd still serves without it.
# Whatever happens, it then restores what it found: the modules enabled before, httpd
# and the cluster running or stopped as they were, no test role or database, no
# session key it made; the package purged if it installed it.
#
# --installed: the package is installed already (an autopkgtest): no build, no
# install, and it is purged all the same (breaks-testbed).
#
# As root, on a machine whose httpd and PostgreSQL may serve a test (CI, a testbed,
# a throw-away container): port 80 must be free, or httpd's own.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/package-test.sh
PKG=libapache2-mod-sched
BASE=http://127.0.0.1
DB=sched_pkgtest
ADMIN=admin
CONF=/etc/apache2/mods-available/sched.conf
KEY=/etc/apache2/sched-session.key
ERROR_LOG=/var/log/apache2/error.log
WEB_MODULES=(alias mime dir headers request session session_dbd session_crypto auth_form)

die() {
    echo "$PROG: $*" >&2
    exit 1
}

say() {
    echo "$PROG: $*"
}

installed=0
case ${1:-} in
    '') ;;
    --installed) installed=1 ;;
    *)
        echo "usage: $PROG [--installed]" >&2
        exit 2
        ;;
esac
[ "$(id -u)" -eq 0 ] || die "run it as root: it installs a package into the system's httpd"
for tool in apt-get a2enmod a2dismod a2query apachectl pg_lsclusters pg_ctlcluster psql; do
    command -v "$tool" >/dev/null ||
        die "$tool is missing: install apache2 and postgresql (make deps)"
done
export DEBIAN_FRONTEND=noninteractive

TMP=$(mktemp -d /tmp/mod_sched-package.XXXXXX)
WE_INSTALLED=0
HTTPD_WAS_RUNNING=0
HTTPD_STARTED=0
PG_STARTED=0
PG_VERSION= PG_CLUSTER= PG_PORT=
DB_MADE=0
KEY_MADE=0

httpd_running() {
    local pid
    pid=$(cat /var/run/apache2/apache2.pid 2>/dev/null || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# service(8) asks systemd where it runs, else the init script.
httpd_ctl() {
    if command -v service >/dev/null; then
        service apache2 "$1" >"$TMP/httpd-$1.log" 2>&1
    else
        apachectl "$1" >"$TMP/httpd-$1.log" 2>&1
    fi || {
        cat "$TMP/httpd-$1.log" >&2
        tail -n 20 "$ERROR_LOG" >&2 || true
        return 1
    }
}

# GET URL [curl options...] -> prints the status code; the body goes to $TMP/body.
http_get() {
    local url=$1
    shift
    curl -s -o "$TMP/body" -w '%{http_code}' --max-time 10 "$@" "$url" || true
}

wait_for() {
    local url=$1 want=$2 got
    shift 2
    for _ in $(seq 1 100); do
        got=$(http_get "$url" "$@")
        [ "$got" = "$want" ] && return 0
        sleep 0.2
    done
    die "GET $url answers $got, not $want: $(head -c 300 "$TMP/body" 2>/dev/null)"
}

psql_pg() {
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
}

restore() {
    local status=$? module
    set +e
    trap - EXIT
    if [ "$WE_INSTALLED" = 1 ] && dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null |
            grep -qx installed; then
        say "restoring: purging $PKG"
        apt-get purge -y -q "$PKG" >"$TMP/purge-again.log" 2>&1
    fi
    # The modules enabled here go again; a2enmod's records are as they were.
    for module in $(ls /etc/apache2/mods-enabled 2>/dev/null | sed -n 's/\.load$//p'); do
        grep -qx "$module" "$TMP/mods-before" 2>/dev/null ||
            a2dismod -q -f "$module" >/dev/null 2>&1
    done
    if [ -d "$TMP/state-before" ]; then
        rm -rf /var/lib/apache2 && cp -a "$TMP/state-before" /var/lib/apache2
    fi
    [ "$KEY_MADE" = 0 ] || rm -f "$KEY"
    if [ "$HTTPD_STARTED" = 1 ] && httpd_running; then
        httpd_ctl stop
    elif [ "$HTTPD_WAS_RUNNING" = 1 ]; then
        httpd_ctl restart
    fi
    if [ "$DB_MADE" = 1 ]; then
        psql_pg -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $DB"
    fi
    [ "$PG_STARTED" = 0 ] || pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop
    rm -rf -- "$TMP"
    if [ "$status" -eq 0 ]; then
        say "passed; the machine's httpd and PostgreSQL are as they were"
    else
        say "FAILED (status $status); the machine's httpd and PostgreSQL are restored" >&2
    fi
    exit "$status"
}

# ---- What the machine has -------------------------------------------------------

ls /etc/apache2/mods-enabled | sed -n 's/\.load$//p' >"$TMP/mods-before"
cp -a /var/lib/apache2 "$TMP/state-before"
if httpd_running; then
    HTTPD_WAS_RUNNING=1
elif perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new("127.0.0.1:80") ? 0 : 1)'; then
    die "something other than this machine's httpd listens on port 80"
fi
read -r PG_VERSION PG_CLUSTER PG_PORT pg_status _ < <(pg_lsclusters -h | head -n 1) ||
    die "no PostgreSQL cluster (pg_lsclusters): install postgresql"
trap restore EXIT

# ---- The package ------------------------------------------------------------------

if [ "$installed" = 0 ]; then
    say "make deb"
    make -C "$ROOT" --no-print-directory deb >"$TMP/deb.log" 2>&1 || {
        tail -n 30 "$TMP/deb.log" >&2
        die "make deb failed"
    }
    deb=$(ls "$ROOT"/dist/"$PKG"_*_"$(dpkg --print-architecture)".deb)
    say "apt-get install $deb"
    WE_INSTALLED=1
    apt-get install -y -q "$deb" >"$TMP/install.log" 2>&1 || {
        cat "$TMP/install.log" >&2
        die "apt-get install failed"
    }
fi
dpkg-query -W -f='${db:Status-Status}' "$PKG" | grep -qx installed || die "$PKG is not installed"
dpkg -L "$PKG" >"$TMP/files"
for path in /usr/lib/apache2/modules/mod_sched.so /usr/sbin/schedctl \
            /etc/apache2/mods-available/sched.load "$CONF" \
            /usr/share/man/man8/schedctl.8.gz /usr/share/mod-sched/sql/001_users_clients_providers.sql \
            /usr/share/mod-sched/ui/index.html /usr/share/doc/$PKG/README.Debian; do
    grep -qx "$path" "$TMP/files" && [ -e "$path" ] || die "the package has no $path"
done
a2query -q -m sched && die "the module is enabled by the installation"
say "installed: $(wc -l <"$TMP/files") paths; the module is not enabled"

# ---- httpd's configuration before the database ----------------------------------

a2enmod -q sched >>"$TMP/a2enmod.log"
apachectl configtest >"$TMP/configtest.log" 2>&1 || {
    cat "$TMP/configtest.log" >&2
    die "apachectl configtest fails with the module enabled as shipped"
}
# One module of the web interface alone leaves its lines out (they need all four).
a2enmod -q session_dbd >>"$TMP/a2enmod.log"
apachectl configtest >"$TMP/configtest.log" 2>&1 || {
    cat "$TMP/configtest.log" >&2
    die "apachectl configtest fails with session_dbd alone"
}
say "a2enmod sched: apachectl configtest passes before DBDParams is set"

# ---- The database, as README.Debian has it ----------------------------------------

if [ "$pg_status" != online ]; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
    PG_STARTED=1
fi
[ -z "$(psql_pg -d postgres -At -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB'
                                     UNION SELECT 1 FROM pg_database WHERE datname = '$DB'")" ] ||
    die "role or database $DB exists already on cluster $PG_VERSION/$PG_CLUSTER: drop them first"
password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
DB_MADE=1
psql_pg -d postgres -c "CREATE ROLE $DB LOGIN PASSWORD '$password'" \
    -c "CREATE DATABASE $DB OWNER $DB"
dsn="host=127.0.0.1 port=$PG_PORT dbname=$DB user=$DB password=$password"
schedctl --dsn "$dsn" migrate >"$TMP/migrate.log" 2>&1 || {
    cat "$TMP/migrate.log" >&2
    die "schedctl migrate failed"
}
schedctl --dsn "$dsn" check >"$TMP/check.log" 2>&1 || {
    cat "$TMP/check.log" >&2
    die "schedctl check failed"
}
admin_password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$admin_password" |
    schedctl --dsn "$dsn" createsuperuser --username "$ADMIN" --password-stdin >/dev/null
say "database $DB on PostgreSQL $PG_VERSION/$PG_CLUSTER (port $PG_PORT): migrated, checked, superuser $ADMIN"

# ---- httpd, with DBDParams and the web interface ---------------------------------

sed -i "s|^DBDParams .*|DBDParams \"$dsn connect_timeout=2 options='-c statement_timeout=5s'\"|" "$CONF"
grep -q "^DBDParams \"$dsn " "$CONF" || die "no DBDParams line in $CONF"
a2enmod -q "${WEB_MODULES[@]}" >>"$TMP/a2enmod.log"
if [ ! -e "$KEY" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$KEY")
    KEY_MADE=1
fi
apachectl configtest >"$TMP/configtest.log" 2>&1 || {
    cat "$TMP/configtest.log" >&2
    die "apachectl configtest fails with DBDParams set and the web interface"
}
if [ "$HTTPD_WAS_RUNNING" = 1 ]; then
    httpd_ctl restart || die "httpd did not restart"
else
    HTTPD_STARTED=1
    httpd_ctl start || die "httpd did not start"
fi
wait_for "$BASE/api/health/" 200 -u "$ADMIN:$admin_password"
[ "$(http_get "$BASE/api/health/")" = 401 ] || die "GET /api/health/ without credentials is not 401"
say "httpd serves the API at $BASE/api/ (Basic authentication)"

# ---- The API tests, and the web interface -----------------------------------------

SCHED_ADMIN_USER=$ADMIN SCHED_ADMIN_PASSWORD=$admin_password SCHED_DSN=$dsn \
SCHED_ERROR_LOG=$ERROR_LOG "$ROOT/tools/test-remote.sh" "$BASE/api" ||
    die "the API tests failed against $BASE/api"

[ "$(http_get "$BASE/app/login.html")" = 200 ] && grep -q '<form' "$TMP/body" ||
    die "GET /app/login.html is not the sign-in page (the Alias to /usr/share/mod-sched/ui)"
code=$(http_get "$BASE/app/login" -D "$TMP/headers" --data-urlencode "httpd_username=$ADMIN" \
                --data-urlencode "httpd_password=$admin_password")
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(sched_session=[^;]*\).*/\1/p' "$TMP/headers" |
         tr -d '\r' | head -n 1)
[ "$code" = 302 ] && [ -n "$cookie" ] || die "signing in at /app/login: $code, no session cookie"
[ "$(http_get "$BASE/app/api/users/me/" -H "Cookie: $cookie")" = 200 ] &&
    grep -q "\"username\":\"$ADMIN\"" "$TMP/body" ||
    die "GET /app/api/users/me/ with the session: $(head -c 300 "$TMP/body")"
[ "$(psql_pg -d "$DB" -At -c 'SELECT count(*) FROM sessions')" -ge 1 ] ||
    die "no session row in PostgreSQL"
say "web interface: /app/login.html served, signed in, the session in PostgreSQL reads /app/api/"

# ---- Purge: nothing of the package is left --------------------------------------

WE_INSTALLED=1
apt-get purge -y -q "$PKG" >"$TMP/purge.log" 2>&1 || {
    cat "$TMP/purge.log" >&2
    die "apt-get purge failed"
}
left=()
while IFS= read -r path; do
    [ -e "$path" ] && [ ! -d "$path" ] && left+=("$path")
done <"$TMP/files"
for path in /usr/share/mod-sched /usr/share/doc/$PKG /etc/apache2/mods-enabled/sched.load \
            /etc/apache2/mods-enabled/sched.conf /etc/apache2/mods-available/sched.load \
            "$CONF"; do
    [ -e "$path" ] || [ -L "$path" ] && left+=("$path")
done
left+=($(find /var/lib/apache2 -name sched))
[ ${#left[@]} -eq 0 ] || die "left after the purge: ${left[*]}"
dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -qx installed &&
    die "$PKG is still installed"
apachectl configtest >"$TMP/configtest.log" 2>&1 || {
    cat "$TMP/configtest.log" >&2
    die "apachectl configtest fails after the purge"
}
httpd_ctl restart || die "httpd does not restart after the purge"
wait_for "$BASE/" 200
[ "$(http_get "$BASE/api/health/")" = 404 ] || die "GET /api/health/ is not 404 after the purge"
say "purged: none of its $(wc -l <"$TMP/files") paths left, no link or state of the module; httpd serves without it"
