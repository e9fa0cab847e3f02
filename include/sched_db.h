/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Running a statement of sql/statements/ and answering with what it returns. */
#ifndef SCHED_DB_H
#define SCHED_DB_H

#include <libpq-fe.h>

#include "sched_private.h"
#include "sched_http.h"
#include "sched_sql.h"
#include "sched_repr.h"

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

/* Where the statements put what these helpers read (tools/sqlgen.pl checks that
 * every header follows it): a write by id answers visible, allowed first (deletes
 * then deleted); a create answers allowed first. */
#define SCHED_DB_VISIBLE        0
#define SCHED_DB_ALLOWED        1
#define SCHED_DB_UNMET          2   /* If-Match named none of its ETags (412) */
#define SCHED_DB_ETAG           3   /* its ETag, after the write or as it is */
#define SCHED_DB_DELETED        4
#define SCHED_DB_CREATE_ALLOWED 0

/* status with the resource of row 0 as repr writes it; 404 when there is no row (or
 * its id is NULL: nothing was written). */
int sched_db_send_one(request_rec *r, int status, const PGresult *res,
                      const sched_repr_t *repr);

/* GET of one resource: stmt takes the id; 200 or 404. */
int sched_db_read_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id,
                     const sched_repr_t *repr);

/* DELETE of one resource: stmt takes the id and answers (visible, allowed, unmet,
 * etag, deleted): 204, 403, 404 or 412. */
int sched_db_delete_id(request_rec *r, sched_stmt_e stmt, apr_int64_t id);

/* The same, for a statement that takes more than the id. */
int sched_db_delete(request_rec *r, sched_stmt_e stmt, int nparams,
                    const char *const *params);

/* The (visible, allowed, unmet, etag, ...) answer of a write by id: 404 when the
 * caller may not see the resource (or it does not exist), 403 when it may not change
 * it, 412 (with the current ETag) when If-Match named another, else OK. */
int sched_db_guard(request_rec *r, const PGresult *res);

/* The same, then 200 with the resource. */
int sched_db_send_guarded(request_rec *r, const PGresult *res, const sched_repr_t *repr);

/* The (allowed, ...) answer of a create: 403 when not allowed, else OK. */
int sched_db_allowed(request_rec *r, const PGresult *res);

/* The same, then 201 with Location and the resource. */
int sched_db_send_created(sched_req_t *req, const PGresult *res, const sched_repr_t *repr);

/* What a statement's "conflict" column may say, and what it answers: 409 with the
 * message as errors[field]. A table ends with an entry whose why is NULL, which
 * answers any other reason. */
typedef struct sched_db_conflict_t {
    const char *why;
    const char *field;
    const char *message;
} sched_db_conflict_t;

/* A create of a resource that belongs to a provider, answering (allowed,
 * provider_found, conflict, the resource): 403, 400 (no such provider), 409 (the
 * conflict, by the table), or 201 with the resource. */
int sched_db_send_owned(sched_req_t *req, const PGresult *res, int provider_found,
                        int conflict, const sched_db_conflict_t *conflicts,
                        const sched_repr_t *repr);

/* A write by id answering (visible, allowed, [conflict,] the resource): 404, 403,
 * 409 (conflict >= 0 and a reason there), or 200 with the resource. */
int sched_db_send_changed(sched_req_t *req, const PGresult *res, int conflict,
                          const sched_db_conflict_t *conflicts, const sched_repr_t *repr);

#endif
