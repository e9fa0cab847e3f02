/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Every SQL statement of the module, by name: the files of sql/statements/, embedded
 * by tools/sqlgen.pl (the table, src/sched_stmts.c, and the enums of statements and
 * of their columns, include/sched_stmts.h, are generated). Each is prepared once per
 * pooled connection, on first use, checked against the columns its header names,
 * and run with PQexecPrepared; parameters are typed by casts in the SQL text and
 * never pasted into it; results come in binary (sched_row.h). */
#ifndef SCHED_SQL_H
#define SCHED_SQL_H

#include <libpq-fe.h>

#include "sched_stmts.h"

/* The statement takes the caller first: $1 user name (NULL: anonymous), $2 whether
 * SchedOpenAccess is on. sched_db_exec passes them; callers pass the rest. */
#define SCHED_STMT_PRINCIPAL          (1 << 0)
/* It changes nothing (or nothing that running it twice would change twice): when
 * the connection is lost while it runs, it runs again on a fresh one. */
#define SCHED_STMT_RETRY_SAFE         (1 << 2)
/* Not prepared: run as it is (sched_sql_exec). SET, ROLLBACK and the like, which
 * PREPARE does not take, and what runs before a session is set up. */
#define SCHED_STMT_UNPREPARED         (1 << 3)
/* A write by id that honours If-Match: its last parameter is the ETags that the
 * request's If-Match names (text[]; NULL without one, or for *), which sched_db_exec
 * passes; it answers visible, allowed, unmet, etag first (sched_db.h). */
#define SCHED_STMT_CONDITIONAL        (1 << 4)

/* A column of a statement's answer, as its header names it. */
typedef struct sched_col_t {
    const char *name;
    Oid type;
    const char *type_name;
} sched_col_t;

typedef struct sched_stmt_t {
    const char *name;           /* sched_<resource>_<action>: the file's name */
    const char *sql;
    int flags;                  /* SCHED_STMT_* */
    int nparams;                /* $1..$nparams */
    int ncols;
    const sched_col_t *cols;    /* ncols of them, in order */
} sched_stmt_t;

extern const sched_stmt_t sched_stmts[SCHED_STMT_COUNT];

/* Runs an unprepared statement (SCHED_STMT_UNPREPARED) as it is, results in text.
 * Never NULL. */
PGresult *sched_sql_exec(PGconn *conn, sched_stmt_e stmt, int nparams,
                         const char *const *params);

/* Compares what PostgreSQL describes of a prepared statement (PQdescribePrepared)
 * with the columns its header names: count, names, order and types. NULL when they
 * match, else why not, in buf (of size len). */
const char *sched_sql_verify(const sched_stmt_t *stmt, const PGresult *described,
                             char *buf, size_t len);

#endif
