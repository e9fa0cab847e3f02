/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The module's work in the background, inside httpd: a callback of mod_watchdog (as
 * mod_md renews certificates from one), run once when a child process starts and
 * then every SchedMaintenanceInterval (1 hour), in one child process of the server
 * at a time (a singleton watchdog). No cron, no daemon to install.
 *
 * - The schedules' horizon moves forward: sched_schedules_extend makes the slots now
 *   due of the schedules whose slots end more than a day before now + horizon_days,
 *   a batch at a time, until none is behind. Two httpd servers on one database may
 *   run it at once: it locks the providers it extends with SKIP LOCKED, and the
 *   constraints hold whatever it does.
 * - The events older than SchedEventRetention (90 days) are deleted, a batch at a
 *   time (sched_events_prune); two servers take different rows (SKIP LOCKED).
 * - So are the web interface's ended sessions (sched_sessions_prune).
 *
 * It takes a connection of the server's pool like a request does (bounded by
 * SchedPoolWait's default), and gives it back before it sleeps. */
#include <apr_optional.h>
#include <apr_strings.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <mod_watchdog.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include "sched_pool.h"
#include "sched_server.h"
#include "sched_sql.h"
#include "sched_watchdog.h"

#define SCHED_WATCHDOG_NAME    "_sched_maintenance_"
#define SCHED_WATCHDOG_BATCH   "100"
#define SCHED_WATCHDOG_ROUNDS  1000    /* batches at most in one run */
#define SCHED_WATCHDOG_PRUNE   "10000" /* events deleted per statement */

static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *sched_wd_dbd_open = NULL;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *sched_wd_dbd_close = NULL;
static apr_int64_t sched_wd_retention = SCHED_DEFAULT_RETENTION;   /* the main server's */

/* Runs a batch statement until it has nothing left to do: its column col counts
 * what each run did (0: done), and extra, when >= 0, another column to sum (*more).
 * Returns the sum of col, or -1 on failure (logged; at info when the database went
 * away meanwhile, which is no fault of this task: the next run makes up for it). */
static apr_int64_t sched_watchdog_drain(server_rec *s, PGconn *conn, sched_stmt_e stmt,
                                        int nparams, const char *const *params, int col,
                                        int extra, apr_int64_t *more)
{
    apr_int64_t done = 0, n = 1;
    int round;

    for (round = 0; round < SCHED_WATCHDOG_ROUNDS && n > 0; round++) {
        PGresult *res = sched_sql_exec(conn, stmt, nparams, params);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
            int level = PQstatus(conn) == CONNECTION_OK ? APLOG_WARNING : APLOG_INFO;
            ap_log_error(APLOG_MARK, level, 0, s, SCHED_LOGNO(00607)
                         "%s failed: SQLSTATE %s", sched_stmts[stmt].name,
                         PQresultErrorField(res, PG_DIAG_SQLSTATE));
            PQclear(res);
            return -1;
        }
        n = apr_atoi64(PQgetvalue(res, 0, col));
        done += n;
        if (extra >= 0) {
            *more += apr_atoi64(PQgetvalue(res, 0, extra));
        }
        PQclear(res);
    }
    return done;
}

/* The horizon of every schedule of s's database, moved forward. */
static void sched_watchdog_horizon(server_rec *s, PGconn *conn)
{
    const char *params[1] = { SCHED_WATCHDOG_BATCH };
    apr_int64_t slots = 0, schedules;

    schedules = sched_watchdog_drain(s, conn, SCHED_STMT_SCHEDULES_EXTEND, 1, params,
                                     SCHED_SCHEDULES_EXTEND__SCHEDULES,
                                     SCHED_SCHEDULES_EXTEND__SLOTS, &slots);
    if (schedules >= 0) {
        ap_log_error(APLOG_MARK, schedules ? APLOG_INFO : APLOG_DEBUG, 0, s,
                     SCHED_LOGNO(00603) "the schedules' horizon moved: %" APR_INT64_T_FMT
                     " schedules extended, %" APR_INT64_T_FMT " slots made", schedules,
                     slots);
    }
}

/* The events older than the retention, and the ended sessions, deleted. */
static void sched_watchdog_prune(server_rec *s, PGconn *conn, apr_pool_t *p)
{
    const char *params[2], *batch[1] = { SCHED_WATCHDOG_PRUNE };
    apr_int64_t events, sessions;

    params[0] = apr_psprintf(p, "%" APR_INT64_T_FMT " seconds", sched_wd_retention);
    params[1] = SCHED_WATCHDOG_PRUNE;
    events = sched_watchdog_drain(s, conn, SCHED_STMT_EVENTS_PRUNE, 2, params,
                                  SCHED_EVENTS_PRUNE__DELETED, -1, NULL);
    sessions = sched_watchdog_drain(s, conn, SCHED_STMT_SESSIONS_PRUNE, 1, batch,
                                    SCHED_SESSIONS_PRUNE__DELETED, -1, NULL);
    ap_log_error(APLOG_MARK, events > 0 || sessions > 0 ? APLOG_INFO : APLOG_DEBUG, 0, s,
                 SCHED_LOGNO(00608) "deleted: %" APR_INT64_T_FMT " events older than %s, %"
                 APR_INT64_T_FMT " ended sessions", events, params[0], sessions);
}

/* One run for s's database, on a connection of its pool. */
static void sched_watchdog_run(server_rec *s, apr_pool_t *p)
{
    sched_gate_t *gate;
    ap_dbd_t *dbd;
    PGconn *conn;

    if (sched_pool_enter(s, apr_time_from_sec(SCHED_DEFAULT_POOL_WAIT), &gate) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, SCHED_LOGNO(00604)
                     "maintenance put off: every database connection is in use");
        return;
    }
    dbd = sched_wd_dbd_open(p, s);
    conn = dbd ? apr_dbd_native_handle(dbd->driver, dbd->handle) : NULL;
    if (conn && PQstatus(conn) != CONNECTION_OK) {
        PQreset(conn);
    }
    if (conn && PQstatus(conn) == CONNECTION_OK) {
        sched_watchdog_horizon(s, conn);
        sched_watchdog_prune(s, conn, p);
    }
    else {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, SCHED_LOGNO(00605)
                     "maintenance put off: the database cannot be reached");
    }
    if (dbd) {
        sched_wd_dbd_close(s, dbd);
    }
    sched_pool_leave(gate);
}

/* mod_watchdog's callback: every server with a database of its own. */
static apr_status_t sched_watchdog_callback(int state, void *data, apr_pool_t *ptemp)
{
    server_rec *main_server = data, *s;
    apr_pool_t *p;
    int own;

    if (state == AP_WATCHDOG_STATE_STOPPING) {
        return APR_SUCCESS;
    }
    apr_pool_create(&p, ptemp);
    for (s = main_server; s; s = s->next) {
        if (sched_pool_params(s, &own) && (s == main_server || own)) {
            sched_watchdog_run(s, p);
            apr_pool_clear(p);
        }
    }
    apr_pool_destroy(p);
    return APR_SUCCESS;         /* else mod_watchdog would not call again */
}

int sched_watchdog_init(apr_pool_t *pconf, server_rec *main_server)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *get_instance =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *register_callback =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    apr_int64_t interval = sched_server_get(main_server)->maintenance_interval;
    apr_int64_t retention = sched_server_get(main_server)->event_retention;
    ap_watchdog_t *watchdog;
    apr_status_t rv;

    sched_wd_retention = retention > 0 ? retention : SCHED_DEFAULT_RETENTION;
    sched_wd_dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    sched_wd_dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    if (!get_instance || !register_callback) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, main_server, SCHED_LOGNO(00601)
                     "mod_watchdog is not loaded: the schedules' horizon does not move "
                     "and old events are not deleted by themselves (schedctl materialize "
                     "and schedctl prune-events do it)");
        return OK;
    }
    rv = get_instance(&watchdog, SCHED_WATCHDOG_NAME, 0, 1, pconf);
    if (rv == APR_SUCCESS) {
        rv = register_callback(watchdog, apr_time_from_sec(interval > 0 ? interval
                                                           : SCHED_DEFAULT_MAINTENANCE),
                               main_server, sched_watchdog_callback);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, main_server, SCHED_LOGNO(00606)
                     "cannot register the maintenance task with mod_watchdog");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
