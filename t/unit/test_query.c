/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_query.c: decoding, and parameters by name. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_query.h"
#include "tap.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static apr_pool_t *pool;

static void test_decode(void)
{
    static const struct {
        const char *in;
        const char *out;        /* NULL: refused */
    } cases[] = {
        { "", "" }, { "abc", "abc" }, { "a+b", "a b" }, { "+", " " }, { "++", "  " },
        { "%20", " " }, { "a%2Bb", "a+b" }, { "%2b", "+" }, { "%41%42", "AB" },
        { "%e2%82%ac", "\xe2\x82\xac" }, { "%C3%A9", "\xc3\xa9" }, { "%25", "%" },
        { "%2525", "%25" }, { "%3D%26", "=&" }, { "%ff", "\xff" }, { "%01", "\x01" },
        { "caf\xc3\xa9", "caf\xc3\xa9" },
        { "%", NULL }, { "a%", NULL }, { "%2", NULL }, { "%2x", NULL }, { "%x2", NULL },
        { "%g0", NULL }, { "% 20", NULL }, { "%%20", NULL }, { "%00", NULL },
        { "a%00b", NULL }, { "%20%0", NULL }, { "%-1", NULL }, { "%+1", NULL },
    };
    int i;

    for (i = 0; i < COUNT(cases); i++) {
        char *s = apr_pstrdup(pool, cases[i].in);
        int decoded = sched_query_decode(s);
        const char *name = apr_psprintf(pool, "decode \"%s\"", cases[i].in);
        if (cases[i].out) {
            ok(decoded, "%s accepted", name);
            is_str(s, cases[i].out, apr_pstrcat(pool, name, ": text", NULL));
        }
        else {
            ok(!decoded, "%s refused", name);
        }
    }
}

/* The state and value of name in args. */
static void lookup_is(const char *args, const char *name, sched_query_state_e want,
                      const char *value)
{
    sched_query_t *q = sched_query_parse(pool, args);
    const char *got = "unset";
    sched_query_state_e state = sched_query_lookup(q, name, &got);
    const char *label = apr_psprintf(pool, "?%s: %s", args ? args : "(none)", name);

    is_int(state, want, apr_pstrcat(pool, label, ": state", NULL));
    is_str(got, value, apr_pstrcat(pool, label, ": value", NULL));
}

static void test_lookup(void)
{
    lookup_is(NULL, "limit", SCHED_QUERY_ABSENT, NULL);
    lookup_is("", "limit", SCHED_QUERY_ABSENT, NULL);
    lookup_is("limit=10", "limit", SCHED_QUERY_OK, "10");
    lookup_is("limit=10&after=5", "after", SCHED_QUERY_OK, "5");
    lookup_is("limit=10", "after", SCHED_QUERY_ABSENT, NULL);
    lookup_is("from=2026-12-01T08%3A00%3A00%2B01%3A00", "from", SCHED_QUERY_OK,
              "2026-12-01T08:00:00+01:00");
    lookup_is("tz=Europe%2FParis", "tz", SCHED_QUERY_OK, "Europe/Paris");
    lookup_is("q=a+b", "q", SCHED_QUERY_OK, "a b");
    lookup_is("q=a=b", "q", SCHED_QUERY_OK, "a=b");
    lookup_is("limit=", "limit", SCHED_QUERY_OK, "");
    lookup_is("&&limit=3&&", "limit", SCHED_QUERY_OK, "3");
    lookup_is("=5", "", SCHED_QUERY_OK, "5");
    lookup_is("li%6Dit=4", "limit", SCHED_QUERY_OK, "4");
    lookup_is("my+name=1", "my name", SCHED_QUERY_OK, "1");
}

/* A name without '=' is given with an empty value (it once wrote to a string constant
 * and crashed the process). */
static void test_no_value(void)
{
    lookup_is("flag", "flag", SCHED_QUERY_OK, "");
    lookup_is("a&b=1", "a", SCHED_QUERY_OK, "");
    lookup_is("a&b=1", "b", SCHED_QUERY_OK, "1");
    lookup_is("limi0&tft1=aer%5", "limi0", SCHED_QUERY_OK, "");
    lookup_is("limi0&tft1=aer%5", "tft1", SCHED_QUERY_UNDECODABLE, NULL);
    lookup_is("a&a", "a", SCHED_QUERY_REPEATED, NULL);
    lookup_is("a&a=1", "a", SCHED_QUERY_REPEATED, NULL);
}

static void test_repeated(void)
{
    lookup_is("limit=1&limit=2", "limit", SCHED_QUERY_REPEATED, NULL);
    lookup_is("limit=1&limit=1", "limit", SCHED_QUERY_REPEATED, NULL);
    lookup_is("limit=1&li%6Dit=1", "limit", SCHED_QUERY_REPEATED, NULL);
    lookup_is("limit=1&after=2&limit=3", "after", SCHED_QUERY_OK, "2");
    lookup_is("limit=%zz&limit=2", "limit", SCHED_QUERY_REPEATED, NULL);
}

static void test_case(void)
{
    lookup_is("Limit=10", "limit", SCHED_QUERY_ABSENT, NULL);
    lookup_is("Limit=10", "Limit", SCHED_QUERY_OK, "10");
    lookup_is("limit=1&LIMIT=2", "limit", SCHED_QUERY_OK, "1");
    lookup_is("limit=1&LIMIT=2", "LIMIT", SCHED_QUERY_OK, "2");
}

static void test_undecodable(void)
{
    lookup_is("after=%zz", "after", SCHED_QUERY_UNDECODABLE, NULL);
    lookup_is("after=5%00", "after", SCHED_QUERY_UNDECODABLE, NULL);
    lookup_is("after=%", "after", SCHED_QUERY_UNDECODABLE, NULL);
    lookup_is("after=%00&limit=2", "limit", SCHED_QUERY_OK, "2");
    /* a name that does not decode names nothing: the pair is dropped */
    lookup_is("lim%zzit=1", "lim%zzit", SCHED_QUERY_ABSENT, NULL);
    lookup_is("lim%00it=1&limit=2", "limit", SCHED_QUERY_OK, "2");
    lookup_is("%=1", "%", SCHED_QUERY_ABSENT, NULL);
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_decode();
    test_lookup();
    test_no_value();
    test_repeated();
    test_case();
    test_undecodable();

    done_testing();
    return exit_status();
}
