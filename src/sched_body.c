/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Request bodies of the resources. See sched_body.h. */
#include <stdio.h>
#include <string.h>
#include <apr_lib.h>

#include "sched_body.h"
#include "sched_hook.h"
#include "sched_limits.h"
#include "sched_parse.h"

#define SCHED_TIME_TEXT_MAX     64

#define SCHED_BODY_NEED_FULL    (SCHED_BODY_NEED_CREATE | SCHED_BODY_NEED_PUT)
#define SCHED_BODY_COUNT(a)     ((int)(sizeof(a) / sizeof((a)[0])))

static const sched_body_field_t sched_body_user_fields[] = {
    [SCHED_USER_USERNAME] = { "username", SCHED_BODY_STRING, SCHED_BODY_NEED_FULL,
                              1, SCHED_USERNAME_MAX, sched_rules_username_chars_ok,
                              "letters, digits and @.+-_ only", NULL },
    [SCHED_USER_EMAIL] = { "email", SCHED_BODY_STRING, 0, 0, SCHED_EMAIL_MAX,
                           sched_rules_email_ok, "not a valid email address", NULL },
    [SCHED_USER_PASSWORD] = { "password", SCHED_BODY_STRING, SCHED_BODY_NEED_CREATE,
                              SCHED_PASSWORD_MIN, SCHED_PASSWORD_MAX, NULL, NULL, NULL },
    [SCHED_USER_IS_SUPERUSER] = { "is_superuser", SCHED_BODY_BOOL, 0, 0, 0, NULL, NULL,
                                  NULL },
    [SCHED_USER_IS_ACTIVE] = { "is_active", SCHED_BODY_BOOL, 0, 0, 0, NULL, NULL, NULL },
};

static const sched_body_field_t sched_body_role_fields[] = {
    [SCHED_ROLE_USER] = { "user", SCHED_BODY_ID, SCHED_BODY_NEED_FULL, 0, 0, NULL, NULL,
                          NULL },
};

static const sched_body_field_t sched_body_slot_fields[] = {
    [SCHED_SLOT_PROVIDER] = { "provider", SCHED_BODY_ID, SCHED_BODY_NEED_FULL, 0, 0,
                              NULL, NULL, NULL },
    [SCHED_SLOT_START_TIME] = { "start_time", SCHED_BODY_TIME, SCHED_BODY_NEED_FULL,
                                0, 0, NULL, NULL, NULL },
    [SCHED_SLOT_END_TIME] = { "end_time", SCHED_BODY_TIME, SCHED_BODY_NEED_FULL, 0, 0,
                              NULL, NULL, "start_time" },
    [SCHED_SLOT_MINUTES] = { "slot_minutes", SCHED_BODY_INT, SCHED_BODY_CREATE_ONLY,
                             SCHED_SLOT_MINUTES_MIN, SCHED_SLOT_MINUTES_MAX, NULL, NULL,
                             NULL },
};

/* A zone name of the right shape; PostgreSQL says whether it knows it. */
static int sched_body_zone_ok(const char *s)
{
    return sched_parse_zone_name(s) == NULL;
}

static const sched_body_field_t sched_body_schedule_fields[] = {
    [SCHED_SCHEDULE_PROVIDER] = { "provider", SCHED_BODY_ID,
                                  SCHED_BODY_NEED_CREATE | SCHED_BODY_CREATE_ONLY, 0, 0,
                                  NULL, NULL, NULL },
    [SCHED_SCHEDULE_TIME_ZONE] = { "time_zone", SCHED_BODY_STRING, SCHED_BODY_NEED_FULL,
                                   1, SCHED_ZONE_NAME_MAX, sched_body_zone_ok,
                                   "not a time zone name (Area/City, as Europe/Paris)",
                                   NULL },
    [SCHED_SCHEDULE_SLOT_MINUTES] = { "slot_minutes", SCHED_BODY_INT, 0,
                                      SCHED_SLOT_MINUTES_MIN, SCHED_SLOT_MINUTES_MAX,
                                      NULL, NULL, NULL },
    [SCHED_SCHEDULE_BUFFER_BEFORE] = { "buffer_before_minutes", SCHED_BODY_INT, 0, 0,
                                       SCHED_BUFFER_MINUTES_MAX, NULL, NULL, NULL },
    [SCHED_SCHEDULE_BUFFER_AFTER] = { "buffer_after_minutes", SCHED_BODY_INT, 0, 0,
                                      SCHED_BUFFER_MINUTES_MAX, NULL, NULL, NULL },
    [SCHED_SCHEDULE_MIN_NOTICE] = { "min_notice_minutes", SCHED_BODY_INT,
                                    SCHED_BODY_NULLABLE, 0, SCHED_NOTICE_MINUTES_MAX,
                                    NULL, NULL, NULL },
    [SCHED_SCHEDULE_HORIZON_DAYS] = { "horizon_days", SCHED_BODY_INT, 0,
                                      SCHED_HORIZON_DAYS_MIN, SCHED_HORIZON_DAYS_MAX,
                                      NULL, NULL, NULL },
    [SCHED_SCHEDULE_WEEKLY] = { "weekly", SCHED_BODY_INTERVALS,
                                SCHED_BODY_NEED_FULL | SCHED_BODY_WEEKDAY, 0,
                                SCHED_WEEKLY_MAX, NULL, NULL, NULL },
};

static const sched_body_field_t sched_body_override_fields[] = {
    [SCHED_OVERRIDE_PROVIDER] = { "provider", SCHED_BODY_ID,
                                  SCHED_BODY_NEED_CREATE | SCHED_BODY_CREATE_ONLY, 0, 0,
                                  NULL, NULL, NULL },
    [SCHED_OVERRIDE_DATE] = { "date", SCHED_BODY_DATE, SCHED_BODY_NEED_FULL, 0, 0, NULL,
                              NULL, NULL },
    [SCHED_OVERRIDE_INTERVALS] = { "intervals", SCHED_BODY_INTERVALS, SCHED_BODY_NEED_FULL,
                                   0, SCHED_OVERRIDE_INTERVALS_MAX, NULL, NULL, NULL },
};

static const sched_body_field_t sched_body_time_off_fields[] = {
    [SCHED_TIME_OFF_PROVIDER] = { "provider", SCHED_BODY_ID,
                                  SCHED_BODY_NEED_CREATE | SCHED_BODY_CREATE_ONLY, 0, 0,
                                  NULL, NULL, NULL },
    [SCHED_TIME_OFF_START_TIME] = { "start_time", SCHED_BODY_TIME, SCHED_BODY_NEED_FULL,
                                    0, 0, NULL, NULL, NULL },
    [SCHED_TIME_OFF_END_TIME] = { "end_time", SCHED_BODY_TIME, SCHED_BODY_NEED_FULL, 0, 0,
                                  NULL, NULL, "start_time" },
    [SCHED_TIME_OFF_REASON] = { "reason", SCHED_BODY_STRING, 0, 0,
                                SCHED_TIME_OFF_REASON_MAX, NULL, NULL, NULL },
};

/* The URL is checked further (sched_hook_url_check) by the endpoint, which says
 * what is wrong with it; the addresses its host names, against SchedWebhookAllow. */
static const sched_body_field_t sched_body_webhook_fields[] = {
    [SCHED_WEBHOOK_URL] = { "url", SCHED_BODY_STRING, SCHED_BODY_NEED_FULL, 1,
                            SCHED_HOOK_URL_MAX, NULL, NULL, NULL },
    [SCHED_WEBHOOK_EVENTS] = { "events", SCHED_BODY_STRINGS, SCHED_BODY_NEED_FULL, 1,
                               SCHED_HOOK_TYPES_MAX, sched_hook_type_ok,
                               "is not an event type (such as reservation.created) nor *",
                               NULL },
    [SCHED_WEBHOOK_ACTIVE] = { "active", SCHED_BODY_BOOL, 0, 0, 0, NULL, NULL, NULL },
};

/* Only the slot of a reservation changes once it is made (a reschedule). */
static const sched_body_field_t sched_body_reservation_fields[] = {
    [SCHED_RESERVATION_CLIENT] = { "client", SCHED_BODY_ID,
                                   SCHED_BODY_NEED_CREATE | SCHED_BODY_CREATE_ONLY, 0, 0,
                                   NULL, NULL, NULL },
    [SCHED_RESERVATION_SLOT] = { "slot", SCHED_BODY_ID, SCHED_BODY_NEED_FULL, 0, 0, NULL,
                                 NULL, NULL },
};

/* A feed is made once and never changed (no PUT or PATCH): its owner, and a name for
 * the calendar. */
static const sched_body_field_t sched_body_feed_fields[] = {
    [SCHED_FEED_PROVIDER] = { "provider", SCHED_BODY_ID, SCHED_BODY_CREATE_ONLY, 0, 0, NULL,
                              NULL, NULL },
    [SCHED_FEED_CLIENT] = { "client", SCHED_BODY_ID, SCHED_BODY_CREATE_ONLY, 0, 0, NULL, NULL,
                            NULL },
    [SCHED_FEED_NAME] = { "name", SCHED_BODY_STRING, SCHED_BODY_CREATE_ONLY, 0,
                          SCHED_FEED_NAME_MAX, NULL, NULL, NULL },
};

#define SCHED_BODY_OF(resource, fields) \
    { resource, fields, SCHED_BODY_COUNT(fields) }

const sched_body_t sched_body_users = SCHED_BODY_OF("users", sched_body_user_fields);
const sched_body_t sched_body_clients = SCHED_BODY_OF("clients", sched_body_role_fields);
const sched_body_t sched_body_providers = SCHED_BODY_OF("providers",
                                                        sched_body_role_fields);
const sched_body_t sched_body_slots = SCHED_BODY_OF("available_slots",
                                                    sched_body_slot_fields);
const sched_body_t sched_body_reservations = SCHED_BODY_OF("appointment_reservations",
                                                           sched_body_reservation_fields);

const sched_body_t sched_body_schedules = SCHED_BODY_OF("schedules",
                                                        sched_body_schedule_fields);
const sched_body_t sched_body_overrides = SCHED_BODY_OF("schedule_overrides",
                                                        sched_body_override_fields);
const sched_body_t sched_body_time_off = SCHED_BODY_OF("time_off",
                                                       sched_body_time_off_fields);
const sched_body_t sched_body_calendar_feeds = SCHED_BODY_OF("calendar_feeds",
                                                             sched_body_feed_fields);

const sched_body_t sched_body_webhooks = SCHED_BODY_OF("webhooks",
                                                       sched_body_webhook_fields);

const sched_body_t *const sched_body_all[] = {
    &sched_body_users, &sched_body_clients, &sched_body_providers, &sched_body_slots,
    &sched_body_reservations, &sched_body_schedules, &sched_body_overrides,
    &sched_body_time_off, &sched_body_webhooks, &sched_body_calendar_feeds, NULL
};

int sched_body_reads(const sched_body_field_t *field, sched_body_mode_e mode)
{
    return mode == SCHED_BODY_CREATE || !(field->flags & SCHED_BODY_CREATE_ONLY);
}

int sched_body_requires(const sched_body_field_t *field, sched_body_mode_e mode)
{
    return (mode == SCHED_BODY_CREATE && (field->flags & SCHED_BODY_NEED_CREATE))
           || (mode == SCHED_BODY_REPLACE && (field->flags & SCHED_BODY_NEED_PUT));
}

/* A string, then what check says of it. */
static sched_field_e sched_body_string(const sched_body_field_t *f, int required,
                                       json_t *body, sched_body_value_t *v,
                                       json_t *errors)
{
    sched_field_e got = sched_json_get_string(body, f->name, required, (apr_size_t)f->min,
                                              (apr_size_t)f->max, &v->s, errors);
    if (got == SCHED_FIELD_OK && f->check && !f->check(v->s)) {
        sched_json_error_add(errors, f->name, f->refused);
        return SCHED_FIELD_INVALID;
    }
    return got;
}

/* A time: a string, parsed; one without an offset goes to resolve. Sets *stop to
 * what resolve returned when it failed. */
static sched_field_e sched_body_time(const sched_body_field_t *f, int required,
                                     json_t *body, sched_body_resolve_fn resolve,
                                     void *ctx, sched_body_value_t *v, json_t *errors,
                                     int *stop)
{
    sched_time_t t;
    const char *reason;
    sched_field_e got = sched_json_get_string(body, f->name, required, 1,
                                              SCHED_TIME_TEXT_MAX, &v->s, errors);
    if (got != SCHED_FIELD_OK) {
        return got;
    }
    if ((reason = sched_time_parse_rfc3339(v->s, resolve != NULL, &t)) != NULL) {
        sched_json_error_add(errors, f->name, reason);
        return SCHED_FIELD_INVALID;
    }
    v->i = t.epoch_usec;
    if (!t.has_offset) {
        *stop = resolve(ctx, &t, &v->i);
    }
    return SCHED_FIELD_OK;
}

/* A calendar date "YYYY-MM-DD". */
static sched_field_e sched_body_date(const sched_body_field_t *f, int required,
                                     json_t *body, sched_body_value_t *v, json_t *errors)
{
    int y, m, d;
    const char *reason;
    sched_field_e got = sched_json_get_string(body, f->name, required, 1, 10, &v->s,
                                              errors);
    if (got == SCHED_FIELD_OK && (reason = sched_time_parse_date(v->s, &y, &m, &d))) {
        sched_json_error_add(errors, f->name, reason);
        return SCHED_FIELD_INVALID;
    }
    return got;
}

/* Minutes since midnight of "HH:MM" (00:00 to 24:00), or -1. */
static int sched_body_clock(json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    int h, m;

    if (s == NULL || json_string_length(v) != 5 || !apr_isdigit(s[0])
        || !apr_isdigit(s[1]) || s[2] != ':' || !apr_isdigit(s[3]) || !apr_isdigit(s[4])) {
        return -1;
    }
    h = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[3] - '0') * 10 + (s[4] - '0');
    return m > 59 || h > 24 || (h == 24 && m != 0) ? -1 : h * 60 + m;
}

/* One element of an INTERVALS array: NULL and its weekday (0 without one), start and
 * end in minutes, or what is wrong with it. */
static const char *sched_body_interval(json_t *e, int weekday, int *wd, int *start,
                                       int *end)
{
    json_t *w = json_object_get(e, "weekday");
    apr_size_t keys = weekday ? 3 : 2;

    if (!json_is_object(e) || json_object_size(e) != keys) {
        return weekday ? "each must be {\"weekday\", \"start\", \"end\"}"
                       : "each must be {\"start\", \"end\"}";
    }
    *wd = 0;
    if (weekday && (!json_is_integer(w) || json_integer_value(w) < 1
                    || json_integer_value(w) > 7)) {
        return "weekday must be 1 (Monday) to 7 (Sunday)";
    }
    if (weekday) {
        *wd = (int)json_integer_value(w);
    }
    *start = sched_body_clock(json_object_get(e, "start"));
    *end = sched_body_clock(json_object_get(e, "end"));
    if (*start < 0 || *start == 24 * 60 || *end < 0) {
        return "start and end must be HH:MM (00:00 to 24:00)";
    }
    return *end > *start ? NULL : "end must be after start";
}

/* An array of intervals; none may overlap another of its weekday. */
static sched_field_e sched_body_intervals(const sched_body_field_t *f, int required,
                                          json_t *body, sched_body_value_t *v,
                                          json_t *errors)
{
    json_t *a = json_object_get(body, f->name);
    int wd[SCHED_WEEKLY_MAX], st[SCHED_WEEKLY_MAX], en[SCHED_WEEKLY_MAX];
    const char *why = NULL;
    char message[128];
    size_t i, j, n;

    if (a == NULL) {
        if (required) {
            sched_json_error_add(errors, f->name, "this field is required");
        }
        return SCHED_FIELD_ABSENT;
    }
    n = json_is_array(a) ? json_array_size(a) : 0;
    if (!json_is_array(a) || n > (size_t)f->max) {
        snprintf(message, sizeof(message), "must be an array of at most %d intervals",
                 (int)f->max);
        sched_json_error_add(errors, f->name, message);
        return SCHED_FIELD_INVALID;
    }
    for (i = 0; i < n && why == NULL; i++) {
        why = sched_body_interval(json_array_get(a, i), (f->flags & SCHED_BODY_WEEKDAY) != 0,
                                  &wd[i], &st[i], &en[i]);
        for (j = 0; j < i && why == NULL; j++) {
            if (wd[j] == wd[i] && st[j] < en[i] && st[i] < en[j]) {
                why = "overlaps another interval";
            }
        }
    }
    if (why) {
        snprintf(message, sizeof(message), "interval %d: %s", (int)i, why);
        sched_json_error_add(errors, f->name, message);
        return SCHED_FIELD_INVALID;
    }
    v->json = a;
    return SCHED_FIELD_OK;
}

/* An array of distinct strings that check accepts. */
static sched_field_e sched_body_strings(const sched_body_field_t *f, int required,
                                        json_t *body, sched_body_value_t *v,
                                        json_t *errors)
{
    json_t *a = json_object_get(body, f->name), *e;
    const char *why = NULL;
    char message[160];
    size_t i, j, n;

    if (a == NULL) {
        if (required) {
            sched_json_error_add(errors, f->name, "this field is required");
        }
        return SCHED_FIELD_ABSENT;
    }
    n = json_is_array(a) ? json_array_size(a) : 0;
    if (!json_is_array(a) || n < (size_t)f->min || n > (size_t)f->max) {
        snprintf(message, sizeof(message), "must be an array of %d to %d strings",
                 (int)f->min, (int)f->max);
        sched_json_error_add(errors, f->name, message);
        return SCHED_FIELD_INVALID;
    }
    for (i = 0; i < n && why == NULL; i++) {
        e = json_array_get(a, i);
        if (!json_is_string(e) || json_string_length(e) < 1 || json_string_length(e) > 64
            || strlen(json_string_value(e)) != json_string_length(e)) {
            why = "must be a string of 1 to 64 bytes";
        }
        else if (f->check && !f->check(json_string_value(e))) {
            why = f->refused;
        }
        for (j = 0; j < i && why == NULL; j++) {
            if (json_equal(json_array_get(a, j), e)) {
                why = "is there twice";
            }
        }
    }
    if (why) {
        snprintf(message, sizeof(message), "item %d %s", (int)i - 1, why);
        sched_json_error_add(errors, f->name, message);
        return SCHED_FIELD_INVALID;
    }
    v->json = a;
    return SCHED_FIELD_OK;
}

/* An integer, or null where the field allows it. */
static sched_field_e sched_body_int(const sched_body_field_t *f, int required,
                                    json_t *body, sched_body_value_t *v, json_t *errors)
{
    if ((f->flags & SCHED_BODY_NULLABLE) && json_is_null(json_object_get(body, f->name))) {
        v->null = 1;
        return SCHED_FIELD_OK;
    }
    return sched_json_get_int(body, f->name, required, f->min, f->max, &v->i, errors);
}

/* Reads one field into v. Returns 0, or what resolve returned when it failed. */
static int sched_body_field(const sched_body_field_t *f, sched_body_mode_e mode,
                            json_t *body, sched_body_resolve_fn resolve, void *ctx,
                            sched_body_value_t *v, json_t *errors)
{
    int required = sched_body_requires(f, mode), b = 0, stop = 0;

    switch (f->kind) {
    case SCHED_BODY_ID:
        v->got = sched_json_get_id(body, f->name, required, &v->i, errors);
        break;
    case SCHED_BODY_STRING:
        v->got = sched_body_string(f, required, body, v, errors);
        break;
    case SCHED_BODY_INT:
        v->got = sched_body_int(f, required, body, v, errors);
        break;
    case SCHED_BODY_BOOL:
        v->got = sched_json_get_bool(body, f->name, required, &b, errors);
        v->i = b;
        break;
    case SCHED_BODY_TIME:
        v->got = sched_body_time(f, required, body, resolve, ctx, v, errors, &stop);
        break;
    case SCHED_BODY_DATE:
        v->got = sched_body_date(f, required, body, v, errors);
        break;
    case SCHED_BODY_INTERVALS:
        v->got = sched_body_intervals(f, required, body, v, errors);
        break;
    case SCHED_BODY_STRINGS:
        v->got = sched_body_strings(f, required, body, v, errors);
        break;
    }
    return stop;
}

/* The index of the field called name, or -1. */
static int sched_body_index(const sched_body_t *schema, const char *name)
{
    int i;
    for (i = 0; i < schema->count; i++) {
        if (strcmp(schema->fields[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* A time must be after the one its field names, when both were read. */
static void sched_body_order(const sched_body_t *schema, sched_body_value_t *values,
                             json_t *errors)
{
    char message[96];
    int i, j;

    for (i = 0; i < schema->count; i++) {
        const sched_body_field_t *f = &schema->fields[i];
        if (f->after == NULL || (j = sched_body_index(schema, f->after)) < 0
            || values[i].got != SCHED_FIELD_OK || values[j].got != SCHED_FIELD_OK
            || values[i].i > values[j].i) {
            continue;
        }
        snprintf(message, sizeof(message), "must be after %s", f->after);
        sched_json_error_add(errors, f->name, message);
        values[i].got = SCHED_FIELD_INVALID;
    }
}

int sched_body_read(const sched_body_t *schema, sched_body_mode_e mode, json_t *body,
                    sched_body_resolve_fn resolve, void *ctx,
                    sched_body_value_t *values, json_t *errors)
{
    int i, stop;

    memset(values, 0, sizeof(*values) * (apr_size_t)schema->count);
    for (i = 0; i < schema->count; i++) {
        if (!sched_body_reads(&schema->fields[i], mode)) {
            continue;
        }
        stop = sched_body_field(&schema->fields[i], mode, body, resolve, ctx, &values[i],
                                errors);
        if (stop != 0) {
            return stop;
        }
    }
    sched_body_order(schema, values, errors);
    return 0;
}
