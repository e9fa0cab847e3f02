#!/usr/bin/env bash
# tools/container-test.sh   (make container-test; .ci/run)
#
# The containers of docker-compose.yml, built and run for real with podman, offline
# but for Debian's mirror:
#   1. podman's settings for this run in a file of its own (CONTAINERS_CONF: the runc
#      runtime, the cgroupfs cgroup manager, explicit ulimits);
#   2. a debian:12 image when there is none: `debootstrap --variant=minbase bookworm`
#      with the mirrors of Debian's own image, imported with `podman import`;
#   3. when podman cannot run a container here, it says so and exits 0 (skipped);
#   4. `podman-compose -p sched-ctest up -d --build` with SCHED_PORT set to a free port
#      (the Dockerfile builds the package in its first stage and installs it in the
#      second; the database is docker/postgres.Dockerfile). Without podman-compose, or
#      when its network does not work, the same images run in one pod instead (the
#      containers share localhost; the name db is mapped to 127.0.0.1);
#   5. as the README says: schedctl migrate and createsuperuser in the web container;
#   6. the API tests against http://127.0.0.1:PORT (tools/test-remote.sh), with psql
#      on the database container's address (or run in that container): users,
#      roles, slots, reservations, openapi, authz (TESTS=... for others);
#   7. containers, network and volume removed, also on failure (the images stay: the
#      next run builds from their layers; `podman image prune` frees them).
#
# As root. Environment: CONTAINER_MODE=compose|pod (default compose when
# podman-compose is installed), TESTS (test files, default the six above).
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/container-test.sh
HTTPD_USER=www-data
. "$ROOT/tools/common.sh"

PROJECT=sched-ctest
WEB=${PROJECT}_web_1
DB=${PROJECT}_db_1
DSN_IN_WEB="host=db user=sched password=sched dbname=sched"
ADMIN=admin
WORK=$ROOT/.run/container
TESTS=${TESTS:-t/30-users.t t/31-roles.t t/50-slots.t t/60-reservations.t t/80-openapi.t t/90-authz.t}

skip() {
    echo "$PROG: SKIPPED: $*"
    exit 0
}

is_root || die "run it as root (rootful podman, debootstrap)"
command -v podman >/dev/null || skip "podman is not installed (make container-test installs it)"

mkdir -p "$WORK"
TMP=$(mktemp -d "$WORK/run.XXXXXX")
export CONTAINERS_CONF=$TMP/containers.conf
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
# podman build drops HEALTHCHECK from OCI images: the Dockerfile's is kept.
export BUILDAH_FORMAT=docker

MODE=${CONTAINER_MODE:-}
if [ -z "$MODE" ]; then
    if command -v podman-compose >/dev/null; then MODE=compose; else MODE=pod; fi
fi
case $MODE in
    compose | pod) ;;
    *) die "CONTAINER_MODE is compose or pod, not '$MODE'" ;;
esac

# ---- podman, and a debian:12 image ------------------------------------------------

podman info >"$TMP/info.log" 2>&1 || skip "podman does not work here: $(tail -n 1 "$TMP/info.log")"

make_base_image() {
    local rootfs=$WORK/rootfs
    command -v debootstrap >/dev/null ||
        die "no debian:12 image and no debootstrap to make one (make container-test installs it)"
    echo "$PROG: no debian:12 image: debootstrap --variant=minbase bookworm (log: $WORK/debootstrap.log)"
    rm -rf -- "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian \
        >"$WORK/debootstrap.log" 2>&1 || {
        tail -n 20 "$WORK/debootstrap.log" >&2
        die "debootstrap failed"
    }
    # The mirrors of Debian's own image: the release, its updates and security.
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . |
        podman import --change 'CMD ["/bin/bash"]' - debian:12 >"$WORK/import.log" 2>&1 || {
        cat "$WORK/import.log" >&2
        die "podman import failed"
    }
    rm -rf -- "$rootfs"
}

podman image exists debian:12 || make_base_image
podman run --rm debian:12 true >"$TMP/run.log" 2>&1 ||
    skip "podman cannot run a container here: $(tail -n 1 "$TMP/run.log")"

# ---- The stack --------------------------------------------------------------------

PORT=$(free_ports | cut -d' ' -f1)
export SCHED_PORT=$PORT

down() {
    if [ "$MODE" = compose ]; then
        (cd "$ROOT" && podman-compose -p "$PROJECT" down -v) >>"$TMP/down.log" 2>&1 || true
    fi
    podman pod rm -f "$PROJECT" >>"$TMP/down.log" 2>&1 || true
    podman rm -f "$WEB" "$DB" >>"$TMP/down.log" 2>&1 || true
    podman volume rm -f "${PROJECT}_db-data" >>"$TMP/down.log" 2>&1 || true
}

finish() {
    local status=$?
    set +e
    trap - EXIT
    if [ "$status" -ne 0 ]; then
        for container in "$WEB" "$DB"; do
            echo "--- last lines of podman logs $container:" >&2
            podman logs --tail 20 "$container" >&2 2>&1
        done
    fi
    down
    rm -rf -- "$TMP"
    exit "$status"
}
trap finish EXIT
down

up_compose() {
    echo "$PROG: podman-compose -p $PROJECT up -d --build (SCHED_PORT=$PORT; log: $TMP/up.log)"
    (cd "$ROOT" && podman-compose -p "$PROJECT" up -d --build) >"$TMP/up.log" 2>&1 &&
        podman container exists "$WEB" && podman container exists "$DB"
}

up_pod() {
    echo "$PROG: podman build of both images, then one pod (port $PORT; log: $TMP/up.log)"
    {
        podman build -t "${PROJECT}_db" -f "$ROOT/docker/postgres.Dockerfile" "$ROOT/docker" &&
        podman build -t "${PROJECT}_web" -f "$ROOT/Dockerfile" "$ROOT" &&
        podman pod create --name "$PROJECT" -p "127.0.0.1:$PORT:80" --add-host db:127.0.0.1 &&
        podman run -d --pod "$PROJECT" --name "$DB" -e POSTGRES_USER=sched \
            -e POSTGRES_PASSWORD=sched -e POSTGRES_DB=sched \
            -v "${PROJECT}_db-data:/var/lib/postgresql/data" "${PROJECT}_db" \
            -c max_connections=200 &&
        podman run -d --pod "$PROJECT" --name "$WEB" "${PROJECT}_web"
    } >"$TMP/up.log" 2>&1
}

started=$(date +%s)
if [ "$MODE" = compose ] && ! up_compose; then
    tail -n 15 "$TMP/up.log" >&2
    echo "$PROG: podman-compose did not start the stack: one pod instead" >&2
    down
    MODE=pod
fi
if [ "$MODE" = pod ] && ! up_pod; then
    tail -n 30 "$TMP/up.log" >&2
    die "the images did not build or the pod did not start"
fi
echo "$PROG: built and started in $(($(date +%s) - started)) s: $WEB, $DB"

for _ in $(seq 1 120); do
    podman exec "$DB" pg_isready -q -h 127.0.0.1 -U sched -d sched 2>/dev/null && break
    sleep 0.5
done
podman exec "$DB" pg_isready -h 127.0.0.1 -U sched -d sched >/dev/null ||
    die "the database does not answer after 60 s"

# ---- The schema and a superuser, as the README says -------------------------------

podman exec "$WEB" schedctl --dsn "$DSN_IN_WEB" migrate >"$TMP/migrate.log" 2>&1 || {
    cat "$TMP/migrate.log" >&2
    die "schedctl migrate failed in $WEB"
}
password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$password" | podman exec -i "$WEB" schedctl --dsn "$DSN_IN_WEB" \
    createsuperuser --username "$ADMIN" --password-stdin >/dev/null ||
    die "schedctl createsuperuser failed in $WEB"
echo "$PROG: schedctl migrate and createsuperuser --username $ADMIN in $WEB"

url=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health/" || true)" = 200 ] && break
    sleep 0.2
done

# ---- The API tests ----------------------------------------------------------------

# The tests' psql: this machine's, on the database container's address when it
# reaches it (podman's network); else one that runs in the container.
db_ip=$(podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$DB" \
        2>/dev/null || true)
dsn="host=$db_ip dbname=sched user=sched password=sched connect_timeout=3"
if [ -n "$db_ip" ] && command -v psql >/dev/null &&
        psql -X -q -At -d "$dsn" -c 'SELECT 1' >/dev/null 2>&1; then
    unset SCHED_PGBIN
    echo "$PROG: the tests' psql reaches the database at $db_ip"
else
    mkdir -p "$TMP/bin"
    cat >"$TMP/bin/psql" <<EOF
#!/bin/sh
exec podman exec -i $(printf %q "$DB") psql "\$@"
EOF
    chmod 0755 "$TMP/bin/psql"
    export SCHED_PGBIN=$TMP/bin
    dsn="host=127.0.0.1 dbname=sched user=sched password=sched"
    echo "$PROG: the tests' psql runs in $DB"
fi
read -r -a tests <<<"$TESTS"
SCHED_ADMIN_USER=$ADMIN SCHED_ADMIN_PASSWORD=$password SCHED_DSN=$dsn \
    "$ROOT/tools/test-remote.sh" "$url" "${tests[@]}" ||
    die "the API tests failed against the containers ($url)"
echo "$PROG: passed ($MODE): the API tests against the containers, $(($(date +%s) - started)) s in all"
