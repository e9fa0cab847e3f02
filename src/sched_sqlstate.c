/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The one table that turns database errors into HTTP answers. The module never
 * reads error message text: only SQLSTATE and the constraint name. */
#include <string.h>

#include "sched_sqlstate.h"

typedef struct sched_constraint_t {
    const char *name;
    int status;
    const char *field;
    const char *message;
} sched_constraint_t;

/* Every constraint of sql/ that a request can violate. */
static const sched_constraint_t sched_constraints[] = {
    { "users_username_key",    409, "username", "a user with that username already exists" },
    { "users_username_check",  400, "username", "letters, digits and @.+-_ only, 1 to 150" },
    { "users_email_check",     400, "email",    "not a valid email address" },
    { "users_password_check",  400, "password", "not a valid password" },
    { "clients_user_key",      409, "user",     "this user is already a client" },
    { "clients_user_fkey",     400, "user",     "no such user" },
    { "providers_user_key",    409, "user",     "this user is already a provider" },
    { "providers_user_fkey",   400, "user",     "no such user" },
    { "clients_reserved",      409, NULL,       "the client has upcoming active reservations" },
    { "providers_reserved",    409, NULL,       "the provider has upcoming active reservations" },
    { "slots_provider_fkey",   400, "provider", "no such provider" },
    { "slots_time_check",      400, "end_time", "must be after start_time" },
    { "slots_overlap",         409, "start_time",
      "overlaps another slot of this provider" },
    { "slots_reserved",        409, NULL,       "the slot has an active reservation" },
    { "reservations_client_fkey", 400, "client", "no such client" },
    { "reservations_slot_fkey",   400, "slot",   "no such slot" },
    { "reservations_slot_taken",  409, "slot",   "the slot already has an active reservation" },
    { "reservations_client_busy", 409, "slot",
      "the client already has an active reservation at that time" },
    { "reservations_provider_busy", 409, "slot",
      "too close to another booking of the provider (its buffers)" },
    { "schedules_provider_key",   409, "provider", "the provider has a schedule already" },
    { "schedules_provider_fkey",  400, "provider", "no such provider" },
    { "schedules_time_zone_check", 400, "time_zone", "not a time zone PostgreSQL knows" },
    { "schedules_slot_minutes_check", 400, "slot_minutes", "out of range" },
    { "schedules_buffer_before_check", 400, "buffer_before_minutes", "out of range" },
    { "schedules_buffer_after_check", 400, "buffer_after_minutes", "out of range" },
    { "schedules_min_notice_check", 400, "min_notice_minutes", "out of range" },
    { "schedules_horizon_check",  400, "horizon_days", "out of range" },
    { "schedules_weekly_check",   400, "weekly", "not a list of weekly intervals" },
    { "schedule_intervals_weekday_check", 400, "weekly", "a weekday out of range" },
    { "schedule_intervals_start_check", 400, "weekly", "a start out of range" },
    { "schedule_intervals_end_check", 400, "weekly", "an end out of range" },
    { "schedule_intervals_overlap", 400, "weekly", "two intervals of a day overlap" },
    { "schedule_overrides_provider_date_key", 409, "date",
      "the provider has an override for that date already" },
    { "schedule_overrides_provider_fkey", 400, "provider", "no such provider" },
    { "schedule_overrides_intervals_check", 400, "intervals", "not a list of intervals" },
    { "schedule_override_intervals_start_check", 400, "intervals", "a start out of range" },
    { "schedule_override_intervals_end_check", 400, "intervals", "an end out of range" },
    { "schedule_override_intervals_overlap", 400, "intervals", "two intervals overlap" },
    { "time_off_provider_fkey",   400, "provider", "no such provider" },
    { "time_off_time_check",      400, "end_time", "must be after start_time" },
    { "time_off_reason_check",    400, "reason",   "too long" },
    { "time_off_overlap",         409, "start_time", "overlaps other time off of the provider" },
    { "calendar_feeds_provider_fkey", 400, "provider", "no such provider" },
    { "calendar_feeds_client_fkey", 400, "client", "no such client" },
    { "calendar_feeds_owner_check", 400, "provider", "give provider or client" },
    { "calendar_feeds_name_check", 400, "name", "too long" },
    { NULL, 0, NULL, NULL }
};

static int sched_sqlstate_is(const char *sqlstate, const char *prefix)
{
    return strncmp(sqlstate, prefix, strlen(prefix)) == 0;
}

sched_sqlstate_answer_t sched_sqlstate_classify(const char *sqlstate, const char *constraint)
{
    sched_sqlstate_answer_t a = { SCHED_SQLSTATE_BUG, 500, NULL,
                                  "the server could not complete the request" };
    const sched_constraint_t *c;

    if (sqlstate == NULL || sched_sqlstate_is(sqlstate, "08")      /* connection */
        || sched_sqlstate_is(sqlstate, "57P0")                       /* shutdown */
        || strcmp(sqlstate, "57014") == 0                            /* timeout */
        || strcmp(sqlstate, "53300") == 0) {                         /* too many conns */
        a.kind = SCHED_SQLSTATE_UNAVAILABLE;
        a.status = 503;
        a.message = "the database is unavailable, try again shortly";
        return a;
    }
    if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0) {
        a.kind = SCHED_SQLSTATE_RETRY;
        a.status = 503;
        a.message = "the database is busy, try again shortly";
        return a;
    }
    if (strcmp(sqlstate, "26000") == 0) {
        a.kind = SCHED_SQLSTATE_REPREPARE;
        return a;
    }
    for (c = sched_constraints; constraint && c->name; c++) {
        if (strcmp(c->name, constraint) == 0) {
            a.kind = SCHED_SQLSTATE_ANSWER;
            a.status = c->status;
            a.field = c->field;
            a.message = c->message;
            return a;
        }
    }
    if (strcmp(sqlstate, "23505") == 0 || strcmp(sqlstate, "23P01") == 0) {
        a.kind = SCHED_SQLSTATE_ANSWER;
        a.status = 409;
        a.message = "the request conflicts with the current state";
    }
    else if (strcmp(sqlstate, "23503") == 0) {
        a.kind = SCHED_SQLSTATE_ANSWER;
        a.status = 409;
        a.message = "the request conflicts with a related resource";
    }
    else if (sched_sqlstate_is(sqlstate, "22") || sched_sqlstate_is(sqlstate, "23")) {
        a.kind = SCHED_SQLSTATE_ANSWER;
        a.status = 400;
        a.message = "a value in the request is not valid";
    }
    return a;
}
