/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The JSON of each resource, as the API shows it, written from the typed columns of
 * a statement's answer. A resource's columns sit wherever the statement puts them:
 * the macros below list their positions from the enums that tools/sqlgen.pl makes of
 * the statement's header, so a statement whose header lacks one does not compile,
 * and PostgreSQL's description of it is checked against the header when it is
 * prepared (sched_sql_verify). */
#ifndef SCHED_REPR_H
#define SCHED_REPR_H

#include <libpq-fe.h>

#include "sched_jsonw.h"
#include "sched_sql.h"

typedef void (*sched_repr_fn)(sched_jsonw_t *w, const PGresult *res, int row,
                              const int *cols);

/* How to write one resource from a statement's row: the writer and the positions of
 * the columns it reads, in its order. Every writer's first column is the id. */
typedef struct sched_repr_t {
    sched_repr_fn write;
    int cols[8];
} sched_repr_t;

/* {"id", "username", "email", "is_superuser", "is_active", "date_joined"} */
void sched_repr_user(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_USER(S) { sched_repr_user, { SCHED_##S##__ID, SCHED_##S##__USERNAME, \
    SCHED_##S##__EMAIL, SCHED_##S##__IS_SUPERUSER, SCHED_##S##__IS_ACTIVE, \
    SCHED_##S##__DATE_JOINED } }

/* {"id", "user"}: a client or provider record */
void sched_repr_role(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_ROLE(S) { sched_repr_role, { SCHED_##S##__ID, SCHED_##S##__USER_ID } }

/* {"id", "provider", "start_time", "end_time"} */
void sched_repr_slot(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_SLOT(S) { sched_repr_slot, { SCHED_##S##__ID, SCHED_##S##__PROVIDER_ID, \
    SCHED_##S##__START_TIME, SCHED_##S##__END_TIME } }
/* The slot's start column, among cols (the key of the slots' order). */
#define SCHED_REPR_SLOT_START 2

/* The same and "available" */
void sched_repr_slot_detail(sched_jsonw_t *w, const PGresult *res, int row,
                            const int *cols);
#define SCHED_REPR_SLOT_DETAIL(S) { sched_repr_slot_detail, { SCHED_##S##__ID, \
    SCHED_##S##__PROVIDER_ID, SCHED_##S##__START_TIME, SCHED_##S##__END_TIME, \
    SCHED_##S##__AVAILABLE } }

/* {"id", "client", "slot", "created_at", "confirmed", "status", "expires_at",
 *  "confirmed_at"} */
void sched_repr_reservation(sched_jsonw_t *w, const PGresult *res, int row,
                            const int *cols);
#define SCHED_REPR_RESERVATION(S) { sched_repr_reservation, { SCHED_##S##__ID, \
    SCHED_##S##__CLIENT_ID, SCHED_##S##__SLOT_ID, SCHED_##S##__CREATED_AT, \
    SCHED_##S##__EXPIRES_AT, SCHED_##S##__CONFIRMED_AT, SCHED_##S##__STATUS } }

/* A timestamptz member: RFC 3339, or null for NULL and infinity. */
void sched_repr_time(sched_jsonw_t *w, const char *key, const PGresult *res, int row,
                     int col);

#endif
