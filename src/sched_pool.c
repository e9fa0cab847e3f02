/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Bounded waits for mod_dbd's connections: see sched_pool.h. */
#include <ap_mpm.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

#include "sched_private.h"
#include "sched_pool.h"
#include "sched_server.h"

/* mod_dbd's default DBDMax. */
#define SCHED_DBD_DEFAULT_MAX 10

struct sched_gate_t {
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *freed;
#endif
    int size;                   /* DBDMax; 0: no limit */
    int used;
};

static sched_server_t *sched_pool_conf(server_rec *s)
{
    return sched_server_get(s);
}

/* Reads DBDriver, DBDParams, DBDMax and DBDPersist among the directives from first
 * on (conditional sections are already spliced in; other sections are not entered). */
static void sched_pool_read(apr_pool_t *p, const ap_directive_t *d, sched_server_t *conf)
{
    for (; d; d = d->next) {
        const char *args = d->args;
        if (strcasecmp(d->directive, "DBDriver") == 0) {
            conf->driver = ap_getword_conf(p, &args);
        }
        else if (strcasecmp(d->directive, "DBDParams") == 0) {
            conf->params = ap_getword_conf(p, &args);
        }
        if (strcasecmp(d->directive, "DBDMax") == 0) {
            conf->size = atoi(d->args) > 0 ? atoi(d->args) : SCHED_DBD_DEFAULT_MAX;
        }
        else if (strcasecmp(d->directive, "DBDPersist") == 0
                 && (strcasecmp(d->args, "Off") == 0 || strcmp(d->args, "0") == 0)) {
            conf->size = 0;     /* a connection of its own for every use */
        }
        if (strncasecmp(d->directive, "DBD", 3) == 0) {
            conf->shares_main = 0;
        }
    }
}

/* The <VirtualHost> section that defined s. */
static const ap_directive_t *sched_pool_vhost_section(server_rec *s)
{
    const ap_directive_t *d;
    for (d = ap_conftree; d && s->defn_name; d = d->next) {
        if (strcasecmp(d->directive, "<VirtualHost") == 0 && d->filename
            && strcmp(d->filename, s->defn_name) == 0
            && (unsigned)d->line_num == s->defn_line_number) {
            return d;
        }
    }
    return NULL;
}

void sched_pool_configure(apr_pool_t *p, server_rec *main_server)
{
    sched_server_t *main_conf = sched_pool_conf(main_server);
    int threaded = 0;
    server_rec *s;

    sched_pool_read(p, ap_conftree, main_conf);
    main_conf->shares_main = 0;
    if (ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded) != APR_SUCCESS || !threaded) {
        main_conf->size = 0;    /* one request at a time per process */
    }
    for (s = main_server->next; s; s = s->next) {
        sched_server_t *conf = sched_pool_conf(s);
        const ap_directive_t *section = sched_pool_vhost_section(s);
        conf->size = main_conf->size;
        conf->driver = main_conf->driver;
        conf->params = main_conf->params;
        conf->shares_main = 1;
        if (section) {
            sched_pool_read(p, section->first_child, conf);
        }
        if (!threaded) {
            conf->size = 0;
        }
    }
}

static apr_status_t sched_gate_create(apr_pool_t *p, int size, sched_gate_t **gate)
{
    sched_gate_t *g = apr_pcalloc(p, sizeof(*g));
    apr_status_t rv = APR_SUCCESS;
    g->size = size;
#if APR_HAS_THREADS
    if (size > 0) {
        rv = apr_thread_mutex_create(&g->mutex, APR_THREAD_MUTEX_DEFAULT, p);
        if (rv == APR_SUCCESS) {
            rv = apr_thread_cond_create(&g->freed, p);
        }
    }
#endif
    *gate = g;
    return rv;
}

apr_status_t sched_pool_child_init(apr_pool_t *pchild, server_rec *main_server)
{
    sched_server_t *main_conf = sched_pool_conf(main_server);
    apr_status_t rv = sched_gate_create(pchild, main_conf->size, &main_conf->gate);
    server_rec *s;

    for (s = main_server->next; s && rv == APR_SUCCESS; s = s->next) {
        sched_server_t *conf = sched_pool_conf(s);
        if (conf->shares_main) {
            conf->gate = main_conf->gate;
        }
        else {
            rv = sched_gate_create(pchild, conf->size, &conf->gate);
        }
    }
    return rv;
}

int sched_pool_size(server_rec *s)
{
    return sched_pool_conf(s)->size;
}

const char *sched_pool_params(server_rec *s, int *own)
{
    sched_server_t *conf = sched_pool_conf(s);
    *own = !conf->shares_main;
    return conf->driver && strcasecmp(conf->driver, "pgsql") == 0 ? conf->params : NULL;
}

apr_status_t sched_pool_enter(server_rec *s, apr_interval_time_t wait, sched_gate_t **gate)
{
    sched_gate_t *g = sched_pool_conf(s)->gate;
    apr_status_t rv = APR_SUCCESS;
#if APR_HAS_THREADS
    apr_time_t deadline = apr_time_now() + wait;

    *gate = NULL;
    if (g == NULL || g->size == 0) {
        return APR_SUCCESS;
    }
    apr_thread_mutex_lock(g->mutex);
    while (g->used >= g->size && rv == APR_SUCCESS) {
        apr_interval_time_t left = deadline - apr_time_now();
        rv = left > 0 ? apr_thread_cond_timedwait(g->freed, g->mutex, left) : APR_TIMEUP;
        if (rv == APR_TIMEUP && g->used < g->size) {
            rv = APR_SUCCESS;
        }
    }
    if (rv == APR_SUCCESS) {
        g->used++;
        *gate = g;
    }
    apr_thread_mutex_unlock(g->mutex);
#else
    (void)g;
    (void)wait;
    *gate = NULL;
#endif
    return rv;
}

void sched_pool_leave(sched_gate_t *gate)
{
#if APR_HAS_THREADS
    if (gate == NULL) {
        return;
    }
    apr_thread_mutex_lock(gate->mutex);
    gate->used--;
    apr_thread_cond_signal(gate->freed);
    apr_thread_mutex_unlock(gate->mutex);
#else
    (void)gate;
#endif
}
