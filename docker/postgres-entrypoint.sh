#!/usr/bin/env bash
# docker/postgres-entrypoint.sh [POSTGRES-OPTION...]   (docker/postgres.Dockerfile)
#
# The database container from Debian's postgresql package, set up as the official
# postgres image does: on the first start (no cluster in PGDATA) a cluster whose
# superuser is POSTGRES_USER (default postgres) with POSTGRES_PASSWORD, and the
# database POSTGRES_DB (default: the user's name). Then the server in the foreground
# on every address, passwords required over TCP; the arguments go to postgres
# (docker-compose.yml: -c max_connections=200). Runs as the postgres user.
set -euo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
BIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "postgres-entrypoint: POSTGRES_PASSWORD is not set" >&2
        exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    "$BIN/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 \
        --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    # The other containers of the compose network.
    echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        "$BIN/pg_ctl" -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=/tmp" \
            start >/dev/null
        "$BIN/createdb" -h /tmp -U "$POSTGRES_USER" "$POSTGRES_DB"
        "$BIN/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null
    fi
    echo "postgres-entrypoint: created the cluster, superuser $POSTGRES_USER, database $POSTGRES_DB"
fi

exec "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
