/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* What a PostgreSQL error means for the client: SQLSTATE and constraint name to an
 * HTTP status, the field it concerns and a message. Pure: no httpd or libpq header. */
#ifndef SCHED_SQLSTATE_H
#define SCHED_SQLSTATE_H

typedef enum sched_sqlstate_kind_e {
    SCHED_SQLSTATE_ANSWER = 0,  /* a client error: answer status/field/message */
    SCHED_SQLSTATE_RETRY,       /* serialization failure or deadlock: run again */
    SCHED_SQLSTATE_REPREPARE,   /* prepared statement gone (connection was reset) */
    SCHED_SQLSTATE_UNAVAILABLE, /* connection lost, server shutting down, timeout: 503 */
    SCHED_SQLSTATE_BUG          /* anything else: 500, logged */
} sched_sqlstate_kind_e;

typedef struct sched_sqlstate_answer_t {
    sched_sqlstate_kind_e kind;
    int status;                 /* HTTP status */
    const char *field;          /* errors[field], or NULL */
    const char *message;        /* detail and errors[field] message */
} sched_sqlstate_answer_t;

/* sqlstate may be NULL (no result at all: the connection is gone). constraint may be
 * NULL. Named constraints get their own answer; otherwise the SQLSTATE class decides. */
sched_sqlstate_answer_t sched_sqlstate_classify(const char *sqlstate, const char *constraint);

#endif
