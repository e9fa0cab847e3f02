/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The module's per-server configuration: see sched_server.h. */
#include <http_main.h>

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
    conf->webhook_timeout = -1;
    conf->webhook_parallel = -1;
    return conf;
}

sched_server_t *sched_server_get(server_rec *s)
{
    return ap_get_module_config(s->module_config, &sched_module);
}

/* The Standard Webhooks specification's schedule after the first attempt: 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h; some 27 hours in all. */
static const apr_int64_t sched_webhook_default_retries[] = {
    5, 300, 1800, 7200, 18000, 36000, 36000
};

/* The main server's: ap_server_conf once httpd has read its configuration. */
static sched_server_t *sched_server_main(server_rec *s)
{
    return sched_server_get(ap_server_conf ? ap_server_conf : s);
}

const sched_netallow_t *sched_server_webhook_allow(server_rec *s)
{
    static sched_netallow_t public_only = { 1, 0, { { 0, { 0 }, 0 } } };
    sched_server_t *conf = sched_server_main(s);
    return conf->webhook_allow ? conf->webhook_allow : &public_only;
}

apr_int64_t sched_server_webhook_timeout(server_rec *s)
{
    sched_server_t *conf = sched_server_main(s);
    return conf->webhook_timeout > 0 ? conf->webhook_timeout : SCHED_DEFAULT_WEBHOOK_TIMEOUT;
}

int sched_server_webhook_parallel(server_rec *s)
{
    sched_server_t *conf = sched_server_main(s);
    return conf->webhook_parallel > 0 ? (int)conf->webhook_parallel
                                      : SCHED_DEFAULT_WEBHOOK_PARALLEL;
}

const apr_int64_t *sched_server_webhook_retries(server_rec *s, int *n)
{
    sched_server_t *conf = sched_server_main(s);
    if (conf->webhook_retries) {
        *n = conf->webhook_retries->nelts;
        return (const apr_int64_t *)conf->webhook_retries->elts;
    }
    *n = (int)(sizeof(sched_webhook_default_retries) / sizeof(apr_int64_t));
    return sched_webhook_default_retries;
}
