# The database of docker-compose.yml from Debian's postgresql package, for machines
# with a debian:12 image and Debian's mirror but no image registry. It takes the
# official postgres image's variables (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB)
# and data path, so that either serves docker-compose.yml (README: "Containers").
FROM debian:12
# The package's own cluster (15/main) goes: the entrypoint makes one in PGDATA.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql \
 && rm -rf /var/lib/apt/lists/* \
 && pg_lsclusters -h | while read -r version cluster _; do \
        pg_dropcluster "$version" "$cluster"; done \
 && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
