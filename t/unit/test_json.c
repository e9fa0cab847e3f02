/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_json.c: request bodies and typed field access. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_json.h"
#include "tap.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static apr_pool_t *pool;

/* Parses a literal body; fails the run loudly if the test itself is wrong. */
static json_t *body_of(const char *text)
{
    const char *reason = NULL;
    json_t *body = sched_json_parse_object(text, strlen(text), &reason);
    if (body == NULL) {
        diag("test body does not parse: %s (%s)", text, reason);
        exit(2);
    }
    return body;
}

/* errors as compact JSON, sorted keys, copied to the pool. */
static const char *dump(json_t *errors)
{
    char *s = json_dumps(errors, JSON_COMPACT | JSON_SORT_KEYS);
    const char *copy = apr_pstrdup(pool, s ? s : "(null)");
    free(s);
    return copy;
}

static void test_parse_object(void)
{
    static const struct {
        const char *in;
        const char *reason;
    } cases[] = {
        { "{}", NULL },
        { " {\"a\": 1} \n", NULL },
        { "{\"a\": {\"a\": 1}, \"b\": [1, 1]}", NULL },
        { "", "the body is not valid JSON" },
        { "{", "the body is not valid JSON" },
        { "{\"a\": 1,}", "the body is not valid JSON" },
        { "{'a': 1}", "the body is not valid JSON" },
        { "{} {}", "the body is not valid JSON" },
        { "{} x", "the body is not valid JSON" },
        { "{\"a\": 1, \"a\": 2}", "the body is not valid JSON" },
        { "{\"a\": \"\\u0000\"}", "the body is not valid JSON" },
        { "{\"a\": 9223372036854775808}", "the body is not valid JSON" },
        { "[]", "the body must be a JSON object" },
        { "[{\"a\": 1}]", "the body must be a JSON object" },
    };
    int i;

    for (i = 0; i < COUNT(cases); i++) {
        const char *reason = NULL;
        json_t *body = sched_json_parse_object(cases[i].in, strlen(cases[i].in), &reason);
        const char *name = apr_psprintf(pool, "parse %s", cases[i].in);
        if (cases[i].reason == NULL) {
            ok(body != NULL && json_is_object(body) && reason == NULL, "%s: an object",
               name);
        }
        else {
            ok(body == NULL, "%s: refused", name);
            is_str(reason, cases[i].reason, apr_pstrcat(pool, name, ": reason", NULL));
        }
        json_decref(body);
    }
}

static void test_parse_scalars(void)
{
    static const char *const scalars[] = { "null", "1", "\"x\"", "true", "1.5" };
    int i;
    for (i = 0; i < COUNT(scalars); i++) {
        const char *reason = NULL;
        json_t *body = sched_json_parse_object(scalars[i], strlen(scalars[i]), &reason);
        ok(body == NULL && reason != NULL, "parse %s: refused (%s)", scalars[i],
           reason ? reason : "no reason");
        json_decref(body);
    }
}

static void test_parse_len(void)
{
    const char *reason = NULL;
    static const char buf[] = "{\"a\": 1}garbage";
    static const char nul[] = "{\"a\": 1}\0";
    json_t *body = sched_json_parse_object(buf, 8, &reason);
    ok(body != NULL && json_integer_value(json_object_get(body, "a")) == 1,
       "parse reads only len bytes");
    json_decref(body);
    body = sched_json_parse_object(buf, 7, &reason);
    ok(body == NULL && reason != NULL, "parse: a body cut short is refused");
    json_decref(body);
    reason = NULL;
    body = sched_json_parse_object(nul, sizeof(nul) - 1, &reason);
    ok(body == NULL && reason != NULL, "parse: a NUL byte after the object is refused");
    json_decref(body);
    reason = NULL;
    body = sched_json_parse_object(NULL, 0, &reason);
    ok(body == NULL && reason != NULL, "parse: no body at all is refused");
    json_decref(body);
}

static void test_error_add(void)
{
    json_t *errors = json_object();
    sched_json_error_add(errors, "slot", "already reserved");
    is_str(dump(errors), "{\"slot\":[\"already reserved\"]}", "error_add: first message");
    sched_json_error_add(errors, "slot", "second");
    sched_json_error_add(errors, "client", "third");
    is_str(dump(errors), "{\"client\":[\"third\"],\"slot\":[\"already reserved\",\"second\"]}",
           "error_add: more messages, per field");
    json_decref(errors);
}

static void test_get_id(void)
{
    static const struct {
        const char *value;
        sched_field_e want;
        apr_int64_t id;
    } cases[] = {
        { "1", SCHED_FIELD_OK, 1 },
        { "41", SCHED_FIELD_OK, 41 },
        { "9223372036854775807", SCHED_FIELD_OK, APR_INT64_MAX },
        { "0", SCHED_FIELD_INVALID, 0 },
        { "-1", SCHED_FIELD_INVALID, 0 },
        { "-9223372036854775808", SCHED_FIELD_INVALID, 0 },
        { "\"7\"", SCHED_FIELD_INVALID, 0 },
        { "7.0", SCHED_FIELD_INVALID, 0 },
        { "7.5", SCHED_FIELD_INVALID, 0 },
        { "1e3", SCHED_FIELD_INVALID, 0 },
        { "true", SCHED_FIELD_INVALID, 0 },
        { "false", SCHED_FIELD_INVALID, 0 },
        { "null", SCHED_FIELD_INVALID, 0 },
        { "[7]", SCHED_FIELD_INVALID, 0 },
        { "{\"id\": 7}", SCHED_FIELD_INVALID, 0 },
    };
    int i;

    for (i = 0; i < COUNT(cases); i++) {
        json_t *body = body_of(apr_pstrcat(pool, "{\"slot\": ", cases[i].value, "}", NULL));
        json_t *errors = json_object();
        apr_int64_t id = -42;
        sched_field_e got = sched_json_get_id(body, "slot", 1, &id, errors);
        const char *name = apr_psprintf(pool, "get_id %s", cases[i].value);

        is_int(got, cases[i].want, apr_pstrcat(pool, name, ": result", NULL));
        if (cases[i].want == SCHED_FIELD_OK) {
            is_int(id, cases[i].id, apr_pstrcat(pool, name, ": value", NULL));
            is_str(dump(errors), "{}", apr_pstrcat(pool, name, ": no error", NULL));
        }
        else {
            is_int(id, -42, apr_pstrcat(pool, name, ": output untouched", NULL));
            is_str(dump(errors), "{\"slot\":[\"must be an id (a positive integer)\"]}",
                   apr_pstrcat(pool, name, ": error", NULL));
        }
        json_decref(errors);
        json_decref(body);
    }
}

static void test_absent(void)
{
    json_t *body = body_of("{\"other\": 1}");
    json_t *errors = json_object();
    apr_int64_t id = -42;
    const char *s = "untouched";
    int b = -42;

    is_int(sched_json_get_id(body, "slot", 0, &id, errors), SCHED_FIELD_ABSENT,
           "get_id: absent, optional");
    is_int(sched_json_get_string(body, "email", 0, 0, 10, &s, errors), SCHED_FIELD_ABSENT,
           "get_string: absent, optional");
    is_int(sched_json_get_bool(body, "flag", 0, &b, errors), SCHED_FIELD_ABSENT,
           "get_bool: absent, optional");
    is_str(dump(errors), "{}", "absent optional fields: no error");
    ok(id == -42 && strcmp(s, "untouched") == 0 && b == -42,
       "absent fields leave the outputs alone");

    is_int(sched_json_get_id(body, "slot", 1, &id, errors), SCHED_FIELD_ABSENT,
           "get_id: absent, required");
    is_int(sched_json_get_string(body, "email", 1, 0, 10, &s, errors), SCHED_FIELD_ABSENT,
           "get_string: absent, required");
    is_int(sched_json_get_bool(body, "flag", 1, &b, errors), SCHED_FIELD_ABSENT,
           "get_bool: absent, required");
    is_str(dump(errors), "{\"email\":[\"this field is required\"],"
           "\"flag\":[\"this field is required\"],\"slot\":[\"this field is required\"]}",
           "absent required fields: one error each");
    json_decref(errors);
    json_decref(body);
}

static void test_get_string(void)
{
    static const struct {
        const char *value;
        apr_size_t min, max;
        sched_field_e want;
        const char *text;       /* the value, or the error message */
    } cases[] = {
        { "\"jekyll\"", 1, 150, SCHED_FIELD_OK, "jekyll" },
        { "\"\"", 0, 10, SCHED_FIELD_OK, "" },
        { "\"abc\"", 3, 3, SCHED_FIELD_OK, "abc" },
        { "\"\\u00e9t\\u00e9\"", 5, 5, SCHED_FIELD_OK, "\xc3\xa9t\xc3\xa9" },
        { "\"\\u00e9t\\u00e9\"", 1, 4, SCHED_FIELD_INVALID, "is too long" },
        { "\"\"", 1, 10, SCHED_FIELD_INVALID, "must not be empty" },
        { "\"ab\"", 3, 10, SCHED_FIELD_INVALID, "is too short" },
        { "\"abcd\"", 1, 3, SCHED_FIELD_INVALID, "is too long" },
        { "1", 0, 10, SCHED_FIELD_INVALID, "must be a string" },
        { "true", 0, 10, SCHED_FIELD_INVALID, "must be a string" },
        { "null", 0, 10, SCHED_FIELD_INVALID, "must be a string" },
        { "[\"a\"]", 0, 10, SCHED_FIELD_INVALID, "must be a string" },
        { "{}", 0, 10, SCHED_FIELD_INVALID, "must be a string" },
    };
    int i;

    for (i = 0; i < COUNT(cases); i++) {
        json_t *body = body_of(apr_pstrcat(pool, "{\"name\": ", cases[i].value, "}", NULL));
        json_t *errors = json_object();
        const char *s = "untouched";
        sched_field_e got = sched_json_get_string(body, "name", 1, cases[i].min,
                                                  cases[i].max, &s, errors);
        const char *name = apr_psprintf(pool, "get_string %s [%d, %d]", cases[i].value,
                                        (int)cases[i].min, (int)cases[i].max);

        is_int(got, cases[i].want, apr_pstrcat(pool, name, ": result", NULL));
        if (cases[i].want == SCHED_FIELD_OK) {
            is_str(s, cases[i].text, apr_pstrcat(pool, name, ": value", NULL));
            is_str(dump(errors), "{}", apr_pstrcat(pool, name, ": no error", NULL));
        }
        else {
            is_str(s, "untouched", apr_pstrcat(pool, name, ": output untouched", NULL));
            is_str(dump(errors),
                   apr_psprintf(pool, "{\"name\":[\"%s\"]}", cases[i].text),
                   apr_pstrcat(pool, name, ": error", NULL));
        }
        json_decref(errors);
        json_decref(body);
    }
}

static void test_get_bool(void)
{
    static const struct {
        const char *value;
        sched_field_e want;
        int b;
    } cases[] = {
        { "true", SCHED_FIELD_OK, 1 },
        { "false", SCHED_FIELD_OK, 0 },
        { "1", SCHED_FIELD_INVALID, 0 },
        { "0", SCHED_FIELD_INVALID, 0 },
        { "\"true\"", SCHED_FIELD_INVALID, 0 },
        { "null", SCHED_FIELD_INVALID, 0 },
        { "[]", SCHED_FIELD_INVALID, 0 },
    };
    int i;

    for (i = 0; i < COUNT(cases); i++) {
        json_t *body = body_of(apr_pstrcat(pool, "{\"is_active\": ", cases[i].value, "}",
                                           NULL));
        json_t *errors = json_object();
        int b = -42;
        sched_field_e got = sched_json_get_bool(body, "is_active", 1, &b, errors);
        const char *name = apr_psprintf(pool, "get_bool %s", cases[i].value);

        is_int(got, cases[i].want, apr_pstrcat(pool, name, ": result", NULL));
        if (cases[i].want == SCHED_FIELD_OK) {
            is_int(b, cases[i].b, apr_pstrcat(pool, name, ": value", NULL));
            is_str(dump(errors), "{}", apr_pstrcat(pool, name, ": no error", NULL));
        }
        else {
            is_int(b, -42, apr_pstrcat(pool, name, ": output untouched", NULL));
            is_str(dump(errors), "{\"is_active\":[\"must be true or false\"]}",
                   apr_pstrcat(pool, name, ": error", NULL));
        }
        json_decref(errors);
        json_decref(body);
    }
}

/* Several fields of one body: errors collect per field, valid fields are still read. */
static void test_mixed(void)
{
    json_t *body = body_of("{\"client\": \"1\", \"slot\": 41, \"note\": \"\"}");
    json_t *errors = json_object();
    apr_int64_t client = -42, slot = -42;
    const char *note = NULL;

    is_int(sched_json_get_id(body, "client", 1, &client, errors), SCHED_FIELD_INVALID,
           "mixed: client invalid");
    is_int(sched_json_get_id(body, "slot", 1, &slot, errors), SCHED_FIELD_OK,
           "mixed: slot ok");
    is_int(slot, 41, "mixed: slot value");
    is_int(sched_json_get_string(body, "note", 1, 1, 10, &note, errors),
           SCHED_FIELD_INVALID, "mixed: note invalid");
    is_str(dump(errors), "{\"client\":[\"must be an id (a positive integer)\"],"
           "\"note\":[\"must not be empty\"]}", "mixed: two errors");
    json_decref(errors);
    json_decref(body);
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_parse_object();
    test_parse_scalars();
    test_parse_len();
    test_error_add();
    test_get_id();
    test_absent();
    test_get_string();
    test_get_bool();
    test_mixed();

    done_testing();
    return exit_status();
}
