/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The JSON writer of answers (src/sched_jsonw.c). */
#include <apr_general.h>
#include <jansson.h>
#include <string.h>

#include "tap.h"
#include "sched_jsonw.h"

static apr_pool_t *pool;

static const char *text(sched_jsonw_t *w)
{
    apr_size_t len;
    const char *t = sched_jsonw_text(w, &len);
    ok(strlen(t) == len, "length %zu matches the text", len);
    return t;
}

/* The text parses as JSON (jansson, which refuses anything RFC 8259 does not allow). */
static void valid(const char *t, const char *name)
{
    json_error_t err;
    json_t *j = json_loads(t, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    ok(j != NULL, "%s: valid JSON", name);
    if (!j) {
        diag("%s: %s", t, err.text);
    }
    json_decref(j);
}

static void test_object(void)
{
    sched_jsonw_t w;
    sched_jsonw_init(&w, pool, 8);      /* small: grows */
    sched_jsonw_open(&w, NULL, '{');
    sched_jsonw_int(&w, "id", 41);
    sched_jsonw_int(&w, "min", INT64_MIN);
    sched_jsonw_int(&w, "max", INT64_MAX);
    sched_jsonw_int(&w, "zero", 0);
    sched_jsonw_bool(&w, "t", 1);
    sched_jsonw_bool(&w, "f", 0);
    sched_jsonw_null(&w, "n");
    sched_jsonw_time(&w, "at", APR_INT64_C(1796112000000000));
    sched_jsonw_open(&w, "kept", '[');
    sched_jsonw_int(&w, NULL, 1);
    sched_jsonw_int(&w, NULL, 2);
    sched_jsonw_close(&w, ']');
    sched_jsonw_open(&w, "empty", '[');
    sched_jsonw_close(&w, ']');
    sched_jsonw_raw(&w, "raw", "{\"a\":1}", 7);
    sched_jsonw_close(&w, '}');
    is_str(text(&w), "{\"id\":41,\"min\":-9223372036854775808,\"max\":9223372036854775807,"
           "\"zero\":0,\"t\":true,\"f\":false,\"n\":null,\"at\":\"2026-12-01T08:00:00Z\","
           "\"kept\":[1,2],\"empty\":[],\"raw\":{\"a\":1}}", "an object of every kind");
    valid(w.out.buf, "the object");
}

static void test_array_of_objects(void)
{
    sched_jsonw_t w;
    int i;
    sched_jsonw_init(&w, pool, 64);
    sched_jsonw_open(&w, NULL, '[');
    for (i = 0; i < 3; i++) {
        sched_jsonw_open(&w, NULL, '{');
        sched_jsonw_int(&w, "i", i);
        sched_jsonw_close(&w, '}');
    }
    sched_jsonw_close(&w, ']');
    is_str(text(&w), "[{\"i\":0},{\"i\":1},{\"i\":2}]", "an array of objects");
    sched_jsonw_init(&w, pool, 64);
    sched_jsonw_open(&w, NULL, '[');
    sched_jsonw_close(&w, ']');
    is_str(text(&w), "[]", "an empty array");
}

static void test_strings(void)
{
    static const struct { const char *in; apr_size_t len; const char *out; } cases[] = {
        { "plain", 5, "\"plain\"" },
        { "", 0, "\"\"" },
        { "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
        { "\n\r\t", 3, "\"\\n\\r\\t\"" },
        { "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"" },
        { "a\0b", 3, "\"a\\u0000b\"" },
        { "caf\xc3\xa9 \xe2\x82\xac", 9, "\"caf\xc3\xa9 \xe2\x82\xac\"" },
        { "</script>", 9, "\"</script>\"" },
    };
    apr_size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sched_jsonw_t w;
        sched_jsonw_init(&w, pool, 2);
        sched_jsonw_str(&w, NULL, cases[i].in, cases[i].len);
        is_str(text(&w), cases[i].out, "a string, escaped");
        valid(w.out.buf, "string");
    }
}

/* Every byte value in a string: the writer's output parses back to the same bytes. */
static void test_all_bytes(void)
{
    char in[256];
    sched_jsonw_t w;
    json_t *j;
    json_error_t err;
    int i;

    for (i = 0; i < 128; i++) {
        in[i] = (char)i;
    }
    sched_jsonw_init(&w, pool, 16);
    sched_jsonw_str(&w, NULL, in, 128);
    j = json_loads(text(&w), JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    ok(j && json_string_length(j) == 128 && memcmp(json_string_value(j), in, 128) == 0,
       "all 128 ASCII bytes, NUL and controls included, round-trip");
    json_decref(j);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_object();
    test_array_of_objects();
    test_strings();
    test_all_bytes();
    apr_pool_destroy(pool);
    apr_terminate();
    done_testing();
    return exit_status();
}
