/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Connections from mod_dbd, through libpq on the native handle.
 *
 * A connection is taken for one statement and given back at once: a request holds
 * none while its client sends a body or reads the answer, and none before it is
 * authenticated. Waits for one are bounded (sched_pool.h).
 *
 * mod_dbd prepares every module's labelled statements when it opens a connection,
 * but when a broken connection is reset (PQreset, by mod_dbd or by us) the new
 * backend has none of them, and nothing prepares them again: after a database
 * restart mod_authn_dbd's query fails on every pooled connection until the pool
 * replaces them. So each connection remembers, in userdata of its own pool
 * (dbd->pool), its backend, which of our statements it has prepared, and the text
 * of the statements other modules prepared (pg_prepared_statements), read the first
 * time we see it; a new backend gets those back before any use. */
#include <apr_optional.h>
#include <apr_strings.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <http_request.h>
#include <poll.h>

#include "sched_conn.h"
#include "sched_pool.h"

#define SCHED_CONN_KEY    "sched_conn"
#define SCHED_DRAIN_TRIES 4

typedef struct sched_conn_state_t {
    int backend_pid;
    apr_array_header_t *foreign;        /* PREPARE texts of other modules */
    unsigned char prepared[SCHED_STMT_COUNT];
} sched_conn_state_t;

static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *sched_dbd_open = NULL;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *sched_dbd_close = NULL;
static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *sched_dbd_acquire = NULL;
static module *sched_dbd_module = NULL;

/* Set once a connection of this process was seen with other modules' statements;
 * known, once a connection was seen at all. */
static volatile int sched_conn_foreign_seen = 0;
static volatile int sched_conn_foreign_known = 0;

int sched_conn_init(server_rec *s)
{
    sched_dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    sched_dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    sched_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    sched_dbd_module = ap_find_linked_module("mod_dbd.c");
    if (!sched_dbd_open || !sched_dbd_close || !sched_dbd_acquire || !sched_dbd_module) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SCHED_LOGNO(00201)
                     "mod_dbd is not loaded: mod_sched needs it (LoadModule dbd_module)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

int sched_conn_shared(void)
{
    return sched_conn_foreign_seen;
}

int sched_conn_known(void)
{
    return sched_conn_foreign_known;
}

/* A pooled connection may have been closed by the server since its last use (a
 * restart, an idle timeout, a terminated backend). Reading what is waiting on the
 * socket, without sending anything, tells; such a connection is reset before
 * anything is sent on it, so no statement runs twice. Returns 1 when it is up. */
static int sched_conn_alive(request_rec *r, PGconn *conn)
{
    struct pollfd pfd;
    int round;

    /* A server going down sends a FATAL message, then closes: read both. */
    for (round = 0; round < SCHED_DRAIN_TRIES && PQstatus(conn) == CONNECTION_OK; round++) {
        pfd.fd = PQsocket(conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 0) <= 0) {
            return 1;       /* nothing waiting: the usual, healthy case */
        }
        if (!PQconsumeInput(conn)) {
            break;
        }
    }
    if (PQstatus(conn) == CONNECTION_OK && round < SCHED_DRAIN_TRIES) {
        return 1;
    }
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) {
        return 0;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, SCHED_LOGNO(00205)
                  "reconnected to the database: the server had closed the connection");
    return 1;
}

/* Reads the statements other modules prepared on this (new) connection. */
static void sched_conn_remember(apr_pool_t *p, PGconn *conn, sched_conn_state_t *st)
{
    PGresult *res = sched_sql_exec(conn, SCHED_STMT_SESSION_FOREIGN, 0, NULL);
    int i;

    st->foreign = apr_array_make(p, 2, sizeof(const char *));
    for (i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++) {
        APR_ARRAY_PUSH(st->foreign, const char *) =
            apr_pstrdup(p, PQgetvalue(res, i, SCHED_SESSION_FOREIGN__STATEMENT));
        /* Only an authentication module's statement means that requests are
         * authenticated on a connection held for the whole request; mod_session_dbd's
         * are restored after a reset too, but need no connection bound early. */
        if (PQgetvalue(res, i, SCHED_SESSION_FOREIGN__AUTHN)[0] == 't') {
            sched_conn_foreign_seen = 1;
        }
    }
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        sched_conn_foreign_known = 1;
    }
    PQclear(res);
}

/* Prepares them again on a new backend of the same connection. */
static void sched_conn_restore(request_rec *r, PGconn *conn, sched_conn_state_t *st)
{
    int i;
    for (i = 0; i < st->foreign->nelts; i++) {
        PGresult *res = PQexec(conn, APR_ARRAY_IDX(st->foreign, i, const char *));
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok && PQstatus(conn) == CONNECTION_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, SCHED_LOGNO(00206)
                          "could not prepare again a statement of another module: "
                          "SQLSTATE %s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
        }
        PQclear(res);
        if (!ok && PQstatus(conn) != CONNECTION_OK) {
            return;     /* lost again: the statement that follows finds out */
        }
    }
}

/* Settings of every session (new backend) before it runs anything: sched_session.sql
 * says which and why. */
static void sched_conn_session(request_rec *r, PGconn *conn)
{
    PGresult *res = sched_sql_exec(conn, SCHED_STMT_SESSION, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQstatus(conn) == CONNECTION_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, SCHED_LOGNO(00209)
                      "could not set plan_cache_mode: SQLSTATE %s",
                      PQresultErrorField(res, PG_DIAG_SQLSTATE));
    }
    else if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, SCHED_LOGNO(00210)
                      "new database session (backend %d): generic plans",
                      PQbackendPID(conn));
    }
    PQclear(res);
}

/* The connection's record; on a new backend, its session is set up, our statements
 * are forgotten and the other modules' are prepared again. */
static sched_conn_state_t *sched_conn_state(request_rec *r, ap_dbd_t *dbd, PGconn *conn)
{
    sched_conn_state_t *st = NULL;
    apr_pool_userdata_get((void **)&st, SCHED_CONN_KEY, dbd->pool);
    if (st == NULL) {
        st = apr_pcalloc(dbd->pool, sizeof(*st));
        apr_pool_userdata_setn(st, SCHED_CONN_KEY, NULL, dbd->pool);
        sched_conn_session(r, conn);
        sched_conn_remember(dbd->pool, conn, st);
    }
    else if (st->backend_pid != PQbackendPID(conn)) {
        memset(st->prepared, 0, sizeof(st->prepared));
        sched_conn_session(r, conn);
        sched_conn_restore(r, conn, st);
    }
    st->backend_pid = PQbackendPID(conn);
    return st;
}

/* The lent connection of dbd, made usable; NULL when it cannot be. */
static sched_conn_t *sched_conn_ready(request_rec *r, ap_dbd_t *dbd, int bound)
{
    sched_conn_t *c;
    PGconn *conn = apr_dbd_native_handle(dbd->driver, dbd->handle);

    if (conn == NULL || !sched_conn_alive(r, conn)) {
        return NULL;
    }
    c = apr_palloc(r->pool, sizeof(*c));
    c->pg = conn;
    c->prepared = sched_conn_state(r, dbd, conn)->prepared;
    c->dbd = dbd;
    c->gate = NULL;
    c->bound = bound;
    return c;
}

#define SCHED_WHY_BUSY  "every database connection of this process is in use " \
                        "(SchedPoolWait passed)"
#define SCHED_WHY_DOWN  "cannot connect to the database"

/* A bound connection is rolled back before mod_dbd takes it back (cleanups run
 * last registered first). */
static apr_status_t sched_conn_idle(void *data)
{
    PGconn *conn = data;
    if (PQtransactionStatus(conn) != PQTRANS_IDLE
        && PQtransactionStatus(conn) != PQTRANS_UNKNOWN) {
        PQclear(sched_sql_exec(conn, SCHED_STMT_ROLLBACK, 0, NULL));
    }
    return APR_SUCCESS;
}

/* Whether another module (mod_authn_dbd, mod_session_dbd) took a connection for the
 * whole request from mod_dbd: ap_dbd_acquire gives that one again, and taking a
 * second one could wait for ever on a pool that such requests have emptied. */
static int sched_conn_held(request_rec *r)
{
    while (!ap_is_initial_req(r)) {
        r = r->prev ? r->prev : r->main;
    }
    return ap_get_module_config(r->request_config, sched_dbd_module) != NULL;
}

sched_conn_t *sched_conn_open(request_rec *r, apr_interval_time_t wait, const char **why,
                              int *busy)
{
    sched_conn_t *c = ap_get_module_config(r->request_config, &sched_module);
    sched_gate_t *gate;
    ap_dbd_t *dbd;

    *busy = 0;
    if (c) {
        return c;   /* the request's bound connection */
    }
    if (sched_conn_held(r)) {
        dbd = sched_dbd_acquire(r);
        if (dbd && (c = sched_conn_ready(r, dbd, 1)) != NULL) {
            apr_pool_cleanup_register(r->pool, c->pg, sched_conn_idle,
                                      apr_pool_cleanup_null);
            ap_set_module_config(r->request_config, &sched_module, c);
            return c;
        }
        *why = SCHED_WHY_DOWN;
        return NULL;
    }
    if (sched_pool_enter(r->server, wait, &gate) != APR_SUCCESS) {
        *busy = 1;
        *why = SCHED_WHY_BUSY;
        return NULL;
    }
    dbd = sched_dbd_open(r->pool, r->server);
    if (dbd && (c = sched_conn_ready(r, dbd, 0)) != NULL) {
        c->gate = gate;
        return c;
    }
    if (dbd) {
        sched_dbd_close(r->server, dbd);
    }
    sched_pool_leave(gate);
    *why = SCHED_WHY_DOWN;
    return NULL;
}

void sched_conn_close(request_rec *r, sched_conn_t *c)
{
    if (c == NULL || c->bound) {
        return;
    }
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE
        && PQtransactionStatus(c->pg) != PQTRANS_UNKNOWN) {
        PQclear(sched_sql_exec(c->pg, SCHED_STMT_ROLLBACK, 0, NULL));
    }
    sched_dbd_close(r->server, c->dbd);
    sched_pool_leave(c->gate);
}

static apr_status_t sched_conn_unbind(void *data)
{
    sched_pool_leave(data);
    return APR_SUCCESS;
}

int sched_conn_bind(request_rec *r, apr_interval_time_t wait, const char **why,
                    int *busy)
{
    sched_conn_t *c = ap_get_module_config(r->request_config, &sched_module);
    sched_gate_t *gate;
    ap_dbd_t *dbd;

    *busy = 0;
    if (c) {
        return OK;
    }
    if (sched_pool_enter(r->server, wait, &gate) != APR_SUCCESS) {
        *busy = 1;
        *why = SCHED_WHY_BUSY;
        return DECLINED;
    }
    /* mod_dbd gives it back at the end of the request; the place goes after it. */
    if (gate) {
        apr_pool_cleanup_register(r->pool, gate, sched_conn_unbind, apr_pool_cleanup_null);
    }
    dbd = sched_dbd_acquire(r);
    if (dbd == NULL || (c = sched_conn_ready(r, dbd, 1)) == NULL) {
        *why = SCHED_WHY_DOWN;
        return DECLINED;
    }
    apr_pool_cleanup_register(r->pool, c->pg, sched_conn_idle, apr_pool_cleanup_null);
    ap_set_module_config(r->request_config, &sched_module, c);
    return OK;
}
