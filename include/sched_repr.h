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
    int cols[12];
} sched_repr_t;

/* {"id", "username", "email", "is_superuser", "is_active", "date_joined"} */
void sched_repr_user(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_USER(S) { sched_repr_user, { SCHED_##S##__ID, SCHED_##S##__USERNAME, \
    SCHED_##S##__EMAIL, SCHED_##S##__IS_SUPERUSER, SCHED_##S##__IS_ACTIVE, \
    SCHED_##S##__DATE_JOINED } }

/* {"id", "user"}: a client or provider record */
void sched_repr_role(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_ROLE(S) { sched_repr_role, { SCHED_##S##__ID, SCHED_##S##__USER_ID } }

/* {"id", "provider", "start_time", "end_time", "source"} */
void sched_repr_slot(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_SLOT(S) { sched_repr_slot, { SCHED_##S##__ID, SCHED_##S##__PROVIDER_ID, \
    SCHED_##S##__START_TIME, SCHED_##S##__END_TIME, SCHED_##S##__SOURCE } }
/* The slot's start column, among cols (the key of the slots' order). */
#define SCHED_REPR_SLOT_START 2

/* The same and "available" */
void sched_repr_slot_detail(sched_jsonw_t *w, const PGresult *res, int row,
                            const int *cols);
#define SCHED_REPR_SLOT_DETAIL(S) { sched_repr_slot_detail, { SCHED_##S##__ID, \
    SCHED_##S##__PROVIDER_ID, SCHED_##S##__START_TIME, SCHED_##S##__END_TIME, \
    SCHED_##S##__SOURCE, SCHED_##S##__AVAILABLE } }

/* {"id", "provider", "time_zone", "slot_minutes", "buffer_before_minutes",
 *  "buffer_after_minutes", "min_notice_minutes", "horizon_days", "weekly",
 *  "materialized_until"}, and "kept" when the statement answers it */
void sched_repr_schedule(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_SCHEDULE_COLS(S) SCHED_##S##__ID, SCHED_##S##__PROVIDER_ID, \
    SCHED_##S##__TIME_ZONE, SCHED_##S##__SLOT_MINUTES, SCHED_##S##__BUFFER_BEFORE_MINUTES, \
    SCHED_##S##__BUFFER_AFTER_MINUTES, SCHED_##S##__MIN_NOTICE_MINUTES, \
    SCHED_##S##__HORIZON_DAYS, SCHED_##S##__WEEKLY, SCHED_##S##__MATERIALIZED_UNTIL
#define SCHED_REPR_SCHEDULE(S) { sched_repr_schedule, { SCHED_REPR_SCHEDULE_COLS(S), -1 } }
#define SCHED_REPR_SCHEDULE_KEPT(S) { sched_repr_schedule, \
    { SCHED_REPR_SCHEDULE_COLS(S), SCHED_##S##__KEPT } }

/* {"id", "provider", "date", "intervals"} (and "kept") */
void sched_repr_override(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_OVERRIDE(S) { sched_repr_override, { SCHED_##S##__ID, \
    SCHED_##S##__PROVIDER_ID, SCHED_##S##__LOCAL_DATE, SCHED_##S##__INTERVALS, -1 } }
#define SCHED_REPR_OVERRIDE_KEPT(S) { sched_repr_override, { SCHED_##S##__ID, \
    SCHED_##S##__PROVIDER_ID, SCHED_##S##__LOCAL_DATE, SCHED_##S##__INTERVALS, \
    SCHED_##S##__KEPT } }

/* {"id", "provider", "start_time", "end_time", "reason"} (and "kept") */
void sched_repr_time_off(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_TIME_OFF(S) { sched_repr_time_off, { SCHED_##S##__ID, \
    SCHED_##S##__PROVIDER_ID, SCHED_##S##__START_TIME, SCHED_##S##__END_TIME, \
    SCHED_##S##__REASON, -1 } }
#define SCHED_REPR_TIME_OFF_KEPT(S) { sched_repr_time_off, { SCHED_##S##__ID, \
    SCHED_##S##__PROVIDER_ID, SCHED_##S##__START_TIME, SCHED_##S##__END_TIME, \
    SCHED_##S##__REASON, SCHED_##S##__KEPT } }

/* {"id", "client", "slot", "created_at", "confirmed", "status", "expires_at",
 *  "confirmed_at"} */
void sched_repr_reservation(sched_jsonw_t *w, const PGresult *res, int row,
                            const int *cols);
#define SCHED_REPR_RESERVATION(S) { sched_repr_reservation, { SCHED_##S##__ID, \
    SCHED_##S##__CLIENT_ID, SCHED_##S##__SLOT_ID, SCHED_##S##__CREATED_AT, \
    SCHED_##S##__EXPIRES_AT, SCHED_##S##__CONFIRMED_AT, SCHED_##S##__STATUS } }

/* A calendar feed: {"id", "provider", "client", "name", "created_at"}, one of provider
 * and client null; never its token. sched_repr_calendar_feed_members writes the
 * members alone, for the creation's answer, which adds the URL. */
void sched_repr_calendar_feed(sched_jsonw_t *w, const PGresult *res, int row,
                              const int *cols);
void sched_repr_calendar_feed_members(sched_jsonw_t *w, const PGresult *res, int row,
                                      const int *cols);
#define SCHED_REPR_CALENDAR_FEED(S) { sched_repr_calendar_feed, { SCHED_##S##__ID, \
    SCHED_##S##__PROVIDER_ID, SCHED_##S##__CLIENT_ID, SCHED_##S##__NAME, \
    SCHED_##S##__CREATED_AT } }

/* A change of an object: {"id", "at", "actor", "action", "changes"} */
void sched_repr_history(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_HISTORY(S) { sched_repr_history, { SCHED_##S##__ID, SCHED_##S##__AT, \
    SCHED_##S##__ACTOR, SCHED_##S##__ACTION, SCHED_##S##__CHANGES } }

/* An event of the feed: {"id", "type", "object", "object_id", "at", "actor",
 * "action", "changes", "data"} */
void sched_repr_event(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_EVENT(S) { sched_repr_event, { SCHED_##S##__ID, SCHED_##S##__XID, \
    SCHED_##S##__AT, SCHED_##S##__ACTOR, SCHED_##S##__OBJECT, SCHED_##S##__OBJECT_ID, \
    SCHED_##S##__ACTION, SCHED_##S##__CHANGES, SCHED_##S##__DATA } }
/* The event's transaction, among cols (the first key of the feed's order). */
#define SCHED_REPR_EVENT_XID 1

/* {"id", "url", "events", "active", "created_at"}, and "secret" when the statement
 * answers it (its create) */
void sched_repr_webhook(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_WEBHOOK_COLS(S) SCHED_##S##__ID, SCHED_##S##__URL, SCHED_##S##__EVENTS, \
    SCHED_##S##__ACTIVE, SCHED_##S##__CREATED_AT
#define SCHED_REPR_WEBHOOK(S) { sched_repr_webhook, { SCHED_REPR_WEBHOOK_COLS(S), -1 } }
#define SCHED_REPR_WEBHOOK_SECRET(S) { sched_repr_webhook, \
    { SCHED_REPR_WEBHOOK_COLS(S), SCHED_##S##__SECRET } }

/* An attempt of a webhook delivery: {"id", "event", "attempt", "at", "status",
 * "error", "next_attempt_at"} */
void sched_repr_attempt(sched_jsonw_t *w, const PGresult *res, int row, const int *cols);
#define SCHED_REPR_ATTEMPT(S) { sched_repr_attempt, { SCHED_##S##__ID, \
    SCHED_##S##__EVENT_ID, SCHED_##S##__ATTEMPT, SCHED_##S##__AT, SCHED_##S##__STATUS, \
    SCHED_##S##__ERROR, SCHED_##S##__NEXT_ATTEMPT_AT } }

/* A timestamptz member: RFC 3339, or null for NULL and infinity. */
void sched_repr_time(sched_jsonw_t *w, const char *key, const PGresult *res, int row,
                     int col);

#endif
