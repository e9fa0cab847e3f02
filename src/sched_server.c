/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The module's per-server configuration: see sched_server.h. */
#include "sched_server.h"

/* mod_dbd's default DBDMax. */
#define SCHED_DBD_DEFAULT_MAX 10

void *sched_server_create(apr_pool_t *p, server_rec *s)
{
    sched_server_t *conf = apr_pcalloc(p, sizeof(*conf));
    (void)s;
    conf->size = SCHED_DBD_DEFAULT_MAX;
    conf->mounts = apr_array_make(p, 2, sizeof(const char *));
    conf->maintenance_interval = -1;
    conf->event_retention = -1;
    return conf;
}

sched_server_t *sched_server_get(server_rec *s)
{
    return ap_get_module_config(s->module_config, &sched_module);
}
