# mod_sched in Debian's Apache httpd, installed from its Debian package. Needs only a
# debian:12 image (tools/container-test.sh makes one with debootstrap when there is
# none) and Debian's mirror; docker-compose.yml adds the database.
#
# Stage 1 builds the package as `make deb` does: the Build-Depends of debian/control,
# then dpkg-buildpackage (the unit tests run in it).
FROM debian:12 AS build
COPY debian/control /usr/src/mod-sched/debian/control
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get build-dep -y --no-install-recommends \
        /usr/src/mod-sched \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /usr/src/mod-sched
COPY . .
RUN dpkg-buildpackage -us -uc -b \
 && mkdir /packages && mv ../libapache2-mod-sched_*.deb /packages/

# Stage 2: Debian's apache2 with the package, as README.Debian installs it, and the
# container's configuration (conf/docker.conf: the database is the compose service db).
FROM debian:12
COPY --from=build /packages/ /tmp/packages/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        apache2 /tmp/packages/libapache2-mod-sched_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/packages
COPY conf/docker.conf /etc/apache2/mods-available/sched.conf
RUN a2enmod -q sched \
 && ln -sf /dev/stdout /var/log/apache2/access.log \
 && ln -sf /dev/stdout /var/log/apache2/other_vhosts_access.log \
 && ln -sf /dev/stderr /var/log/apache2/error.log \
 && apache2ctl configtest

EXPOSE 80

# (kept by docker build; podman build keeps it with --format docker)
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 2)->get("http://127.0.0.1/health/")->{status} == 200 ? 0 : 1)'

# apache2 -D FOREGROUND, with httpd itself as the main process so that it receives
# `docker stop`'s SIGTERM (apache2ctl would keep a shell in between).
CMD ["/bin/sh", "-c", ". /etc/apache2/envvars && mkdir -p \"$APACHE_RUN_DIR\" \"$APACHE_LOCK_DIR\" && exec apache2 -D FOREGROUND"]
