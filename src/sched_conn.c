/* Connections from mod_dbd, through libpq on the native handle.
 *
 * mod_dbd prepares every module's labelled statements when it opens a connection,
 * but when a broken connection is reset (PQreset, by mod_dbd or by us) the new
 * backend has none of them, and nothing prepares them again: after a database
 * restart mod_authn_dbd's query fails on every pooled connection (logins get 401)
 * until the pool replaces them. So each connection remembers, in userdata of its
 * own pool (dbd->pool), its backend, which of our statements it has prepared, and
 * the text of the statements other modules prepared (pg_prepared_statements), read
 * the first time we see it; a new backend gets those back before any use. mod_sched
 * calls sched_conn_get before authentication (see mod_sched.c), so logins on its
 * locations work again as soon as the database does. */
#include <apr_optional.h>
#include <apr_strings.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <poll.h>

#include "sched_conn.h"

#define SCHED_CONN_KEY    "sched_conn"
#define SCHED_DRAIN_TRIES 4

typedef struct sched_conn_state_t {
    PGconn *conn;
    int backend_pid;
    apr_array_header_t *foreign;        /* PREPARE texts of other modules */
    unsigned char prepared[SCHED_STMT_COUNT];
} sched_conn_state_t;

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *sched_dbd_acquire = NULL;

int sched_conn_init(server_rec *s)
{
    sched_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    if (sched_dbd_acquire == NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SCHED_LOGNO(00201)
                     "mod_dbd is not loaded: mod_sched needs it (LoadModule dbd_module)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* A pooled connection may have been closed by the server since its last use (a
 * restart, an idle timeout). Reading what is waiting on the socket, without sending
 * anything, tells; such a connection is reset before anything is sent on it, so no
 * statement runs twice. Returns 1 when the connection is up. */
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
    PGresult *res = PQexec(conn, "SELECT statement FROM pg_prepared_statements"
                                 " WHERE name NOT LIKE 'sched\\_%' AND from_sql");
    int i;

    st->foreign = apr_array_make(p, 2, sizeof(const char *));
    for (i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++) {
        APR_ARRAY_PUSH(st->foreign, const char *) = apr_pstrdup(p, PQgetvalue(res, i, 0));
    }
    PQclear(res);
}

/* Prepares them again on a new backend of the same connection. */
static void sched_conn_restore(request_rec *r, PGconn *conn, sched_conn_state_t *st)
{
    int i;
    for (i = 0; i < st->foreign->nelts; i++) {
        PGresult *res = PQexec(conn, APR_ARRAY_IDX(st->foreign, i, const char *));
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, SCHED_LOGNO(00206)
                          "could not prepare again a statement of another module: "
                          "SQLSTATE %s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
        }
        PQclear(res);
    }
}

/* Settings of every session (new backend) before it runs anything. Generic plans:
 * the statements are written so that the plan made once for any parameters is the
 * right one (t/85-plans.t checks the hot ones), and PostgreSQL's default would plan
 * the first five executions anew each time, then keep re-planning whenever a plan
 * for the values at hand looks cheaper (a page of slots: 0.3 ms to run, 1.3 ms to
 * plan). */
static void sched_conn_session(request_rec *r, PGconn *conn)
{
    PGresult *res = PQexec(conn, "SET plan_cache_mode = force_generic_plan");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, SCHED_LOGNO(00209)
                      "could not set plan_cache_mode: SQLSTATE %s",
                      PQresultErrorField(res, PG_DIAG_SQLSTATE));
    }
    else {
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

PGconn *sched_conn_get(request_rec *r, unsigned char **prepared, const char **why)
{
    sched_conn_state_t *st = ap_get_module_config(r->request_config, &sched_module);
    ap_dbd_t *dbd;
    PGconn *conn;

    /* mod_dbd gives a request the same connection every time: checked once, and
     * remembered in the request's module config (mod_sched keeps nothing else there). */
    if (st && st->conn) {
        *prepared = st->prepared;
        return st->conn;
    }
    dbd = sched_dbd_acquire ? sched_dbd_acquire(r) : NULL;
    if (dbd == NULL) {
        *why = "no connection from mod_dbd";
        return NULL;
    }
    conn = apr_dbd_native_handle(dbd->driver, dbd->handle);
    if (!sched_conn_alive(r, conn)) {
        *why = "cannot reconnect";
        return NULL;
    }
    st = sched_conn_state(r, dbd, conn);
    st->conn = conn;
    ap_set_module_config(r->request_config, &sched_module, st);
    *prepared = st->prepared;
    return conn;
}
