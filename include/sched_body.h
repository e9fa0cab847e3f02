/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Request bodies of the resources: which fields each one reads, of what kind, and
 * when they are required. One table per resource, read by one function; the
 * endpoints turn the values into statement parameters.
 * Pure: jansson and APR only. A time without an offset is handed to a callback
 * (the module reads it in SchedNaiveTimeZone, by PostgreSQL). */
#ifndef SCHED_BODY_H
#define SCHED_BODY_H

#include "sched_json.h"
#include "sched_time.h"

typedef enum sched_body_kind_e {
    SCHED_BODY_ID,              /* a JSON integer in 1..INT64_MAX */
    SCHED_BODY_STRING,          /* a string of min to max bytes, that check accepts */
    SCHED_BODY_INT,             /* a JSON integer in min..max */
    SCHED_BODY_BOOL,            /* true or false */
    SCHED_BODY_TIME,            /* an RFC 3339 date-time, a string of 1 to 64 bytes */
    SCHED_BODY_DATE,            /* a calendar date, "YYYY-MM-DD" */
    SCHED_BODY_STRINGS,         /* an array of 1 to max distinct strings of 1 to 64
                                   bytes each, that check accepts */
    SCHED_BODY_INTERVALS        /* an array of at most max {"start": "HH:MM", "end":
                                   "HH:MM"} (with SCHED_BODY_WEEKDAY, each also a
                                   "weekday" 1-7), each ending after it starts (end
                                   may be "24:00"), none overlapping another (of its
                                   weekday) */
} sched_body_kind_e;

/* Which request a body comes with. */
typedef enum sched_body_mode_e {
    SCHED_BODY_CREATE,          /* POST to the collection */
    SCHED_BODY_REPLACE,         /* PUT: the whole resource */
    SCHED_BODY_PATCH            /* PATCH: any subset */
} sched_body_mode_e;

/* Field flags. */
#define SCHED_BODY_NEED_CREATE  0x1     /* required in POST */
#define SCHED_BODY_NEED_PUT     0x2     /* required in PUT */
#define SCHED_BODY_CREATE_ONLY  0x4     /* read in POST only; PUT and PATCH ignore it */
#define SCHED_BODY_NULLABLE     0x8     /* null is a value (v->null) */
#define SCHED_BODY_WEEKDAY      0x10    /* INTERVALS: each has a "weekday" */

typedef struct sched_body_field_t {
    const char *name;
    sched_body_kind_e kind;
    unsigned flags;
    apr_int64_t min, max;       /* STRING: length in bytes; INT: value */
    int (*check)(const char *s);    /* STRING: NULL, or 0 for a value it refuses */
    const char *refused;        /* the message when check refuses */
    const char *after;          /* TIME: NULL, or the field this one must be after */
} sched_body_field_t;

typedef struct sched_body_t {
    const char *resource;       /* the collection's path segment */
    const sched_body_field_t *fields;
    int count;
} sched_body_t;

/* What the body said of one field. */
typedef struct sched_body_value_t {
    sched_field_e got;          /* ABSENT, OK or INVALID (the error is in errors) */
    apr_int64_t i;              /* ID, INT; BOOL: 0 or 1; TIME: UTC microseconds */
    const char *s;              /* STRING, TIME and DATE: the text, owned by the body */
    json_t *json;               /* INTERVALS, STRINGS: the array, owned by the body */
    int null;                   /* NULLABLE: the body said null */
} sched_body_value_t;

#define SCHED_BODY_MAX_FIELDS 8

/* The fields of each body, by index into its values. */
enum { SCHED_USER_USERNAME, SCHED_USER_EMAIL, SCHED_USER_PASSWORD,
       SCHED_USER_IS_SUPERUSER, SCHED_USER_IS_ACTIVE, SCHED_USER_FIELDS };
enum { SCHED_ROLE_USER, SCHED_ROLE_FIELDS };
enum { SCHED_SLOT_PROVIDER, SCHED_SLOT_START_TIME, SCHED_SLOT_END_TIME,
       SCHED_SLOT_MINUTES, SCHED_SLOT_FIELDS };
enum { SCHED_RESERVATION_CLIENT, SCHED_RESERVATION_SLOT, SCHED_RESERVATION_FIELDS };
enum { SCHED_SCHEDULE_PROVIDER, SCHED_SCHEDULE_TIME_ZONE, SCHED_SCHEDULE_SLOT_MINUTES,
       SCHED_SCHEDULE_BUFFER_BEFORE, SCHED_SCHEDULE_BUFFER_AFTER,
       SCHED_SCHEDULE_MIN_NOTICE, SCHED_SCHEDULE_HORIZON_DAYS, SCHED_SCHEDULE_WEEKLY,
       SCHED_SCHEDULE_FIELDS };
enum { SCHED_WEBHOOK_URL, SCHED_WEBHOOK_EVENTS, SCHED_WEBHOOK_ACTIVE,
       SCHED_WEBHOOK_FIELDS };
enum { SCHED_OVERRIDE_PROVIDER, SCHED_OVERRIDE_DATE, SCHED_OVERRIDE_INTERVALS,
       SCHED_OVERRIDE_FIELDS };
enum { SCHED_TIME_OFF_PROVIDER, SCHED_TIME_OFF_START_TIME, SCHED_TIME_OFF_END_TIME,
       SCHED_TIME_OFF_REASON, SCHED_TIME_OFF_FIELDS };
enum { SCHED_FEED_PROVIDER, SCHED_FEED_CLIENT, SCHED_FEED_NAME, SCHED_FEED_FIELDS };

extern const sched_body_t sched_body_users;
extern const sched_body_t sched_body_clients;
extern const sched_body_t sched_body_providers;
extern const sched_body_t sched_body_slots;
extern const sched_body_t sched_body_reservations;
extern const sched_body_t sched_body_schedules;
extern const sched_body_t sched_body_overrides;
extern const sched_body_t sched_body_time_off;
extern const sched_body_t sched_body_webhooks;
/* Neither field is required by the table: the endpoint wants exactly one of provider
 * and client. */
extern const sched_body_t sched_body_calendar_feeds;

/* Every body above, then NULL. */
extern const sched_body_t *const sched_body_all[];

/* Reads a time without an offset into *usec (UTC microseconds). Returns 0, or a
 * non-zero value that stops sched_body_read, which returns it. */
typedef int (*sched_body_resolve_fn)(void *ctx, const sched_time_t *t, apr_int64_t *usec);

/* Reads the fields of schema from body (a JSON object) into values (schema->count of
 * them), in the order of the schema, adding what is wrong to errors (field ->
 * [messages]). With resolve NULL a time needs an offset; else resolve reads the times
 * that have none. Last, a time that is not after the field its "after" names is an
 * error. Returns 0, or what resolve returned when it failed (values then partial). */
int sched_body_read(const sched_body_t *schema, sched_body_mode_e mode, json_t *body,
                    sched_body_resolve_fn resolve, void *ctx,
                    sched_body_value_t *values, json_t *errors);

/* Whether mode reads field, and whether it requires it. */
int sched_body_reads(const sched_body_field_t *field, sched_body_mode_e mode);
int sched_body_requires(const sched_body_field_t *field, sched_body_mode_e mode);

#endif
