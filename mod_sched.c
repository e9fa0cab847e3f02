/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
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

#include <strings.h>

#include "sched_private.h"
#include "sched_config.h"
#include "sched_conn.h"
#include "sched_mount.h"
#include "sched_pool.h"
#include "sched_server.h"
#include "sched_startup.h"
#include "sched_watchdog.h"
#include "sched_sender.h"
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
    int rv;
    (void)plog;
    sched_pool_configure(pconf, s);
    sched_mount_configure(pconf, s);
    if ((rv = sched_conn_init(s)) != OK) {
        return rv;
    }
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;      /* the first reading of the configuration: the next one works */
    }
    if ((rv = sched_watchdog_init(pconf, s)) != OK
        || (rv = sched_sender_init(pconf, s)) != OK) {
        return rv;
    }
    return sched_startup_check(ptemp, s);
}

static void sched_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv = sched_pool_child_init(pchild, s);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, SCHED_LOGNO(00211)
                     "cannot create the counters of the database pool");
    }
}

/* When an authentication module prepares statements on mod_dbd's connections
 * (mod_authn_dbd's query), a request that brings credentials is about to be
 * authenticated on the connection mod_dbd gives it, which that module holds until
 * the request ends anyway. Take that connection first and make it usable: after a
 * database restart mod_dbd resets it without preparing the other module's query
 * again. When the database cannot be reached, the answer is 503 here: the other
 * module could only fail with a 500. With mod_sched's own provider nothing is taken
 * here: it takes a connection for its one query and gives it back.
 *
 * Whether such statements are there is learnt from the first connection
 * the process sees; until then (a new child, the database down since it started) a
 * connection is taken and given back here, which learns it, or answers 503. */
static int sched_access_checker(request_rec *r)
{
    const sched_config_t *conf;
    sched_conn_t *c;
    const char *why;
    int busy, session;

    if (r->main != NULL || ap_auth_type(r) == NULL || sched_mount_of(r) == NULL) {
        return DECLINED;
    }
    /* A browser's request with a session kept in the database (AuthType form, a
     * cookie): while the database cannot be reached the session cannot be read, and
     * mod_auth_form would answer 401 as if the user had signed out. Answer 503
     * instead, which the pages say and try again; the session is still there when
     * the database is back. */
    session = strcasecmp(ap_auth_type(r), "form") == 0
              && apr_table_get(r->headers_in, "Cookie") != NULL;
    if (!session && apr_table_get(r->headers_in, "Authorization") == NULL) {
        return DECLINED;
    }
    conf = sched_config_get(r);
    if (!sched_conn_known() || session) {
        if ((c = sched_conn_open(r, apr_time_from_sec(conf->pool_wait), &why, &busy)) == NULL) {
            return sched_db_unavailable(r, why);
        }
        sched_conn_close(r, c);
    }
    if (sched_conn_shared()
        && sched_conn_bind(r, apr_time_from_sec(conf->pool_wait), &why, &busy) != OK) {
        return sched_db_unavailable(r, why);
    }
    return DECLINED;
}

static void sched_register_hooks(apr_pool_t *p)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };
    static const char *const before_watchdog[] = { "mod_watchdog.c", NULL };
    ap_hook_post_config(sched_post_config, after_dbd, before_watchdog, APR_HOOK_MIDDLE);
    /* The pool's counters exist before mod_watchdog starts the background tasks,
     * which take connections from the first moment (sched_pool.h). */
    ap_hook_child_init(sched_child_init, NULL, before_watchdog, APR_HOOK_MIDDLE);
    ap_hook_check_access(sched_access_checker, NULL, NULL, APR_HOOK_FIRST,
                         AP_AUTH_INTERNAL_PER_CONF);
    sched_authn_register(p);
    ap_hook_handler(sched_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(sched) = {
    STANDARD20_MODULE_STUFF,
    sched_config_create,        /* per-directory config */
    sched_config_merge,         /* merge per-directory config */
    sched_server_create,        /* per-server config: its pool, its mount points */
    NULL,                       /* merge per-server config */
    sched_cmds,                 /* directives */
    sched_register_hooks,
    AP_MODULE_FLAG_NONE
};
