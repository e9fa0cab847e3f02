#!/usr/bin/env bash
# tools/test-remote.sh URL [TEST...]   (make test-remote SCHED_URL=URL)
#
# Runs the API tests against a server that runs already instead of make test's
# private ones: URL is where its API is mounted, http://127.0.0.1/api for the Debian
# package's sched.conf. TEST: test files (default every t/*.t).
#
#   SCHED_ADMIN_USER, SCHED_ADMIN_PASSWORD   one of its superusers (needed)
#   SCHED_DSN         its database, as libpq reads it: the test files that check rows
#                     with psql run only when it is given
#   SCHED_ERROR_LOG   its error log, when this machine can read it: each file then
#                     fails on an unexpected warning or error of the module there
#
# Test files that start servers of their own, stop PostgreSQL, need the test server's
# other mounts or run schedctl and the unit tests are skipped, each saying why
# (t/lib/SchedTest.pm: needs_local). The tests make users, slots and reservations
# that stay: point it at a server whose database you can throw away.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/test-remote.sh

die() {
    echo "$PROG: $*" >&2
    exit 1
}

[ $# -ge 1 ] && [ -n "$1" ] || {
    echo "usage: SCHED_ADMIN_USER=... SCHED_ADMIN_PASSWORD=... $PROG URL [TEST...]" >&2
    exit 2
}
url=${1%/}
shift
case $url in
    http://* | https://*) ;;
    *) die "URL must be http:// or https://, not '$url'" ;;
esac
[ -n "${SCHED_ADMIN_USER:-}" ] || die "SCHED_ADMIN_USER is not set: a superuser of $url"
if [ -n "${SCHED_DSN:-}" ] && [ -z "${SCHED_PGBIN:-}" ]; then
    command -v psql >/dev/null || die "SCHED_DSN is given but psql is missing (postgresql-client)"
fi

# The server answers, and takes the superuser's credentials.
SCHED_URL=$url perl -MHTTP::Tiny -MMIME::Base64 -MJSON::PP -e '
    my $url = $ENV{SCHED_URL};
    my $auth = "Basic " . encode_base64("$ENV{SCHED_ADMIN_USER}:"
                                        . ($ENV{SCHED_ADMIN_PASSWORD} // ""), "");
    my $http = HTTP::Tiny->new(timeout => 10);
    my $r = $http->get("$url/health/", { headers => { Authorization => $auth } });
    die "GET $url/health/: $r->{status} $r->{content}\n" unless $r->{status} == 200;
    $r = $http->get("$url/users/me/", { headers => { Authorization => $auth } });
    my $me = $r->{status} == 200 ? eval { decode_json($r->{content}) } : undef;
    die "GET $url/users/me/ as $ENV{SCHED_ADMIN_USER}: $r->{status} $r->{content}\n"
        unless $me;
    die "$ENV{SCHED_ADMIN_USER} is not a superuser of $url\n" unless $me->{is_superuser};
' || die "$url does not answer as a mod_sched API with that superuser"

if [ $# -eq 0 ]; then
    set -- "$ROOT"/t/*.t
fi
export SCHED_URL=$url SCHED_ROOT=$ROOT
export PERL5LIB=$ROOT/t/lib${PERL5LIB:+:$PERL5LIB}
echo "$PROG: the API tests against $url${SCHED_DSN:+, and its database}"
cd "$ROOT"
exec prove "$@"
