/* Running a statement of sched_sql.c on the request's pooled connection. */
#ifndef SCHED_DB_H
#define SCHED_DB_H

#include <libpq-fe.h>

#include "sched_private.h"
#include "sched_http.h"
#include "sched_sql.h"

/* Runs stmt with text parameters (NULL is SQL NULL). On success returns OK with
 * *res set (cleared with r->pool). On failure answers the request (503 when the
 * database is unavailable, with Retry-After; 4xx for constraint violations; 500
 * for bugs) and returns DONE. Serialization failures are retried. */
int sched_db_exec(request_rec *r, sched_stmt_e stmt, int nparams,
                  const char *const *params, PGresult **res);

/* As sched_db_exec, for a caller that is not answering the request (an auth
 * provider): nothing is answered; a failure is logged and returned as
 * HTTP_SERVICE_UNAVAILABLE or HTTP_INTERNAL_SERVER_ERROR. */
int sched_db_query(request_rec *r, sched_stmt_e stmt, int nparams,
                   const char *const *params, PGresult **res);

/* Retry-After of a 503 (seconds). */
#define SCHED_RETRY_AFTER "5"

/* Answers 503 with Retry-After (logged with why); returns DONE. */
int sched_db_unavailable(request_rec *r, const char *why);

/* What sched_db_exec_unless returns when the named constraint was violated. */
#define SCHED_DB_CONSTRAINT 1

/* As sched_db_exec, but a violation of the named constraint is not answered: it
 * returns SCHED_DB_CONSTRAINT and the caller decides. */
int sched_db_exec_unless(request_rec *r, sched_stmt_e stmt, int nparams,
                         const char *const *params, PGresult **res, const char *constraint);

/* 200 with the JSON text in column col of the first row; 404 when there is no row. */
int sched_db_send_row(request_rec *r, PGresult *res, int col);

/* GET of one resource: stmt takes the id and returns its JSON; 200 or 404. */
int sched_db_read_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id);

/* DELETE of one resource: stmt takes the id and answers (visible, allowed, ...):
 * 204, 403 or 404. */
int sched_db_delete_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id);

/* The (visible, allowed, ...) answer of a write by id: 404 when the caller may not
 * see the resource (or it does not exist), 403 when it may not change it, else OK. */
int sched_db_guard(request_rec *r, PGresult *res);

/* The same, then 200 with the JSON of column 2. */
int sched_db_send_guarded(request_rec *r, PGresult *res);

/* The (allowed, ...) answer of a create: 403 when not allowed, else OK. */
int sched_db_allowed(request_rec *r, PGresult *res);

/* The (allowed, id, json) answer of a create: 403, or 201 with Location. */
int sched_db_send_created(sched_req_t *req, PGresult *res);

#endif
