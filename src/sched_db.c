/* Statements on mod_dbd's pooled connections, through libpq on the native handle:
 * apr_dbd's pgsql driver hides SQLSTATE, which decides every error answer here.
 *
 * Each connection remembers (in userdata of its own pool, dbd->pool) which
 * statements it has prepared, and for which backend: mod_dbd resets a broken
 * connection with PQreset, which gives a new backend without our statements. */
#include <http_protocol.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <poll.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_http.h"
#include "sched_json.h"
#include "sched_sqlstate.h"

#define SCHED_DB_STATE_KEY "sched_db_state"
#define SCHED_DB_RETRIES   3
#define SCHED_RETRY_AFTER  "5"

typedef struct sched_db_state_t {
    int backend_pid;
    unsigned char prepared[SCHED_STMT_COUNT];
} sched_db_state_t;

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *sched_dbd_acquire = NULL;

int sched_db_init(server_rec *s)
{
    sched_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    if (sched_dbd_acquire == NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SCHED_LOGNO(00201)
                     "mod_dbd is not loaded: mod_sched needs it (LoadModule dbd_module)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static apr_status_t sched_db_clear(void *res)
{
    PQclear(res);
    return APR_SUCCESS;
}

/* Runs after every statement of the request: leave no transaction open on a
 * connection that goes back to the pool. */
static apr_status_t sched_db_idle(void *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE
        && PQtransactionStatus(conn) != PQTRANS_UNKNOWN) {
        PQclear(PQexec(conn, "ROLLBACK"));
    }
    return APR_SUCCESS;
}

static int sched_db_unavailable(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00202)
                  "database unavailable: %s", why);
    apr_table_setn(r->err_headers_out, "Retry-After", SCHED_RETRY_AFTER);
    return sched_problem(r, HTTP_SERVICE_UNAVAILABLE,
                         "the database is unavailable, try again shortly", NULL);
}

/* The connection's statement record, forgotten when the backend changed. */
static sched_db_state_t *sched_db_state(ap_dbd_t *dbd, PGconn *conn)
{
    sched_db_state_t *st = NULL;
    apr_pool_userdata_get((void **)&st, SCHED_DB_STATE_KEY, dbd->pool);
    if (st == NULL) {
        st = apr_pcalloc(dbd->pool, sizeof(*st));
        apr_pool_userdata_setn(st, SCHED_DB_STATE_KEY, NULL, dbd->pool);
    }
    if (st->backend_pid != PQbackendPID(conn)) {
        memset(st->prepared, 0, sizeof(st->prepared));
        st->backend_pid = PQbackendPID(conn);
    }
    return st;
}

/* Prepares stmt on conn if it is not yet; returns NULL or the failed result. */
static PGresult *sched_db_prepare(PGconn *conn, sched_db_state_t *st, sched_stmt_e stmt)
{
    PGresult *res;
    if (st->prepared[stmt]) {
        return NULL;
    }
    res = PQprepare(conn, sched_stmts[stmt].name, sched_stmts[stmt].sql, 0, NULL);
    if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        st->prepared[stmt] = 1;
        return NULL;
    }
    return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

/* Answers a failed statement from its SQLSTATE and constraint name. */
static int sched_db_answer(request_rec *r, sched_stmt_e stmt, PGresult *res,
                           sched_sqlstate_answer_t a)
{
    const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    json_t *errors;

    if (a.kind == SCHED_SQLSTATE_UNAVAILABLE || a.kind == SCHED_SQLSTATE_RETRY) {
        return sched_db_unavailable(r, apr_psprintf(r->pool, "%s: SQLSTATE %s",
                                    sched_stmts[stmt].name, sqlstate ? sqlstate : "none"));
    }
    if (a.kind != SCHED_SQLSTATE_ANSWER) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00203)
                      "%s failed: SQLSTATE %s constraint %s", sched_stmts[stmt].name,
                      sqlstate ? sqlstate : "none", constraint ? constraint : "none");
        return sched_problem(r, HTTP_INTERNAL_SERVER_ERROR, a.message, NULL);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, SCHED_LOGNO(00204)
                  "%s: SQLSTATE %s constraint %s -> %d", sched_stmts[stmt].name,
                  sqlstate, constraint ? constraint : "none", a.status);
    errors = sched_json_object(r);
    if (a.field) {
        sched_json_error_add(errors, a.field, a.message);
    }
    return sched_problem(r, a.status, a.message, errors);
}

/* One attempt: prepare if needed, execute. Returns the result (never NULL). */
static PGresult *sched_db_run(PGconn *conn, sched_db_state_t *st, sched_stmt_e stmt,
                              int nparams, const char *const *params)
{
    PGresult *res = sched_db_prepare(conn, st, stmt);
    if (res) {
        return res;
    }
    res = PQexecPrepared(conn, sched_stmts[stmt].name, nparams, params, NULL, NULL, 0);
    return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

/* A pooled connection may have been closed by the server since its last use (a
 * restart, an idle timeout). Reading what is waiting on the socket, without sending
 * anything, tells; such a connection is reset before the statement is sent, so the
 * statement runs exactly once. Returns 1 when the connection is up. */
static int sched_db_alive(request_rec *r, PGconn *conn)
{
    struct pollfd pfd;
    int round;

    /* A server going down sends a FATAL message, then closes: read both. */
    for (round = 0; round < 4 && PQstatus(conn) == CONNECTION_OK; round++) {
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
    if (PQstatus(conn) == CONNECTION_OK && round < 4) {
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

/* The parameters of a SCHED_STMT_PRINCIPAL statement: the caller, then the rest. */
static const char *const *sched_db_principal(request_rec *r, int nparams,
                                             const char *const *params)
{
    const sched_config_t *conf = ap_get_module_config(r->per_dir_config, &sched_module);
    const char **all = apr_palloc(r->pool, sizeof(*all) * (apr_size_t)(nparams + 2));
    all[0] = r->user;
    all[1] = conf->open_access == 1 ? "t" : "f";
    if (nparams) {
        memcpy(all + 2, params, sizeof(*all) * (apr_size_t)nparams);
    }
    return all;
}

/* Runs stmt; a violation of the constraint named except is handed back to the caller
 * as SCHED_DB_CONSTRAINT instead of answered. */
static int sched_db_run_all(request_rec *r, sched_stmt_e stmt, int nparams,
                            const char *const *params, PGresult **out, const char *except)
{
    ap_dbd_t *dbd = sched_dbd_acquire ? sched_dbd_acquire(r) : NULL;
    PGconn *conn;
    sched_db_state_t *st;
    sched_sqlstate_answer_t a;
    PGresult *res;
    const char *sqlstate, *constraint;
    int attempt, reran = 0;

    if (dbd == NULL) {
        return sched_db_unavailable(r, "no connection from mod_dbd");
    }
    if (sched_stmts[stmt].flags & SCHED_STMT_PRINCIPAL) {
        params = sched_db_principal(r, nparams, params);
        nparams += 2;
    }
    conn = apr_dbd_native_handle(dbd->driver, dbd->handle);
    if (!sched_db_alive(r, conn)) {
        return sched_db_unavailable(r, "cannot reconnect");
    }
    apr_pool_cleanup_register(r->pool, conn, sched_db_idle, apr_pool_cleanup_null);
    st = sched_db_state(dbd, conn);
    for (attempt = 0; ; attempt++) {
        res = sched_db_run(conn, st, stmt, nparams, params);
        apr_pool_cleanup_register(r->pool, res, sched_db_clear, apr_pool_cleanup_null);
        if (PQresultStatus(res) == PGRES_TUPLES_OK
            || PQresultStatus(res) == PGRES_COMMAND_OK) {
            *out = res;
            return OK;
        }
        sqlstate = PQstatus(conn) == CONNECTION_OK
                   ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        if (except && constraint && strcmp(constraint, except) == 0) {
            return SCHED_DB_CONSTRAINT;
        }
        a = sched_sqlstate_classify(sqlstate, constraint);
        if (a.kind == SCHED_SQLSTATE_REPREPARE && attempt == 0) {
            memset(st->prepared, 0, sizeof(st->prepared));
            continue;
        }
        if (a.kind == SCHED_SQLSTATE_RETRY && attempt < SCHED_DB_RETRIES) {
            continue;
        }
        if ((sched_stmts[stmt].flags & SCHED_STMT_RERUN_ON_EXCLUSION) && !reran
            && sqlstate && strcmp(sqlstate, "23P01") == 0) {
            reran = 1;
            continue;
        }
        return sched_db_answer(r, stmt, res, a);
    }
}

int sched_db_exec(request_rec *r, sched_stmt_e stmt, int nparams,
                  const char *const *params, PGresult **res)
{
    return sched_db_run_all(r, stmt, nparams, params, res, NULL);
}

int sched_db_exec_unless(request_rec *r, sched_stmt_e stmt, int nparams,
                         const char *const *params, PGresult **res, const char *constraint)
{
    return sched_db_run_all(r, stmt, nparams, params, res, constraint);
}

int sched_db_send_row(request_rec *r, PGresult *res, int col)
{
    if (PQntuples(res) == 0) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    return sched_send_json(r, HTTP_OK, PQgetvalue(res, 0, col),
                           (apr_size_t)PQgetlength(res, 0, col));
}

int sched_db_read_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id)
{
    const char *params[1] = { apr_psprintf(r->pool, "%" APR_INT64_T_FMT, id) };
    PGresult *res;
    int rv = sched_db_exec(r, stmt, 1, params, &res);
    return rv != OK ? rv : sched_db_send_row(r, res, 0);
}

int sched_db_guard(request_rec *r, PGresult *res)
{
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        return sched_problem(r, HTTP_FORBIDDEN, "you may not do this to this resource",
                             NULL);
    }
    return OK;
}

int sched_db_allowed(request_rec *r, PGresult *res)
{
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        return sched_problem(r, HTTP_FORBIDDEN, "you may not create this resource", NULL);
    }
    return OK;
}

int sched_db_send_created(sched_req_t *req, PGresult *res)
{
    int rv = sched_db_allowed(req->r, res);
    return rv != OK ? rv : sched_send_created(req, PQgetvalue(res, 0, 1),
                                              PQgetvalue(res, 0, 2));
}

int sched_db_send_guarded(request_rec *r, PGresult *res)
{
    int rv = sched_db_guard(r, res);
    if (rv != OK) {
        return rv;
    }
    return sched_send_json(r, HTTP_OK, PQgetvalue(res, 0, 2),
                           (apr_size_t)PQgetlength(res, 0, 2));
}

int sched_db_delete_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id)
{
    const char *params[1] = { apr_psprintf(r->pool, "%" APR_INT64_T_FMT, id) };
    PGresult *res;
    int rv = sched_db_exec(r, stmt, 1, params, &res);
    if (rv != OK || (rv = sched_db_guard(r, res)) != OK) {
        return rv;
    }
    return sched_send_no_content(r);
}
