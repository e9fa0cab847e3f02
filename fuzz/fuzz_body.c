/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Request bodies of every resource (users, clients, providers, available_slots,
 * appointment_reservations, schedules, schedule_overrides, time_off, webhooks):
 * sched_json_parse_object (jansson; duplicate keys and NUL bytes refused), then
 * sched_body_read with the resource's table, as sched_read_fields calls them in the
 * module. Input: "<METHOD> <resource>[ naive]\n"
 * then the body; METHOD is POST, PUT or PATCH; with "naive", times without offset
 * are allowed and read here as UTC (the module asks PostgreSQL), except that one at
 * second 59 fails to resolve, as the database may.
 *
 * Properties: a parsed body dumps and reparses to an equal object; each field the
 * method reads is OK, INVALID or ABSENT exactly as a reference reading of the
 * table's rules made here says, with the body's value when OK, one message when
 * INVALID ("this field is required" when ABSENT and required), and nothing for a
 * field the method does not read; errors names no other field; a time is not OK
 * unless it is after the field its rule names; the read stops at the first time
 * that fails to resolve, and returns what the resolver returned. For a valid POST of
 * a window, the slot grid the module cuts it into lies on the grid and inside it. */
#include <apr_lib.h>
#include <jansson.h>

#include "fuzz.h"
#include "sched_body.h"

#define USEC APR_INT64_C(1000000)
#define DAY_USEC (APR_INT64_C(86400) * USEC)
#define RESOLVE_FAILED 7

/* The instant of a time's fields read as UTC. */
static apr_int64_t utc_of(const sched_time_t *t)
{
    return (sched_time_days_from_civil(t->year, t->month, t->day) * 86400
            + t->hour * 3600 + t->minute * 60 + t->second) * USEC + t->usec;
}

static int resolve_as_utc(void *ctx, const sched_time_t *t, apr_int64_t *usec)
{
    (void)ctx;
    if (t->second == 59) {
        return RESOLVE_FAILED;
    }
    *usec = utc_of(t);
    return 0;
}

/* The reference rules of the strings with a check of their own. */
static int ref_string_check(const char *field, const char *s)
{
    const char *at = strchr(s, '@'), *c;

    if (strcmp(field, "username") == 0) {
        for (c = s; *c; c++) {
            if (!apr_isalnum(*c) && !strchr("@.+-_", *c)) {
                return 0;
            }
        }
        return 1;
    }
    if (strcmp(field, "time_zone") == 0) {
        /* letters, digits and _-+/; path parts that are not empty, no ".." */
        for (c = s; *c; c++) {
            if (!apr_isalnum(*c) && !strchr("_-+/", *c)) {
                return 0;
            }
        }
        return *s != '/' && strstr(s, "..") == NULL && strstr(s, "//") == NULL
               && (*s == '\0' || s[strlen(s) - 1] != '/');
    }
    if (strcmp(field, "events") == 0) {
        /* "*", or one of the events' objects, a dot and one of its actions */
        static const char *const types[] = {
            "user.", "client.", "provider.", "slot.", "reservation.", "schedule.",
            "schedule_override.", "time_off.", NULL
        };
        const char *const *t;
        if (strcmp(s, "*") == 0) {
            return 1;
        }
        for (t = types; *t; t++) {
            size_t n = strlen(*t);
            if (strncmp(s, *t, n) == 0) {
                return strcmp(s + n, "created") == 0 || strcmp(s + n, "updated") == 0
                       || strcmp(s + n, "deleted") == 0
                       || (strcmp(*t, "reservation.") == 0
                           && (strcmp(s + n, "confirmed") == 0
                               || strcmp(s + n, "cancelled") == 0
                               || strcmp(s + n, "rescheduled") == 0));
            }
        }
        return 0;
    }
    FUZZ_CHECK(strcmp(field, "email") == 0, "no reference rule for %s", field);
    if (*s == '\0') {
        return 1;
    }
    if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@')) {
        return 0;
    }
    for (c = s; *c; c++) {
        if (apr_isspace(*c) || apr_iscntrl(*c)) {
            return 0;
        }
    }
    return 1;
}

/* A calendar date of the proleptic Gregorian calendar, "YYYY-MM-DD", year 1 on. */
static int ref_date(json_t *v)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    int y, m, d, i, leap;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return 0;
    }
    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !apr_isdigit(s[i])) {
            return 0;
        }
    }
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1 && m >= 1 && m <= 12 && d >= 1
           && d <= days[m - 1] + (m == 2 && leap);
}

/* "HH:MM" in minutes, 00:00 to 24:00, or -1. */
static int ref_clock(json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    int h, m;

    if (strlen(s) != 5 || s[2] != ':' || !apr_isdigit(s[0]) || !apr_isdigit(s[1])
        || !apr_isdigit(s[3]) || !apr_isdigit(s[4])) {
        return -1;
    }
    h = atoi(s);
    m = atoi(s + 3);
    return h < 24 && m < 60 ? h * 60 + m : h == 24 && m == 0 ? 1440 : -1;
}

/* An array of intervals by the rules of sched_body.h. */
static int ref_intervals(const sched_body_field_t *f, json_t *v)
{
    int weekday = (f->flags & SCHED_BODY_WEEKDAY) != 0, wd[512], st[512], en[512];
    size_t i, j;

    if (!json_is_array(v) || json_array_size(v) > (size_t)f->max || f->max > 512) {
        return 0;
    }
    for (i = 0; i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i), *w = json_object_get(e, "weekday");
        if (!json_is_object(e) || json_object_size(e) != (size_t)(2 + weekday)
            || (weekday && (!json_is_integer(w) || json_integer_value(w) < 1
                            || json_integer_value(w) > 7))) {
            return 0;
        }
        wd[i] = weekday ? (int)json_integer_value(w) : 0;
        st[i] = ref_clock(json_object_get(e, "start"));
        en[i] = ref_clock(json_object_get(e, "end"));
        if (st[i] < 0 || st[i] == 1440 || en[i] <= st[i]) {
            return 0;
        }
        for (j = 0; j < i; j++) {
            if (wd[j] == wd[i] && st[j] < en[i] && st[i] < en[j]) {
                return 0;
            }
        }
    }
    return 1;
}

/* An array of min to max distinct strings of 1 to 64 bytes that the field's rule
 * accepts. */
static int ref_strings(const sched_body_field_t *f, json_t *v)
{
    size_t i, j, n = json_is_array(v) ? json_array_size(v) : 0;

    if (!json_is_array(v) || n < (size_t)f->min || n > (size_t)f->max) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || json_string_length(e) < 1 || json_string_length(e) > 64
            || !ref_string_check(f->name, json_string_value(e))) {
            return 0;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(json_string_value(json_array_get(v, j)), json_string_value(e)) == 0) {
                return 0;
            }
        }
    }
    return 1;
}

/* Whether v is a valid value of f, by the rules read here; a time's instant goes to
 * *usec, and *stop is set for a naive time that fails to resolve. */
static int ref_valid(const sched_body_field_t *f, json_t *v, int naive, apr_int64_t *usec,
                     int *stop)
{
    sched_time_t t;
    apr_size_t len = json_is_string(v) ? json_string_length(v) : 0;

    switch (f->kind) {
    case SCHED_BODY_ID:
        return json_is_integer(v) && json_integer_value(v) >= 1;
    case SCHED_BODY_INT:
        return ((f->flags & SCHED_BODY_NULLABLE) && json_is_null(v))
               || (json_is_integer(v) && json_integer_value(v) >= f->min
                   && json_integer_value(v) <= f->max);
    case SCHED_BODY_BOOL:
        return json_is_boolean(v);
    case SCHED_BODY_DATE:
        return ref_date(v);
    case SCHED_BODY_INTERVALS:
        return ref_intervals(f, v);
    case SCHED_BODY_STRINGS:
        return ref_strings(f, v);
    case SCHED_BODY_STRING:
        return json_is_string(v) && (apr_int64_t)len >= f->min
               && (apr_int64_t)len <= f->max
               && (f->check == NULL || ref_string_check(f->name, json_string_value(v)));
    case SCHED_BODY_TIME:
        if (!json_is_string(v) || len < 1 || len > 64
            || sched_time_parse_rfc3339(json_string_value(v), naive, &t) != NULL) {
            return 0;
        }
        *usec = t.has_offset ? t.epoch_usec : utc_of(&t);
        *stop = !t.has_offset && t.second == 59;
        return 1;
    }
    return 0;
}

/* errors[field] is exactly [message]; any one message when message is NULL. */
static int one_message(json_t *errors, const char *field, const char *message)
{
    json_t *list = json_object_get(errors, field);
    json_t *m = json_array_get(list, 0);
    return json_is_array(list) && json_array_size(list) == 1 && json_is_string(m)
           && (message == NULL || strcmp(json_string_value(m), message) == 0);
}

/* The request a test input stands for. */
typedef struct fuzz_req_t {
    const sched_body_t *schema;
    sched_body_mode_e mode;
    int naive;
    json_t *body;
    sched_body_value_t values[SCHED_BODY_MAX_FIELDS];
    apr_int64_t usec[SCHED_BODY_MAX_FIELDS];    /* reference instants of times */
    int valid[SCHED_BODY_MAX_FIELDS];           /* reference validity, -1: absent */
    json_t *errors;
} fuzz_req_t;

/* Field i of a time after another: whether the reference says it is not after. */
static int ref_not_after(const fuzz_req_t *q, int i)
{
    const sched_body_field_t *f = &q->schema->fields[i];
    int j;

    for (j = 0; f->after && j < q->schema->count; j++) {
        if (strcmp(q->schema->fields[j].name, f->after) == 0) {
            return q->valid[i] == 1 && q->valid[j] == 1 && q->usec[i] <= q->usec[j];
        }
    }
    return 0;
}

static void check_ok_value(const fuzz_req_t *q, int i, json_t *v)
{
    const sched_body_field_t *f = &q->schema->fields[i];
    const sched_body_value_t *got = &q->values[i];
    const char *text;
    sched_time_t t;

    switch (f->kind) {
    case SCHED_BODY_ID:
    case SCHED_BODY_INT:
        FUZZ_CHECK(json_is_null(v) ? got->null
                                   : !got->null && got->i == json_integer_value(v),
                   "%s: %" APR_INT64_T_FMT, f->name, got->i);
        break;
    case SCHED_BODY_DATE:
        FUZZ_CHECK(got->s == json_string_value(v), "%s: another string", f->name);
        break;
    case SCHED_BODY_INTERVALS:
    case SCHED_BODY_STRINGS:
        FUZZ_CHECK(got->json == v, "%s: another array", f->name);
        break;
    case SCHED_BODY_BOOL:
        FUZZ_CHECK(got->i == json_is_true(v), "%s: %" APR_INT64_T_FMT, f->name, got->i);
        break;
    case SCHED_BODY_STRING:
        FUZZ_CHECK(got->s == json_string_value(v), "%s: another string", f->name);
        break;
    case SCHED_BODY_TIME:
        FUZZ_CHECK(got->s == json_string_value(v) && got->i == q->usec[i],
                   "%s \"%s\": %" APR_INT64_T_FMT, f->name, got->s, got->i);
        text = sched_time_format_utc(fuzz_pool, got->i);
        FUZZ_CHECK(sched_time_parse_rfc3339(text, 0, &t) == NULL && t.epoch_usec == got->i,
                   "%s \"%s\" is written \"%s\", which does not read back", f->name,
                   got->s, text);
        break;
    }
}

/* Field i, once the read went through. Returns 1 when errors has an entry for it. */
static int check_field(const fuzz_req_t *q, int i)
{
    const sched_body_field_t *f = &q->schema->fields[i];
    const sched_body_value_t *got = &q->values[i];
    json_t *v = json_object_get(q->body, f->name);
    int has_error = json_object_get(q->errors, f->name) != NULL;

    if (!sched_body_reads(f, q->mode)) {
        FUZZ_CHECK(got->got == SCHED_FIELD_ABSENT && !has_error, "%s: read", f->name);
        return 0;
    }
    if (v == NULL) {
        FUZZ_CHECK(got->got == SCHED_FIELD_ABSENT, "%s: %d, not absent", f->name,
                   got->got);
        FUZZ_CHECK(sched_body_requires(f, q->mode)
                   ? one_message(q->errors, f->name, "this field is required")
                   : !has_error, "%s: absent, errors wrong", f->name);
        return has_error;
    }
    if (!q->valid[i]) {
        FUZZ_CHECK(got->got == SCHED_FIELD_INVALID && one_message(q->errors, f->name, NULL),
                   "%s: %d, not invalid with one message", f->name, got->got);
        return 1;
    }
    if (ref_not_after(q, i)) {
        FUZZ_CHECK(got->got == SCHED_FIELD_INVALID
                   && one_message(q->errors, f->name,
                                  apr_pstrcat(fuzz_pool, "must be after ", f->after, NULL)),
                   "%s: %d, not after %s", f->name, got->got, f->after);
        return 1;
    }
    FUZZ_CHECK(got->got == SCHED_FIELD_OK && !has_error, "%s: %d, not OK", f->name,
               got->got);
    check_ok_value(q, i, v);
    return 0;
}

/* The slot grid of a valid window, as sched_slots_create cuts it. */
static void check_grid(const fuzz_req_t *q)
{
    const sched_body_value_t *w = q->values;
    apr_int64_t start = w[SCHED_SLOT_START_TIME].i, end = w[SCHED_SLOT_END_TIME].i;
    apr_int64_t len = (w[SCHED_SLOT_MINUTES].got == SCHED_FIELD_OK
                       ? w[SCHED_SLOT_MINUTES].i : 15) * 60 * USEC;
    apr_int64_t first, count, day0 = start / DAY_USEC * DAY_USEC;
    sched_time_t t;

    if (end - start > 31 * DAY_USEC) {
        return;                     /* refused before the grid */
    }
    day0 -= start % DAY_USEC < 0 ? DAY_USEC : 0;
    count = sched_time_grid(start, end, len, &first);
    FUZZ_CHECK(first >= start && first - start < len && (first - day0) % len == 0,
               "grid of %" APR_INT64_T_FMT ": first %" APR_INT64_T_FMT, start, first);
    FUZZ_CHECK(count > 0 ? first + count * len <= end && first + (count + 1) * len > end
                         : count == 0 && first + len > end,
               "grid: %" APR_INT64_T_FMT " slots to %" APR_INT64_T_FMT, count, end);
    if (count > 0) {
        FUZZ_CHECK(sched_time_parse_rfc3339(sched_time_format_utc(fuzz_pool,
                                            first + (count - 1) * len), 0, &t) == NULL,
                   "grid: the last slot does not format as a time");
    }
}

/* Reads the body and checks every field. */
static void check_read(fuzz_req_t *q)
{
    int i, rv, stop = 0, with_errors = 0;

    for (i = 0; i < q->schema->count; i++) {
        json_t *v = json_object_get(q->body, q->schema->fields[i].name);
        int stops = 0;
        q->valid[i] = v && sched_body_reads(&q->schema->fields[i], q->mode)
                      ? ref_valid(&q->schema->fields[i], v, q->naive, &q->usec[i], &stops)
                      : -1;
        stop = stop || stops;
    }
    rv = sched_body_read(q->schema, q->mode, q->body, q->naive ? resolve_as_utc : NULL,
                         NULL, q->values, q->errors);
    FUZZ_CHECK(rv == (stop ? RESOLVE_FAILED : 0), "read returned %d", rv);
    if (stop) {
        return;
    }
    for (i = 0; i < q->schema->count; i++) {
        with_errors += check_field(q, i);
    }
    FUZZ_CHECK((int)json_object_size(q->errors) == with_errors,
               "errors has %d fields, not %d", (int)json_object_size(q->errors),
               with_errors);
    if (q->schema == &sched_body_slots && q->mode == SCHED_BODY_CREATE && !with_errors) {
        check_grid(q);
    }
}

/* A parsed body dumps and reads back equal. */
static void check_round_trip(json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_t *again = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;

    FUZZ_CHECK(again != NULL && json_equal(body, again), "dumped as %s", text);
    json_decref(again);
    free(text);
}

/* Reads "<METHOD> <resource>[ naive]" into q. Returns 0 when it is not that. */
static int read_header(char *header, fuzz_req_t *q)
{
    static const char *const methods[] = { "POST", "PUT", "PATCH" };
    char *resource = strchr(header, ' '), *flag;
    int i;

    memset(q, 0, sizeof(*q));
    if (resource == NULL) {
        return 0;
    }
    *resource++ = '\0';
    if ((flag = strchr(resource, ' ')) != NULL) {
        *flag++ = '\0';
        if (strcmp(flag, "naive") != 0) {
            return 0;
        }
        q->naive = 1;
    }
    for (i = 0; i < FUZZ_COUNT(methods) && strcmp(header, methods[i]) != 0; i++) {
    }
    if (i == FUZZ_COUNT(methods)) {
        return 0;
    }
    q->mode = i == 0 ? SCHED_BODY_CREATE : i == 1 ? SCHED_BODY_REPLACE : SCHED_BODY_PATCH;
    for (i = 0; sched_body_all[i] && strcmp(sched_body_all[i]->resource, resource); i++) {
    }
    q->schema = sched_body_all[i];
    return q->schema != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_req_t q;
    char *header;
    const uint8_t *body;
    size_t body_size;
    const char *reason = NULL;

    if (!fuzz_split_line(data, size, &header, &body, &body_size)
        || !read_header(header, &q)) {
        apr_pool_clear(fuzz_pool);
        return 0;
    }
    q.body = sched_json_parse_object((const char *)body, body_size, &reason);
    if (q.body == NULL) {
        FUZZ_CHECK(reason != NULL && *reason != '\0', "refused without a reason");
        FUZZ_CHECK(memchr(body, '\0', body_size) == NULL
                   || strcmp(reason, "the body must not contain NUL bytes") == 0,
                   "a NUL refused as \"%s\"", reason);
        apr_pool_clear(fuzz_pool);
        return 0;
    }
    FUZZ_CHECK(json_is_object(q.body) && memchr(body, '\0', body_size) == NULL,
               "not an object, or a NUL byte accepted");
    check_round_trip(q.body);
    q.errors = json_object();
    check_read(&q);
    json_decref(q.errors);
    json_decref(q.body);
    apr_pool_clear(fuzz_pool);
    return 0;
}
