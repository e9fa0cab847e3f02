/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_parse.c: durations, sizes, numbers, ids, paging cursors,
 * Idempotency-Key values, zone names, If-Match and the files of calendar feeds. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_parse.h"
#include "tap.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define MIN5 (5 * 60)
#define MB64 (64 << 20)
#define NOT_SIZE "is not a size (a number of bytes, or with k or m)"
#define DAY  86400

static apr_pool_t *pool;

/* For a table entry: reason NULL means the value is accepted as want. */
typedef struct case_t {
    const char *in;
    apr_int64_t min, max;
    const char *reason;
    apr_int64_t want;
} case_t;

static const case_t durations[] = {
    { "90s", 1, 7 * DAY, NULL, 90 },
    { "15m", MIN5, 1440 * 60, NULL, 900 },
    { "24h", 1, 7 * DAY, NULL, DAY },
    { "7d", 1, 7 * DAY, NULL, 7 * DAY },
    { "0s", 0, DAY, NULL, 0 },
    { "0d", 0, DAY, NULL, 0 },
    { "5m", MIN5, 1440 * 60, NULL, MIN5 },
    { "1440m", MIN5, 1440 * 60, NULL, 1440 * 60 },
    { "1d", MIN5, 1440 * 60, NULL, DAY },
    { "05m", MIN5, 1440 * 60, NULL, MIN5 },
    { "300s", MIN5, 1440 * 60, NULL, MIN5 },
    { "9223372036854775807s", 0, APR_INT64_MAX, NULL, APR_INT64_MAX },
    { "90x", 1, DAY, "\"90x\" is not a duration (use s, m, h or d)", 0 },
    { "7w", 1, DAY, "\"7w\" is not a duration (use s, m, h or d)", 0 },
    { "90", 1, DAY, "\"90\" has no unit (use s, m, h or d)", 0 },
    { "0", 0, DAY, "\"0\" has no unit (use s, m, h or d)", 0 },
    { "m", 1, DAY, "\"m\" is not a duration (use s, m, h or d)", 0 },
    { "s", 1, DAY, "\"s\" is not a duration (use s, m, h or d)", 0 },
    { "", 1, DAY, "\"\" is not a duration (use s, m, h or d)", 0 },
    { "-5m", 1, DAY, "\"-5m\" is not a duration (use s, m, h or d)", 0 },
    { "+5m", 1, DAY, "\"+5m\" is not a duration (use s, m, h or d)", 0 },
    { "5 m", 1, DAY, "\"5 m\" is not a duration (use s, m, h or d)", 0 },
    { " 5m", 1, DAY, "\" 5m\" is not a duration (use s, m, h or d)", 0 },
    { "5m ", 1, DAY, "\"5m \" is not a duration (use s, m, h or d)", 0 },
    { "5mm", 1, DAY, "\"5mm\" is not a duration (use s, m, h or d)", 0 },
    { "5m5s", 1, DAY, "\"5m5s\" is not a duration (use s, m, h or d)", 0 },
    { "1.5h", 1, DAY, "\"1.5h\" is not a duration (use s, m, h or d)", 0 },
    { "5M", 1, DAY, "\"5M\" is not a duration (use s, m, h or d)", 0 },
    { "0x10s", 1, DAY, "\"0x10s\" is not a duration (use s, m, h or d)", 0 },
    { "2m", MIN5, 1440 * 60, "\"2m\" must be between 5m and 1440m", 0 },
    { "1441m", MIN5, 1440 * 60, "\"1441m\" must be between 5m and 1440m", 0 },
    { "299s", MIN5, 1440 * 60, "\"299s\" must be between 5m and 1440m", 0 },
    { "2d", MIN5, 1440 * 60, "\"2d\" must be between 5m and 1440m", 0 },
    { "8d", 1, 7 * DAY, "\"8d\" must be between 1s and 7d", 0 },
    { "0s", 1, 7 * DAY, "\"0s\" must be between 1s and 7d", 0 },
    { "366d", 0, 365 * DAY, "\"366d\" must be between 0d and 365d", 0 },
    { "32d", 60, 31 * DAY, "\"32d\" must be between 1m and 31d", 0 },
    { "25h", 3600, DAY, "\"25h\" must be between 1h and 24h", 0 },
    { "99999999999999999999d", 60, 31 * DAY,
      "\"99999999999999999999d\" must be between 1m and 31d", 0 },
    { "9223372036854775807d", 60, 31 * DAY,
      "\"9223372036854775807d\" must be between 1m and 31d", 0 },
    { "106751991167301d", 0, APR_INT64_MAX,
      "\"106751991167301d\" must be between 0s and 9223372036854775807s", 0 },
    { "153722867280912931m", 0, APR_INT64_MAX,
      "\"153722867280912931m\" must be between 0s and 9223372036854775807s", 0 },
    { "9223372036854775808s", 0, APR_INT64_MAX,
      "\"9223372036854775808s\" must be between 0s and 9223372036854775807s", 0 },
    { "12345678901234567890123456789012345678901234567890x", 1, DAY,
      "\"1234567890123456789012345678901234567890...\" is not a duration "
      "(use s, m, h or d)", 0 },
};

static const case_t sizes[] = {
    { "65536", 2, MB64, NULL, 65536 },
    { "64k", 2, MB64, NULL, 65536 },
    { "64K", 2, MB64, NULL, 65536 },
    { "1m", 2, MB64, NULL, 1 << 20 },
    { "1M", 2, MB64, NULL, 1 << 20 },
    { "64m", 2, MB64, NULL, 64 << 20 },
    { "2", 2, MB64, NULL, 2 },
    { "0", 0, 10, NULL, 0 },
    { "0k", 0, 10, NULL, 0 },
    { "12q", 2, MB64, "\"12q\" " NOT_SIZE, 0 },
    { "-1", 2, MB64, "\"-1\" " NOT_SIZE, 0 },
    { "k", 2, MB64, "\"k\" " NOT_SIZE, 0 },
    { "", 2, MB64, "\"\" " NOT_SIZE, 0 },
    { "1 k", 2, MB64, "\"1 k\" " NOT_SIZE, 0 },
    { "1kb", 2, MB64, "\"1kb\" " NOT_SIZE, 0 },
    { "1g", 2, MB64, "\"1g\" " NOT_SIZE, 0 },
    { "1s", 2, MB64, "\"1s\" " NOT_SIZE, 0 },
    { "1", 2, MB64, "\"1\" must be between 2 and 64m", 0 },
    { "65m", 2, MB64, "\"65m\" must be between 2 and 64m", 0 },
    { "67108865", 2, MB64, "\"67108865\" must be between 2 and 64m", 0 },
    { "2k", 1024, 2048, NULL, 2048 },
    { "3k", 1024, 2048, "\"3k\" must be between 1k and 2k", 0 },
    { "99999999999999999999", 2, MB64,
      "\"99999999999999999999\" must be between 2 and 64m", 0 },
    { "9007199254740992k", 2, APR_INT64_MAX,
      "\"9007199254740992k\" must be between 2 and 9223372036854775807", 0 },
    { "8796093022208m", 2, APR_INT64_MAX,
      "\"8796093022208m\" must be between 2 and 9223372036854775807", 0 },
    { "8796093022207m", 2, APR_INT64_MAX, NULL, APR_INT64_C(8796093022207) << 20 },
};

static const case_t ints[] = {
    { "50", 1, 1000, NULL, 50 },
    { "1", 1, 1000, NULL, 1 },
    { "1000", 1, 1000, NULL, 1000 },
    { "0", 0, 10, NULL, 0 },
    { "9223372036854775807", 0, APR_INT64_MAX, NULL, APR_INT64_MAX },
    { "0", 1, 1000, "\"0\" must be between 1 and 1000", 0 },
    { "1001", 1, 1000, "\"1001\" must be between 1 and 1000", 0 },
    { "9223372036854775808", 1, 1000,
      "\"9223372036854775808\" must be between 1 and 1000", 0 },
    { "99999999999999999999", 1, 1000,
      "\"99999999999999999999\" must be between 1 and 1000", 0 },
    { "abc", 1, 1000, "\"abc\" is not a whole number", 0 },
    { "-1", 1, 1000, "\"-1\" is not a whole number", 0 },
    { "+1", 1, 1000, "\"+1\" is not a whole number", 0 },
    { "10x", 1, 1000, "\"10x\" is not a whole number", 0 },
    { "1 ", 1, 1000, "\"1 \" is not a whole number", 0 },
    { " 1", 1, 1000, "\" 1\" is not a whole number", 0 },
    { "", 1, 1000, "\"\" is not a whole number", 0 },
    { "007", 1, 1000, "\"007\" is not a whole number", 0 },
    { "00", 0, 1000, "\"00\" is not a whole number", 0 },
    { "1e3", 1, 1000, "\"1e3\" is not a whole number", 0 },
    { "1.0", 1, 1000, "\"1.0\" is not a whole number", 0 },
    { "0x10", 1, 1000, "\"0x10\" is not a whole number", 0 },
};

typedef const char *(*parser_fn)(const char *, apr_int64_t, apr_int64_t, apr_int64_t *);

static void run_cases(const char *what, parser_fn fn, const case_t *c, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        apr_int64_t got = -42;
        const char *err = fn(c[i].in, c[i].min, c[i].max, &got);
        const char *name = apr_psprintf(pool, "%s \"%s\"", what, c[i].in);
        if (c[i].reason == NULL) {
            if (is_str(err, NULL, apr_pstrcat(pool, name, " accepted", NULL))) {
                is_int(got, c[i].want, apr_pstrcat(pool, name, " value", NULL));
            }
        }
        else {
            is_str(err, c[i].reason, apr_pstrcat(pool, name, " refused", NULL));
            is_int(got, -42, apr_pstrcat(pool, name, ": output untouched", NULL));
        }
    }
}

static void test_ids(void)
{
    static const struct {
        const char *in;
        int ok;
        apr_int64_t want;
    } ids[] = {
        { "1", 1, 1 }, { "7", 1, 7 }, { "10", 1, 10 }, { "1234567890", 1, 1234567890 },
        { "9223372036854775807", 1, APR_INT64_MAX },
        { "1000000000000000000", 1, APR_INT64_C(1000000000000000000) },
        { "0", 0, 0 }, { "01", 0, 0 }, { "00", 0, 0 }, { "", 0, 0 }, { "-1", 0, 0 },
        { "+1", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 }, { "1a", 0, 0 }, { "a1", 0, 0 },
        { "1.0", 0, 0 }, { "1e3", 0, 0 }, { "0x1", 0, 0 },
        { "9223372036854775808", 0, 0 }, { "9999999999999999999", 0, 0 },
        { "10000000000000000000", 0, 0 }, { "18446744073709551617", 0, 0 },
        { "99999999999999999999999", 0, 0 },
    };
    int i;
    apr_int64_t id;

    for (i = 0; i < COUNT(ids); i++) {
        id = -42;
        if (ids[i].ok) {
            if (ok(sched_parse_id(ids[i].in, &id), "id \"%s\" accepted", ids[i].in)) {
                is_int(id, ids[i].want,
                       apr_psprintf(pool, "id \"%s\" value", ids[i].in));
            }
        }
        else {
            ok(!sched_parse_id(ids[i].in, &id) && id == -42, "id \"%s\" refused",
               ids[i].in);
        }
    }
    ok(!sched_parse_id(NULL, &id), "id NULL refused");

    id = -42;
    ok(sched_parse_id_n("42/", 2, &id) && id == 42, "id_n \"42/\" 2 is 42");
    ok(sched_parse_id_n("123abc", 3, &id) && id == 123, "id_n stops at len");
    ok(sched_parse_id_n("92233720368547758079", 19, &id) && id == APR_INT64_MAX,
       "id_n: INT64_MAX, then more digits beyond len");
    ok(!sched_parse_id_n("42/", 3, &id), "id_n \"42/\" 3 refused");
    ok(!sched_parse_id_n("42", 0, &id), "id_n with length 0 refused");
    ok(!sched_parse_id_n("042", 3, &id), "id_n leading zero refused");
    ok(!sched_parse_id_n("0", 1, &id), "id_n 0 refused");
    ok(!sched_parse_id_n("9223372036854775808", 19, &id), "id_n INT64_MAX + 1 refused");
    ok(!sched_parse_id_n("12345678901234567890", 20, &id), "id_n 20 digits refused");
    ok(!sched_parse_id_n("1\0" "2", 3, &id), "id_n with a NUL inside len refused");
    ok(!sched_parse_id_n(NULL, 3, &id), "id_n NULL refused");
}

static void test_time_cursors(void)
{
    static const struct {
        const char *in;
        int ok;
        apr_int64_t usec, id;
    } cursors[] = {
        { "1796112000000000_41", 1, APR_INT64_C(1796112000000000), 41 },
        { "0_1", 1, 0, 1 },
        { "-1_7", 1, -1, 7 },
        { "-0_7", 1, 0, 7 },
        { "007_7", 1, 7, 7 },
        { "-62135596800000000_3", 1, APR_INT64_C(-62135596800000000), 3 },
        { "9223372036854775807_9223372036854775807", 1, APR_INT64_MAX, APR_INT64_MAX },
        { "-9223372036854775808_1", 1, APR_INT64_MIN, 1 },
        { "", 0, 0, 0 }, { "_", 0, 0, 0 }, { "_1", 0, 0, 0 }, { "1_", 0, 0, 0 },
        { "-_1", 0, 0, 0 }, { "1", 0, 0, 0 }, { "1_0", 0, 0, 0 }, { "1_01", 0, 0, 0 },
        { "1_-1", 0, 0, 0 }, { "1_1_1", 0, 0, 0 }, { "1__1", 0, 0, 0 },
        { "+1_1", 0, 0, 0 }, { " 1_1", 0, 0, 0 }, { "1 _1", 0, 0, 0 },
        { "1_ 1", 0, 0, 0 }, { "1_1 ", 0, 0, 0 }, { "--1_1", 0, 0, 0 },
        { "- 1_1", 0, 0, 0 }, { "-+1_1", 0, 0, 0 }, { "0x10_1", 0, 0, 0 },
        { "1.5_1", 0, 0, 0 }, { "1e3_1", 0, 0, 0 }, { "a_1", 0, 0, 0 },
        { "9223372036854775808_1", 0, 0, 0 }, { "-9223372036854775809_1", 0, 0, 0 },
        { "1_9223372036854775808", 0, 0, 0 }, { "41", 0, 0, 0 },
    };
    int i;

    for (i = 0; i < COUNT(cursors); i++) {
        apr_int64_t usec = -42, id = -42;
        int got = sched_parse_time_cursor(cursors[i].in, &usec, &id);
        if (cursors[i].ok) {
            ok(got && usec == cursors[i].usec && id == cursors[i].id,
               "time cursor \"%s\" is %" APR_INT64_T_FMT ", %" APR_INT64_T_FMT,
               cursors[i].in, cursors[i].usec, cursors[i].id);
        }
        else {
            ok(!got && usec == -42 && id == -42, "time cursor \"%s\" refused",
               cursors[i].in);
        }
    }
    {
        apr_int64_t usec, id;
        ok(!sched_parse_time_cursor(NULL, &usec, &id), "time cursor NULL refused");
    }
}

static void test_id_cursors(void)
{
    apr_int64_t id = -42;
    ok(sched_parse_id_cursor("41", &id) && id == 41, "id cursor \"41\" is 41");
    id = -42;
    ok(!sched_parse_id_cursor("0", &id) && id == -42, "id cursor \"0\" refused");
    ok(!sched_parse_id_cursor("1796112000000000_41", &id) && id == -42,
       "id cursor: a time cursor refused");
    ok(!sched_parse_id_cursor("", &id) && !sched_parse_id_cursor(NULL, &id),
       "id cursor: empty and NULL refused");
}

static void test_idempotency_keys(void)
{
    static const char *const good[] = {
        "a", "0", "~", "!", "3f2b8c1e-6d4a-4f1b-9c2e-7a5d8e9f0b1c", "key:with/odd=chars&%",
    };
    static const char *const bad[] = {
        "", " ", "a b", " a", "a ", "a\tb", "a\r\n", "\x7f", "caf\xc3\xa9", "\x01",
    };
    const char *reason = "Idempotency-Key must be 1 to 255 visible ASCII characters";
    char key[258];
    int i;

    for (i = 0; i < COUNT(good); i++) {
        is_str(sched_parse_idempotency_key(good[i]), NULL,
               apr_psprintf(pool, "Idempotency-Key \"%s\" accepted", good[i]));
    }
    for (i = 0; i < COUNT(bad); i++) {
        is_str(sched_parse_idempotency_key(bad[i]), reason,
               apr_psprintf(pool, "Idempotency-Key %d refused", i));
    }
    memset(key, 'k', sizeof(key));
    key[255] = '\0';
    is_str(sched_parse_idempotency_key(key), NULL, "Idempotency-Key of 255 accepted");
    key[255] = 'k';
    key[256] = '\0';
    is_str(sched_parse_idempotency_key(key), reason, "Idempotency-Key of 256 refused");
    key[0] = ' ';
    is_str(sched_parse_idempotency_key(key), reason,
           "Idempotency-Key of 256 with a space refused");
    is_str(sched_parse_idempotency_key(NULL), reason, "Idempotency-Key NULL refused");
}

static void test_zones(void)
{
    static const char *const good[] = {
        "UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
        "Etc/GMT-14", "America/Port-au-Prince", "GMT0", "EST5EDT",
        "a234567890123456789012345678901234567890123456789012345678901234",
    };
    static const char *const bad[] = {
        "", "../etc/passwd", "\"../etc/passwd\"", "/etc/passwd", "Europe/../../etc",
        "Europe/Paris/", "Europe//Paris", "Europe Paris", "Europe/Paris\n",
        "Europe\\Paris",
        "Europe/Pa.ris", "..", "Europe/Paris;rm", "Europe/Par\xc3\xads",
        "a2345678901234567890123456789012345678901234567890123456789012345",
    };
    int i;
    for (i = 0; i < COUNT(good); i++) {
        is_str(sched_parse_zone_name(good[i]), NULL,
               apr_psprintf(pool, "zone \"%s\" accepted", good[i]));
    }
    for (i = 0; i < COUNT(bad); i++) {
        const char *err = sched_parse_zone_name(bad[i]);
        ok(err != NULL && strstr(err, "is not a time zone name") != NULL,
           "zone %d refused", i);
    }
    is_str(sched_parse_zone_name("../etc/passwd"),
           "\"../etc/passwd\" is not a time zone name", "zone reason quotes the value");
}

static void test_null(void)
{
    apr_int64_t v = -42;
    ok(sched_parse_duration(NULL, 0, DAY, &v) != NULL, "duration NULL refused");
    ok(sched_parse_size(NULL, 0, MB64, &v) != NULL, "size NULL refused");
    ok(sched_parse_int(NULL, 0, 10, &v) != NULL, "int NULL refused");
    ok(sched_parse_zone_name(NULL) != NULL, "zone NULL refused");
    is_int(v, -42, "NULL: output untouched");
}

/* If-Match, as the conditional statements' parameter. */
static void test_if_match(void)
{
    static const struct { const char *in, *out; } c[] = {
        { "\"12\"", "{12}" },
        { "\"12\", \"7-pending\"", "{12,7-pending}" },
        { "  \"3\" ,\"4\"  ", "{3,4}" },
        { "W/\"12\"", "{}" },                      /* weak: never a strong match */
        { "W/\"1\", \"2\"", "{2}" },
        { "\"a,b\"", "{}" },                       /* not one of ours */
        { "\"{1}\"", "{}" },
        { "\"\"", "{}" },
        { "12", "{}" },                            /* no quotes: no entity-tag */
        { "\"1\" junk \"2\"", "{1}" },
        { "\"unterminated", "{}" },
        { "", "{}" },
    };
    size_t i;

    ok(sched_parse_if_match(pool, NULL) == NULL, "no If-Match: no condition");
    ok(sched_parse_if_match(pool, "*") == NULL, "If-Match: * is no condition");
    ok(sched_parse_if_match(pool, " * ") == NULL, "If-Match: \" * \" too");
    is_str(sched_parse_if_match(pool, "*, \"1\""), "{}", "\"*, ...\" is not *");
    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        is_str(sched_parse_if_match(pool, c[i].in), c[i].out,
               apr_psprintf(pool, "If-Match: %s", c[i].in));
    }
}

/* The file of a feed's URL: "cal_" and 43 base64url characters, then ".ics". */
static void test_feed_files(void)
{
    static const char token[] = "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";
    static const char *const bad[] = {
        "", ".ics", "cal_.ics",
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd.ics",      /* 42 */
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEf.ics",   /* 44 */
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE.ICS",
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE.ics ",
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE",
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE.icsx",
        "CAL_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE.ics",
        "cal-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE.ics",
        "xcal_bCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE.ics",
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/AbCdE.ics",   /* base64, not url */
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd=.ics",   /* padding */
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbC\xc3\xa9.ics",
        "cal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_A%41E.ics",
    };
    size_t i;

    ok(sched_parse_feed_file(apr_pstrcat(pool, token, ".ics", NULL)),
       "a feed's file: accepted");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ok(!sched_parse_feed_file(bad[i]), "a feed's file: \"%s\" refused", bad[i]);
    }
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    run_cases("duration", sched_parse_duration, durations, COUNT(durations));
    run_cases("size", sched_parse_size, sizes, COUNT(sizes));
    run_cases("int", sched_parse_int, ints, COUNT(ints));
    test_ids();
    test_time_cursors();
    test_id_cursors();
    test_idempotency_keys();
    test_zones();
    test_null();
    test_if_match();
    test_feed_files();

    done_testing();
    return exit_status();
}
