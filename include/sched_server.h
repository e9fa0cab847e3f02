/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The module's per-server configuration: what it reads of the server's own
 * configuration when httpd starts (its database pool, sched_pool.c; where the API is
 * mounted, sched_mount.c) and what each child process keeps per server. */
#ifndef SCHED_SERVER_H
#define SCHED_SERVER_H

#include "sched_private.h"
#include "sched_netallow.h"

struct sched_gate_t;

typedef struct sched_server_t {
    const char *driver;         /* DBDriver */
    const char *params;         /* DBDParams, unquoted */
    int size;                   /* DBDMax of this server's pool; 0: no limit */
    int shares_main;            /* no DBD directive of its own: the main pool */
    struct sched_gate_t *gate;  /* per process, from child_init */
    apr_array_header_t *mounts; /* const char *: the paths that say SetHandler sched */
    apr_int64_t maintenance_interval;   /* SchedMaintenanceInterval, seconds; -1 unset */
    apr_int64_t event_retention;        /* SchedEventRetention, seconds; -1 unset */
    sched_netallow_t *webhook_allow;    /* SchedWebhookAllow; NULL unset: public */
    apr_int64_t webhook_timeout;        /* SchedWebhookTimeout, seconds; -1 unset */
    apr_array_header_t *webhook_retries;    /* SchedWebhookRetries: apr_int64_t
                                               seconds; NULL unset */
    apr_int64_t webhook_parallel;       /* SchedWebhookParallel; -1 unset */
} sched_server_t;

/* create_server_config. */
void *sched_server_create(apr_pool_t *p, server_rec *s);

sched_server_t *sched_server_get(server_rec *s);

/* The webhook settings of the main server (they are the main server's only), with
 * their defaults applied. */
const sched_netallow_t *sched_server_webhook_allow(server_rec *s);
apr_int64_t sched_server_webhook_timeout(server_rec *s);
int sched_server_webhook_parallel(server_rec *s);
/* The delays between attempts: *n of them. */
const apr_int64_t *sched_server_webhook_retries(server_rec *s, int *n);

#endif
