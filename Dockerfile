# mod_sched in Debian's Apache httpd. See docker-compose.yml for the database.
FROM debian:12

# Build tools and the libraries of the module and of schedctl. The database server
# runs in its own container (docker-compose.yml).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential ca-certificates make perl \
        apache2 apache2-dev libaprutil1-dbd-pgsql libjansson-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /usr/src/mod_sched
COPY Makefile mod_sched.c ./
COPY include include
COPY src src
COPY sql sql
COPY conf conf
COPY tools tools

# Build, install the module (apxs -i), its configuration, the migrations and schedctl.
RUN make \
 && make install \
 && install -m 0644 conf/sched.load /etc/apache2/mods-available/sched.load \
 && install -m 0644 conf/docker.conf /etc/apache2/mods-available/sched.conf \
 && a2enmod dbd reqtimeout auth_basic authz_user sched \
 && install -d /usr/share/mod_sched/sql \
 && install -m 0644 sql/*.sql /usr/share/mod_sched/sql/ \
 && install -m 0755 tools/schedctl /usr/local/bin/schedctl \
 && ln -sf /dev/stdout /var/log/apache2/access.log \
 && ln -sf /dev/stdout /var/log/apache2/other_vhosts_access.log \
 && ln -sf /dev/stderr /var/log/apache2/error.log \
 && apache2ctl configtest

EXPOSE 80

HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 2)->get("http://127.0.0.1/health/")->{status} == 200 ? 0 : 1)'

# apache2ctl -D FOREGROUND, with httpd itself as the main process so that it receives
# `docker stop`'s SIGTERM (apache2ctl would keep a shell in between).
CMD ["/bin/sh", "-c", ". /etc/apache2/envvars && mkdir -p \"$APACHE_RUN_DIR\" \"$APACHE_LOCK_DIR\" && exec apache2 -D FOREGROUND"]
