/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_body.c: the request bodies of every resource. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_body.h"
#include "tap.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define T0 APR_INT64_C(1796112000000000)       /* 2026-12-01T08:00:00Z */
#define HOUR APR_INT64_C(3600000000)

static apr_pool_t *pool;

static const char *const modes[] = { "POST", "PUT", "PATCH" };

/* A body, how it is sent, and the errors it must give (compact JSON, sorted keys). */
typedef struct case_t {
    const sched_body_t *schema;
    sched_body_mode_e mode;
    const char *body;
    const char *errors;
} case_t;

static const case_t cases[] = {
    /* users */
    { &sched_body_users, SCHED_BODY_CREATE,
      "{\"username\": \"jekyll\", \"password\": \"12345678\"}", "{}" },
    { &sched_body_users, SCHED_BODY_CREATE, "{}",
      "{\"password\":[\"this field is required\"],"
      "\"username\":[\"this field is required\"]}" },
    { &sched_body_users, SCHED_BODY_REPLACE, "{}",
      "{\"username\":[\"this field is required\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{}", "{}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"username\": \"a b\"}",
      "{\"username\":[\"letters, digits and @.+-_ only\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"username\": \"a@b.c+d-e_f9\"}", "{}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"username\": \"\"}",
      "{\"username\":[\"must not be empty\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"username\": 7}",
      "{\"username\":[\"must be a string\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"email\": \"\"}", "{}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"email\": \"j@example.org\"}", "{}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"email\": \"j@\"}",
      "{\"email\":[\"not a valid email address\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"email\": \"@x\"}",
      "{\"email\":[\"not a valid email address\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"email\": \"a@b@c\"}",
      "{\"email\":[\"not a valid email address\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"email\": \"a b@c\"}",
      "{\"email\":[\"not a valid email address\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"password\": \"1234567\"}",
      "{\"password\":[\"is too short\"]}" },
    { &sched_body_users, SCHED_BODY_PATCH, "{\"is_active\": 1, \"is_superuser\": null}",
      "{\"is_active\":[\"must be true or false\"],"
      "\"is_superuser\":[\"must be true or false\"]}" },
    /* clients and providers */
    { &sched_body_clients, SCHED_BODY_CREATE, "{\"user\": 3}", "{}" },
    { &sched_body_clients, SCHED_BODY_CREATE, "{}",
      "{\"user\":[\"this field is required\"]}" },
    { &sched_body_providers, SCHED_BODY_REPLACE, "{}",
      "{\"user\":[\"this field is required\"]}" },
    { &sched_body_providers, SCHED_BODY_PATCH, "{}", "{}" },
    { &sched_body_providers, SCHED_BODY_CREATE, "{\"user\": \"3\"}",
      "{\"user\":[\"must be an id (a positive integer)\"]}" },
    /* available_slots */
    { &sched_body_slots, SCHED_BODY_CREATE,
      "{\"provider\": 1, \"start_time\": \"2026-12-01T08:00:00Z\","
      " \"end_time\": \"2026-12-01T10:00:00+01:00\", \"slot_minutes\": 30}", "{}" },
    { &sched_body_slots, SCHED_BODY_CREATE, "{}",
      "{\"end_time\":[\"this field is required\"],"
      "\"provider\":[\"this field is required\"],"
      "\"start_time\":[\"this field is required\"]}" },
    { &sched_body_slots, SCHED_BODY_REPLACE, "{\"slot_minutes\": 1}",
      "{\"end_time\":[\"this field is required\"],"
      "\"provider\":[\"this field is required\"],"
      "\"start_time\":[\"this field is required\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH, "{\"slot_minutes\": \"x\"}", "{}" },
    { &sched_body_slots, SCHED_BODY_CREATE,
      "{\"provider\": 1, \"start_time\": \"2026-12-01T08:00:00Z\","
      " \"end_time\": \"2026-12-01T09:00:00Z\", \"slot_minutes\": 4}",
      "{\"slot_minutes\":[\"must be an integer from 5 to 1440\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH,
      "{\"start_time\": \"2026-12-01T08:00:00Z\", \"end_time\": \"2026-12-01T08:00:00Z\"}",
      "{\"end_time\":[\"must be after start_time\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH,
      "{\"start_time\": \"2026-12-01T08:00:00Z\", \"end_time\": \"2026-12-01T08:30:00+01:00\"}",
      "{\"end_time\":[\"must be after start_time\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH, "{\"end_time\": \"2026-12-01T08:00:00Z\"}", "{}" },
    { &sched_body_slots, SCHED_BODY_PATCH, "{\"start_time\": \"2026-12-01T08:00:00\"}",
      "{\"start_time\":[\"offset required (Z or \xc2\xb1hh:mm)\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH, "{\"start_time\": \"2026-02-30T08:00:00Z\"}",
      "{\"start_time\":[\"no such date\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH, "{\"start_time\": \"\", \"end_time\": 5}",
      "{\"end_time\":[\"must be a string\"],\"start_time\":[\"must not be empty\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH,
      "{\"start_time\": \"2026-12-01T08:00:00.000000000000000000000000000000000000000000000000000Z\"}",
      "{\"start_time\":[\"is too long\"]}" },
    { &sched_body_slots, SCHED_BODY_PATCH, "{\"provider\": 0, \"end_time\": \"x\"}",
      "{\"end_time\":[\"not an RFC 3339 date-time\"],"
      "\"provider\":[\"must be an id (a positive integer)\"]}" },
    /* appointment_reservations */
    { &sched_body_reservations, SCHED_BODY_CREATE, "{\"client\": 2, \"slot\": 41}", "{}" },
    { &sched_body_reservations, SCHED_BODY_CREATE, "{}",
      "{\"client\":[\"this field is required\"],\"slot\":[\"this field is required\"]}" },
    { &sched_body_reservations, SCHED_BODY_REPLACE, "{\"client\": \"x\"}",
      "{\"slot\":[\"this field is required\"]}" },
    { &sched_body_reservations, SCHED_BODY_PATCH, "{\"client\": \"x\"}", "{}" },
    { &sched_body_reservations, SCHED_BODY_PATCH, "{\"slot\": 1.0}",
      "{\"slot\":[\"must be an id (a positive integer)\"]}" },
    /* webhooks: the events, an array of distinct known types */
    { &sched_body_webhooks, SCHED_BODY_CREATE,
      "{\"url\": \"https://example.org/h\", \"events\": [\"*\"]}", "{}" },
    { &sched_body_webhooks, SCHED_BODY_CREATE,
      "{\"url\": \"https://example.org/h\","
      " \"events\": [\"reservation.confirmed\", \"time_off.deleted\"], \"active\": false}",
      "{}" },
    { &sched_body_webhooks, SCHED_BODY_CREATE, "{}",
      "{\"events\":[\"this field is required\"],\"url\":[\"this field is required\"]}" },
    { &sched_body_webhooks, SCHED_BODY_PATCH, "{\"events\": []}",
      "{\"events\":[\"must be an array of 1 to 64 strings\"]}" },
    { &sched_body_webhooks, SCHED_BODY_PATCH, "{\"events\": \"*\"}",
      "{\"events\":[\"must be an array of 1 to 64 strings\"]}" },
    { &sched_body_webhooks, SCHED_BODY_PATCH, "{\"events\": [\"*\", 3]}",
      "{\"events\":[\"item 1 must be a string of 1 to 64 bytes\"]}" },
    { &sched_body_webhooks, SCHED_BODY_PATCH, "{\"events\": [\"user.confirmed\"]}",
      "{\"events\":[\"item 0 is not an event type (such as reservation.created) nor *\"]}" },
    { &sched_body_webhooks, SCHED_BODY_PATCH,
      "{\"events\": [\"slot.created\", \"slot.created\"]}",
      "{\"events\":[\"item 1 is there twice\"]}" },
    { &sched_body_webhooks, SCHED_BODY_PATCH, "{\"url\": \"\", \"active\": 1}",
      "{\"active\":[\"must be true or false\"],\"url\":[\"must not be empty\"]}" },
    /* calendar_feeds: neither owner is required by the table (the endpoint wants one) */
    { &sched_body_calendar_feeds, SCHED_BODY_CREATE, "{\"provider\": 2}", "{}" },
    { &sched_body_calendar_feeds, SCHED_BODY_CREATE, "{}", "{}" },
    { &sched_body_calendar_feeds, SCHED_BODY_CREATE,
      "{\"client\": 3, \"name\": \"Caf\\u00e9; 2e, \\n\"}", "{}" },
    { &sched_body_calendar_feeds, SCHED_BODY_CREATE,
      "{\"provider\": \"2\", \"client\": true, \"name\": 5}",
      "{\"client\":[\"must be an id (a positive integer)\"],"
      "\"name\":[\"must be a string\"],"
      "\"provider\":[\"must be an id (a positive integer)\"]}" },
    { &sched_body_calendar_feeds, SCHED_BODY_CREATE, "{\"provider\": null, \"client\": 0}",
      "{\"client\":[\"must be an id (a positive integer)\"],"
      "\"provider\":[\"must be an id (a positive integer)\"]}" },
};

/* errors as compact JSON, sorted keys, copied to the pool. */
static const char *dump(json_t *errors)
{
    char *s = json_dumps(errors, JSON_COMPACT | JSON_SORT_KEYS);
    const char *copy = apr_pstrdup(pool, s ? s : "(null)");
    free(s);
    return copy;
}

static apr_status_t release(void *body)
{
    json_decref(body);
    return APR_SUCCESS;
}

/* Parses a literal body, kept until the pool goes (values point into it). */
static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *body = json_loads(text, 0, &err);
    if (body == NULL) {
        diag("test body does not parse: %s (%s)", text, err.text);
        exit(2);
    }
    apr_pool_cleanup_register(pool, body, release, apr_pool_cleanup_null);
    return body;
}

/* Reads text as schema says, resolving no naive time; returns the errors. */
static const char *errors_of(const sched_body_t *schema, sched_body_mode_e mode,
                             const char *text, sched_body_value_t *values)
{
    json_t *body = parse(text), *errors = json_object();
    const char *out;

    if (sched_body_read(schema, mode, body, NULL, NULL, values, errors) != 0) {
        out = "(read failed)";
    }
    else {
        out = dump(errors);
    }
    json_decref(errors);
    return out;
}

static void test_cases(void)
{
    sched_body_value_t values[SCHED_BODY_MAX_FIELDS];
    int i;

    for (i = 0; i < COUNT(cases); i++) {
        is_str(errors_of(cases[i].schema, cases[i].mode, cases[i].body, values),
               cases[i].errors, apr_psprintf(pool, "%s %s %s", modes[cases[i].mode],
                                             cases[i].schema->resource, cases[i].body));
    }
}

static void test_schemas(void)
{
    int i, n = 0;
    for (i = 0; sched_body_all[i]; i++) {
        ok(sched_body_all[i]->count >= 1
           && sched_body_all[i]->count <= SCHED_BODY_MAX_FIELDS,
           "%s: 1 to %d fields", sched_body_all[i]->resource, SCHED_BODY_MAX_FIELDS);
        n++;
    }
    is_int(n, 10, "ten resources take a body");
    is_int(sched_body_users.count, SCHED_USER_FIELDS, "users: every field indexed");
    is_int(sched_body_clients.count, SCHED_ROLE_FIELDS, "clients: every field indexed");
    is_int(sched_body_slots.count, SCHED_SLOT_FIELDS, "slots: every field indexed");
    is_int(sched_body_reservations.count, SCHED_RESERVATION_FIELDS,
           "reservations: every field indexed");
    is_int(sched_body_schedules.count, SCHED_SCHEDULE_FIELDS, "schedules: every field indexed");
    is_int(sched_body_overrides.count, SCHED_OVERRIDE_FIELDS,
           "schedule overrides: every field indexed");
    is_int(sched_body_time_off.count, SCHED_TIME_OFF_FIELDS, "time off: every field indexed");
    is_int(sched_body_webhooks.count, SCHED_WEBHOOK_FIELDS, "webhooks: every field indexed");
    is_int(sched_body_calendar_feeds.count, SCHED_FEED_FIELDS,
           "calendar feeds: every field indexed");
    is_str(sched_body_users.fields[SCHED_USER_PASSWORD].name, "password",
           "users: the index names its field");
    is_str(sched_body_slots.fields[SCHED_SLOT_MINUTES].name, "slot_minutes",
           "slots: the index names its field");
}

static void test_values(void)
{
    sched_body_value_t u[SCHED_USER_FIELDS], s[SCHED_SLOT_FIELDS];

    is_str(errors_of(&sched_body_users, SCHED_BODY_PATCH,
                     "{\"username\": \"hyde\", \"is_active\": false, \"is_superuser\": true}",
                     u), "{}", "users: a valid PATCH");
    ok(u[SCHED_USER_USERNAME].got == SCHED_FIELD_OK
       && strcmp(u[SCHED_USER_USERNAME].s, "hyde") == 0, "users: username read");
    ok(u[SCHED_USER_IS_ACTIVE].got == SCHED_FIELD_OK && u[SCHED_USER_IS_ACTIVE].i == 0
       && u[SCHED_USER_IS_SUPERUSER].i == 1, "users: booleans read");
    ok(u[SCHED_USER_EMAIL].got == SCHED_FIELD_ABSENT
       && u[SCHED_USER_PASSWORD].got == SCHED_FIELD_ABSENT, "users: the rest absent");

    is_str(errors_of(&sched_body_slots, SCHED_BODY_CREATE,
                     "{\"provider\": 9, \"start_time\": \"2026-12-01T08:00:00Z\","
                     " \"end_time\": \"2026-12-01T10:00:00+01:00\"}", s),
           "{}", "slots: a valid POST");
    ok(s[SCHED_SLOT_PROVIDER].i == 9 && s[SCHED_SLOT_START_TIME].i == T0
       && s[SCHED_SLOT_END_TIME].i == T0 + HOUR, "slots: id and times (UTC) read");
    ok(s[SCHED_SLOT_MINUTES].got == SCHED_FIELD_ABSENT, "slots: slot_minutes absent");
    is_str(s[SCHED_SLOT_START_TIME].s, "2026-12-01T08:00:00Z", "slots: the time's text");
}

/* A resolver that reads a naive time as UTC plus an hour, or fails with 7 for 2027. */
static int resolve_calls;
static int resolve(void *ctx, const sched_time_t *t, apr_int64_t *usec)
{
    resolve_calls++;
    if (t->year == 2027) {
        return 7;
    }
    *usec = sched_time_days_from_civil(t->year, t->month, t->day) * 86400 * 1000000
            + (apr_int64_t)(t->hour * 3600 + t->minute * 60 + t->second) * 1000000
            + t->usec + *(apr_int64_t *)ctx;
    return 0;
}

static void test_naive(void)
{
    sched_body_value_t s[SCHED_SLOT_FIELDS];
    apr_int64_t shift = HOUR;
    json_t *body, *errors = json_object();

    body = parse("{\"start_time\": \"2026-12-01T09:00:00\","
                 " \"end_time\": \"2026-12-01T10:00:00Z\"}");
    is_int(sched_body_read(&sched_body_slots, SCHED_BODY_PATCH, body, resolve, &shift, s,
                           errors), 0, "naive: read");
    is_int(resolve_calls, 1, "naive: resolve called for the time without offset only");
    is_int(s[SCHED_SLOT_START_TIME].i, T0 + 2 * HOUR, "naive: the resolved time");
    is_str(dump(errors), "{\"end_time\":[\"must be after start_time\"]}",
           "naive: compared once resolved");
    json_decref(errors);

    errors = json_object();
    body = parse("{\"start_time\": \"2027-01-01T09:00:00\", \"end_time\": 1}");
    is_int(sched_body_read(&sched_body_slots, SCHED_BODY_PATCH, body, resolve, &shift, s,
                           errors), 7, "naive: what resolve failed with");
    is_str(dump(errors), "{}", "naive: nothing read after the failure");
    json_decref(errors);
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_schemas();
    test_cases();
    test_values();
    test_naive();

    done_testing();
    return exit_status();
}
