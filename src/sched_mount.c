/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Where the API is mounted: see sched_mount.h. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "sched_mount.h"
#include "sched_server.h"

/* The path of a <Location> section, as httpd reads it: "/api" of <Location "/api">. */
static const char *sched_mount_location(apr_pool_t *p, const ap_directive_t *d)
{
    char *args = apr_pstrdup(p, d->args), *end = args + strlen(args);
    const char *rest = args;
    while (end > args && (end[-1] == '>' || apr_isspace(end[-1]))) {
        *--end = '\0';
    }
    return ap_getword_conf(p, &rest);
}

/* Whether the directives from d on say "SetHandler sched". */
static int sched_mount_says(apr_pool_t *p, const ap_directive_t *d)
{
    for (; d; d = d->next) {
        const char *args = d->args;
        if (strcasecmp(d->directive, "SetHandler") == 0
            && strcasecmp(ap_getword_conf(p, &args), "sched") == 0) {
            return 1;
        }
    }
    return 0;
}

static void sched_mount_add(apr_pool_t *p, apr_array_header_t *mounts, const char *path)
{
    apr_size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/') {
        n--;
    }
    APR_ARRAY_PUSH(mounts, const char *) = apr_pstrmemdup(p, path, n);
}

/* The mounts among the directives from d on: <Location> sections, and SetHandler
 * outside them (the root); virtual hosts are their own. */
static void sched_mount_read(apr_pool_t *p, const ap_directive_t *d,
                             apr_array_header_t *mounts)
{
    if (sched_mount_says(p, d)) {
        sched_mount_add(p, mounts, "");
    }
    for (; d; d = d->next) {
        if (strcasecmp(d->directive, "<Location") == 0) {
            const char *path = sched_mount_location(p, d);
            if (*path == '/' && sched_mount_says(p, d->first_child)) {
                sched_mount_add(p, mounts, path);
            }
        }
    }
}

void sched_mount_configure(apr_pool_t *p, server_rec *main_server)
{
    sched_server_t *main_conf = sched_server_get(main_server);
    const ap_directive_t *d;
    server_rec *s;

    sched_mount_read(p, ap_conftree, main_conf->mounts);
    for (s = main_server->next; s; s = s->next) {
        sched_server_t *conf = sched_server_get(s);
        apr_array_cat(conf->mounts, main_conf->mounts);
        for (d = ap_conftree; d; d = d->next) {
            if (strcasecmp(d->directive, "<VirtualHost") == 0 && d->filename
                && s->defn_name && strcmp(d->filename, s->defn_name) == 0
                && (unsigned)d->line_num == s->defn_line_number) {
                sched_mount_read(p, d->first_child, conf->mounts);
            }
        }
    }
}

const char *sched_mount_of(request_rec *r)
{
    const apr_array_header_t *mounts = sched_server_get(r->server)->mounts;
    const char *best = NULL;
    int i;

    for (i = 0; i < mounts->nelts; i++) {
        const char *m = APR_ARRAY_IDX(mounts, i, const char *);
        apr_size_t n = strlen(m);
        if (strncmp(r->uri, m, n) == 0 && (r->uri[n] == '\0' || r->uri[n] == '/')
            && (best == NULL || n > strlen(best))) {
            best = m;
        }
    }
    return best;
}
