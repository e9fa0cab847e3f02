/* mod_sched: an appointment-scheduling API inside Apache httpd.
 *
 * This file is glue: the module record, the directive table, the hooks and the
 * handler entry point. The work is in src/. */
#define SCHED_MODULE_RECORD
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include "sched_private.h"
#include "sched_config.h"
#include "sched_conn.h"
#include "sched_db.h"
#include "sched_authn.h"
#include "sched_res.h"

static int sched_handler(request_rec *r)
{
    if (r->handler == NULL || strcmp(r->handler, "sched") != 0) {
        return DECLINED;
    }
    /* Endpoints answer the request themselves (problem+json included). */
    sched_dispatch(r);
    return OK;
}

static int sched_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                             server_rec *s)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    return sched_conn_init(s);
}

/* Before authentication on the API's locations, make the request's pooled
 * connection usable: an auth provider that shares mod_dbd's pool (mod_authn_dbd)
 * then finds it reconnected, with its prepared query, after a database restart.
 * When the database cannot be reached and the request brings credentials to check,
 * the answer is 503 here: the auth provider could only fail with a 500. Anything
 * else is decided later. */
static int sched_access_checker(request_rec *r)
{
    const sched_config_t *conf = ap_get_module_config(r->per_dir_config, &sched_module);
    unsigned char *prepared;
    const char *why;

    if (conf == NULL || conf->mount == NULL || r->main != NULL) {
        return DECLINED;
    }
    if (sched_conn_get(r, &prepared, &why) == NULL && ap_auth_type(r) != NULL
        && apr_table_get(r->headers_in, "Authorization") != NULL) {
        return sched_db_unavailable(r, why);
    }
    return DECLINED;
}

static void sched_register_hooks(apr_pool_t *p)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };
    ap_hook_post_config(sched_post_config, after_dbd, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_access(sched_access_checker, NULL, NULL, APR_HOOK_FIRST,
                         AP_AUTH_INTERNAL_PER_CONF);
    sched_authn_register(p);
    ap_hook_handler(sched_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(sched) = {
    STANDARD20_MODULE_STUFF,
    sched_config_create,        /* per-directory config */
    sched_config_merge,         /* merge per-directory config */
    NULL,                       /* per-server config */
    NULL,                       /* merge per-server config */
    sched_cmds,                 /* directives */
    sched_register_hooks,
    AP_MODULE_FLAG_NONE
};
