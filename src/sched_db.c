/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Running the statements of sql/statements/ on a connection lent for each one
 * (sched_conn.c), answering with the resources they return (sched_repr.h), and
 * answering their failures: apr_dbd's pgsql driver hides SQLSTATE, which decides
 * every error answer here. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_config.h"
#include "sched_conn.h"
#include "sched_db.h"
#include "sched_http.h"
#include "sched_json.h"
#include "sched_row.h"
#include "sched_parse.h"
#include "sched_sqlstate.h"

#define SCHED_DB_RETRIES   3

static apr_status_t sched_db_clear(void *res)
{
    PQclear(res);
    return APR_SUCCESS;
}

int sched_db_unavailable(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00202)
                  "database unavailable: %s", why);
    apr_table_setn(r->err_headers_out, "Retry-After", SCHED_RETRY_AFTER);
    return sched_problem(r, HTTP_SERVICE_UNAVAILABLE,
                         "the database is unavailable, try again shortly", NULL);
}

/* What a connection's record says of a statement (sched_conn_t.prepared). */
#define SCHED_DB_PREPARED   1
#define SCHED_DB_MISMATCHED 2   /* it answers other columns than its header names */

/* The columns of a statement just prepared, against its header. NULL when they
 * match (or the description failed: *failed has it); a mismatch (the schema is not
 * the one the module was built for) is logged, and marks the statement so that no
 * row of it is ever read on this connection. */
static const char *sched_db_describe(request_rec *r, PGconn *conn, sched_stmt_e stmt,
                                     PGresult **failed)
{
    PGresult *desc = PQdescribePrepared(conn, sched_stmts[stmt].name);
    char buf[256];
    const char *why;

    if (desc == NULL || PQresultStatus(desc) != PGRES_COMMAND_OK) {
        *failed = desc ? desc : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
        return NULL;
    }
    why = sched_sql_verify(&sched_stmts[stmt], desc, buf, sizeof(buf));
    PQclear(desc);
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00212)
                      "statement does not answer what the module reads: %s", why);
    }
    return why;
}

/* Prepares stmt on conn if it is not yet. NULL when it is ready to run; else the
 * failed result, or NULL with *mismatched set. */
static PGresult *sched_db_prepare(request_rec *r, PGconn *conn, unsigned char *prepared,
                                  sched_stmt_e stmt, int *mismatched)
{
    PGresult *res = NULL;

    *mismatched = prepared[stmt] == SCHED_DB_MISMATCHED;
    if (prepared[stmt]) {
        return NULL;
    }
    res = PQprepare(conn, sched_stmts[stmt].name, sched_stmts[stmt].sql, 0, NULL);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
    }
    PQclear(res);
    res = NULL;
    if (sched_db_describe(r, conn, stmt, &res)) {
        prepared[stmt] = SCHED_DB_MISMATCHED;
        *mismatched = 1;
    }
    else if (res == NULL) {
        prepared[stmt] = SCHED_DB_PREPARED;
    }
    return res;
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

/* One attempt: prepare if needed, execute (results in binary). Returns the result,
 * or NULL with *mismatched when the statement answers other columns than it says. */
static PGresult *sched_db_run(request_rec *r, PGconn *conn, unsigned char *prepared,
                              sched_stmt_e stmt, int nparams, const char *const *params,
                              int *mismatched)
{
    PGresult *res = sched_db_prepare(r, conn, prepared, stmt, mismatched);
    if (res || *mismatched) {
        return res;
    }
    res = PQexecPrepared(conn, sched_stmts[stmt].name, nparams, params, NULL, NULL, 1);
    return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
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

/* The parameters of a SCHED_STMT_CONDITIONAL statement: the rest, then what the
 * request's If-Match names (sched_parse_if_match). */
static const char *const *sched_db_conditional(request_rec *r, int nparams,
                                               const char *const *params)
{
    const char **all = apr_palloc(r->pool, sizeof(*all) * (apr_size_t)(nparams + 1));
    if (nparams) {
        memcpy(all, params, sizeof(*all) * (apr_size_t)nparams);
    }
    all[nparams] = sched_parse_if_match(r->pool, apr_table_get(r->headers_in, "If-Match"));
    return all;
}

/* A failure of a caller that answers nothing: logged, and told as 503 or 500. */
static int sched_db_quiet_failure(request_rec *r, sched_stmt_e stmt, PGresult *res,
                                  sched_sqlstate_answer_t a)
{
    const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00207)
                  "%s failed: SQLSTATE %s", sched_stmts[stmt].name,
                  sqlstate ? sqlstate : "none");
    return a.kind == SCHED_SQLSTATE_UNAVAILABLE || a.kind == SCHED_SQLSTATE_RETRY
           ? HTTP_SERVICE_UNAVAILABLE : HTTP_INTERNAL_SERVER_ERROR;
}

/* Why the statement cannot run: logged, and answered as 503 unless quiet. */
static int sched_db_no_conn(request_rec *r, const char *why, int quiet)
{
    if (quiet) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00208)
                      "database unavailable: %s", why);
        return HTTP_SERVICE_UNAVAILABLE;
    }
    return sched_db_unavailable(r, why);
}

/* One run of stmt on a connection of its own, given back before returning. Returns
 * the result, and whether the connection was lost meanwhile; NULL when there was no
 * connection (*why) or the statement answers other columns than it says
 * (*mismatched). */
static PGresult *sched_db_once(request_rec *r, sched_stmt_e stmt, int nparams,
                               const char *const *params, const char **why, int *lost,
                               int *mismatched)
{
    const sched_config_t *conf = sched_config_get(r);
    int busy;
    sched_conn_t *c = sched_conn_open(r, apr_time_from_sec(conf->pool_wait), why, &busy);
    PGresult *res;

    *mismatched = 0;
    if (c == NULL) {
        return NULL;
    }
    res = sched_db_run(r, c->pg, c->prepared, stmt, nparams, params, mismatched);
    if (res && PQresultStatus(res) == PGRES_FATAL_ERROR
        && sched_sqlstate_classify(PQresultErrorField(res, PG_DIAG_SQLSTATE), NULL).kind
           == SCHED_SQLSTATE_REPREPARE) {
        memset(c->prepared, 0, SCHED_STMT_COUNT);
        PQclear(res);
        res = sched_db_run(r, c->pg, c->prepared, stmt, nparams, params, mismatched);
    }
    *lost = PQstatus(c->pg) != CONNECTION_OK;
    sched_conn_close(r, c);
    if (res) {
        apr_pool_cleanup_register(r->pool, res, sched_db_clear, apr_pool_cleanup_null);
    }
    return res;
}

/* Runs stmt; a violation of the constraint named except is handed back to the caller
 * as SCHED_DB_CONSTRAINT instead of answered. quiet: nothing is answered at all, a
 * failure is logged and returned as 503 or 500. */
static int sched_db_run_all(request_rec *r, sched_stmt_e stmt, int nparams,
                            const char *const *params, PGresult **out, const char *except,
                            int quiet)
{
    const char *why = NULL, *sqlstate, *constraint;
    sched_sqlstate_answer_t a;
    PGresult *res;
    int attempt, lost = 0, mismatched = 0;

    if (sched_stmts[stmt].flags & SCHED_STMT_PRINCIPAL) {
        params = sched_db_principal(r, nparams, params);
        nparams += 2;
    }
    if (sched_stmts[stmt].flags & SCHED_STMT_CONDITIONAL) {
        params = sched_db_conditional(r, nparams, params);
        nparams += 1;
    }
    if (nparams != sched_stmts[stmt].nparams) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00213)
                      "%s takes %d parameters, given %d", sched_stmts[stmt].name,
                      sched_stmts[stmt].nparams, nparams);
        return quiet ? HTTP_INTERNAL_SERVER_ERROR
                     : sched_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                                     "the server could not complete the request", NULL);
    }
    for (attempt = 0; ; attempt++) {
        res = sched_db_once(r, stmt, nparams, params, &why, &lost, &mismatched);
        if (res == NULL && mismatched) {
            return quiet ? HTTP_INTERNAL_SERVER_ERROR
                         : sched_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                                         "the server could not complete the request", NULL);
        }
        if (res == NULL) {
            return sched_db_no_conn(r, why, quiet);
        }
        if (PQresultStatus(res) == PGRES_TUPLES_OK
            || PQresultStatus(res) == PGRES_COMMAND_OK) {
            *out = res;
            return OK;
        }
        sqlstate = lost ? NULL : PQresultErrorField(res, PG_DIAG_SQLSTATE);
        constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        if (except && constraint && strcmp(constraint, except) == 0) {
            return SCHED_DB_CONSTRAINT;
        }
        a = sched_sqlstate_classify(sqlstate, constraint);
        if (lost && attempt == 0 && (sched_stmts[stmt].flags & SCHED_STMT_RETRY_SAFE)) {
            continue;   /* the next connection is checked, and reset, first */
        }
        if (a.kind == SCHED_SQLSTATE_RETRY && attempt < SCHED_DB_RETRIES) {
            continue;
        }
        return quiet ? sched_db_quiet_failure(r, stmt, res, a)
                     : sched_db_answer(r, stmt, res, a);
    }
}

int sched_db_exec(request_rec *r, sched_stmt_e stmt, int nparams,
                  const char *const *params, PGresult **res)
{
    return sched_db_run_all(r, stmt, nparams, params, res, NULL, 0);
}

int sched_db_exec_unless(request_rec *r, sched_stmt_e stmt, int nparams,
                         const char *const *params, PGresult **res, const char *constraint)
{
    return sched_db_run_all(r, stmt, nparams, params, res, constraint, 0);
}

int sched_db_query(request_rec *r, sched_stmt_e stmt, int nparams,
                   const char *const *params, PGresult **res)
{
    return sched_db_run_all(r, stmt, nparams, params, res, NULL, 1);
}

/* The JSON of row 0 as repr writes it, in r->pool. */
static const char *sched_db_json(request_rec *r, const PGresult *res,
                                 const sched_repr_t *repr, apr_size_t *len)
{
    sched_jsonw_t w;
    sched_jsonw_init(&w, r->pool, 512);
    repr->write(&w, res, 0, repr->cols);
    return sched_jsonw_text(&w, len);
}

/* ETag: the strong one of row 0, when the statement answers one (a column named
 * etag: every single-resource statement's; sql/008). */
static void sched_db_etag(request_rec *r, const PGresult *res)
{
    int col = PQfnumber(res, "etag");
    const char *etag = col >= 0 ? sched_row_text(res, 0, col, NULL) : NULL;
    if (etag) {
        sched_set_etag(r, etag, 0);
    }
}

int sched_db_send_one(request_rec *r, int status, const PGresult *res,
                      const sched_repr_t *repr)
{
    apr_size_t len;
    const char *json;

    if (PQntuples(res) == 0 || sched_row_null(res, 0, repr->cols[0])) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    json = sched_db_json(r, res, repr, &len);
    sched_db_etag(r, res);
    return r->method_number == M_GET ? sched_send_if_changed(r, status, json, len)
                                     : sched_send_json(r, status, json, len);
}

int sched_db_read_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id,
                     const sched_repr_t *repr)
{
    const char *params[1] = { apr_psprintf(r->pool, "%" APR_INT64_T_FMT, id) };
    PGresult *res;
    int rv = sched_db_exec(r, stmt, 1, params, &res);
    return rv != OK ? rv : sched_db_send_one(r, HTTP_OK, res, repr);
}

int sched_db_guard(request_rec *r, const PGresult *res)
{
    if (PQntuples(res) == 0 || !sched_row_bool(res, 0, SCHED_DB_VISIBLE)) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    if (!sched_row_bool(res, 0, SCHED_DB_ALLOWED)) {
        return sched_problem(r, HTTP_FORBIDDEN, "you may not do this to this resource",
                             NULL);
    }
    if (sched_row_bool(res, 0, SCHED_DB_UNMET)) {
        sched_set_etag(r, sched_row_text(res, 0, SCHED_DB_ETAG, NULL), 0);
        return sched_problem(r, HTTP_PRECONDITION_FAILED,
                             "If-Match names none of the resource's ETags: it has changed",
                             NULL);
    }
    return OK;
}

int sched_db_allowed(request_rec *r, const PGresult *res)
{
    if (PQntuples(res) == 0 || !sched_row_bool(res, 0, SCHED_DB_CREATE_ALLOWED)) {
        return sched_problem(r, HTTP_FORBIDDEN, "you may not create this resource", NULL);
    }
    return OK;
}

int sched_db_send_created(sched_req_t *req, const PGresult *res, const sched_repr_t *repr)
{
    apr_size_t len;
    const char *json;
    int rv = sched_db_allowed(req->r, res);

    if (rv != OK) {
        return rv;
    }
    json = sched_db_json(req->r, res, repr, &len);
    sched_db_etag(req->r, res);
    return sched_send_created(req, sched_row_int(res, 0, repr->cols[0]), json, len);
}

int sched_db_send_guarded(request_rec *r, const PGresult *res, const sched_repr_t *repr)
{
    int rv = sched_db_guard(r, res);
    return rv != OK ? rv : sched_db_send_one(r, HTTP_OK, res, repr);
}

/* 409 for the reason in column col, when there is one; else OK. */
static int sched_db_conflict(request_rec *r, const PGresult *res, int col,
                             const sched_db_conflict_t *c)
{
    const char *why = col >= 0 ? sched_row_text(res, 0, col, NULL) : NULL;

    if (why == NULL) {
        return OK;
    }
    while (c->why && strcmp(c->why, why) != 0) {
        c++;
    }
    return sched_problem_field(r, HTTP_CONFLICT, c->field, c->message);
}

int sched_db_send_owned(sched_req_t *req, const PGresult *res, int provider_found,
                        int conflict, const sched_db_conflict_t *conflicts,
                        const sched_repr_t *repr)
{
    int rv = sched_db_allowed(req->r, res);

    if (rv != OK) {
        return rv;
    }
    if (!sched_row_bool(res, 0, provider_found)) {
        return sched_problem_field(req->r, HTTP_BAD_REQUEST, "provider", "no such provider");
    }
    if ((rv = sched_db_conflict(req->r, res, conflict, conflicts)) != OK) {
        return rv;
    }
    return sched_db_send_created(req, res, repr);
}

int sched_db_send_changed(sched_req_t *req, const PGresult *res, int conflict,
                          const sched_db_conflict_t *conflicts, const sched_repr_t *repr)
{
    int rv = sched_db_guard(req->r, res);

    if (rv != OK || (rv = sched_db_conflict(req->r, res, conflict, conflicts)) != OK) {
        return rv;
    }
    return sched_db_send_one(req->r, HTTP_OK, res, repr);
}

int sched_db_delete_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id)
{
    const char *params[1] = { apr_psprintf(r->pool, "%" APR_INT64_T_FMT, id) };
    return sched_db_delete(r, stmt, 1, params);
}

int sched_db_delete(request_rec *r, sched_stmt_e stmt, int nparams,
                    const char *const *params)
{
    PGresult *res;
    int rv = sched_db_exec(r, stmt, nparams, params, &res);
    if (rv != OK || (rv = sched_db_guard(r, res)) != OK) {
        return rv;
    }
    if (!sched_row_bool(res, 0, SCHED_DB_DELETED)) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    return sched_send_no_content(r);
}
