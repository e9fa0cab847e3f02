/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_hook.c (webhook URLs, event types, signatures, retry delays,
 * array parameters) and sched_netallow.c (SchedWebhookAllow). */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "sched_hook.h"
#include "sched_netallow.h"
#include "tap.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static apr_pool_t *pool;

static void test_urls(void)
{
    static const struct {
        const char *url;
        const char *host;       /* NULL: refused */
    } cases[] = {
        { "https://example.org/hooks", "example.org" },
        { "http://example.org", "example.org" },
        { "HTTPS://Example.ORG:8443/a?b=c&d", "Example.ORG" },
        { "http://127.0.0.1:8080/x", "127.0.0.1" },
        { "http://[2001:db8::1]:80/x", "2001:db8::1" },
        { "http://[::ffff:1.2.3.4]/", "::ffff:1.2.3.4" },
        { "http://a-b.c-d.example/%20", "a-b.c-d.example" },
        { "http://xn--nxasmq6b.example/", "xn--nxasmq6b.example" },
        { "ftp://example.org/", NULL }, { "example.org", NULL }, { "http://", NULL },
        { "http:///x", NULL }, { "http://:80/", NULL }, { "http://a:0/", NULL },
        { "http://a:65536/", NULL }, { "http://a:99999999/", NULL }, { "http://a:/", NULL },
        { "http://a:8x/", NULL }, { "http://u@a/", NULL }, { "http://u:p@a/", NULL },
        { "http://a/#f", NULL }, { "http://a/ b", NULL }, { "http://a/\x7f", NULL },
        { "http://a/\xc3\xa9", NULL }, { "http://-a/", NULL }, { "http://a-/", NULL },
        { "http://a..b/", NULL }, { "http://.a/", NULL }, { "http://a_b/", NULL },
        { "http://[::1/", NULL }, { "http://[]/", NULL }, { "http://[g::1]/", NULL },
        { "http://[::1]x/", NULL }, { "javascript:alert(1)", NULL },
        { "http://a\\b/", NULL },
    };
    char host[SCHED_HOOK_HOST_MAX + 1], *long_url;
    int i;

    for (i = 0; i < COUNT(cases); i++) {
        const char *why = sched_hook_url_check(cases[i].url, host, sizeof(host));
        if (cases[i].host) {
            ok(why == NULL, "url %s accepted", cases[i].url);
            is_str(host, cases[i].host, apr_psprintf(pool, "url %s: host", cases[i].url));
        }
        else {
            ok(why != NULL, "url %s refused: %s", cases[i].url, why ? why : "-");
        }
    }
    long_url = apr_pstrcat(pool, "https://example.org/", apr_pstrndup(pool,
        memset(apr_palloc(pool, 2100), 'x', 2100), 2100), NULL);
    ok(sched_hook_url_check(long_url, host, sizeof(host)) != NULL, "a URL over 2048 bytes");
    ok(sched_hook_url_check("http://example.org/", host, 5) != NULL,
       "a host longer than the buffer");
}

static void test_types(void)
{
    static const char *const good[] = {
        "*", "user.created", "client.updated", "provider.deleted", "slot.created",
        "reservation.created", "reservation.confirmed", "reservation.cancelled",
        "reservation.rescheduled", "schedule.updated", "schedule_override.deleted",
        "time_off.created",
    };
    static const char *const bad[] = {
        "", "**", "user", "user.", ".created", "user.confirmed", "slot.cancelled",
        "reservations.created", "Reservation.created", "reservation.created ",
        "reservation.*", "webhook.created",
    };
    int i;
    for (i = 0; i < COUNT(good); i++) {
        ok(sched_hook_type_ok(good[i]), "type %s", good[i]);
    }
    for (i = 0; i < COUNT(bad); i++) {
        ok(!sched_hook_type_ok(bad[i]), "not a type: \"%s\"", bad[i]);
    }
}

/* The example of the Standard Webhooks specification (its libraries' tests). */
static void test_signature(void)
{
    unsigned char key[64];
    const char *secret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const char *body = "{\"test\": 2432232314}";
    int n = EVP_DecodeBlock(key, (const unsigned char *)secret, (int)strlen(secret));

    is_int(n, 24, "the example's key: 24 bytes");
    is_str(sched_hook_signature(pool, key, 24, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                body, strlen(body)),
           "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "the specification's signature");
    ok(strcmp(sched_hook_signature(pool, key, 24, "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                   "1614265331", body, strlen(body)),
              "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != 0,
       "another timestamp, another signature");
    is_str(sched_hook_signature(pool, key, 24, "1", "2", "a\0b", 3),
           sched_hook_signature(pool, key, 24, "1", "2", "a\0b", 3), "bodies with NUL: by length");
}

static void test_delays(void)
{
    static const apr_int64_t d[] = { 5, 300, 1800 };
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 1, 0, 1.0), 5, "after the first: 5 s");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 3, 0, 1.0), 1800, "after the third");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 4, 0, 1.0), -1, "then none");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 0, 0, 1.0), -1, "attempt 0: none");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 2, 0, 0.8), 240, "jitter 0.8");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 2, 0, 1.2), 360, "jitter 1.2");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 1, 60, 1.0), 60,
           "Retry-After longer than the delay: Retry-After");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 2, 60, 1.0), 300,
           "Retry-After shorter: the delay");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 1, 999999999, 1.0), 86400,
           "Retry-After: a day at most");
    is_int((apr_int64_t)sched_hook_next_delay(d, 3, 4, 60, 1.0), -1,
           "Retry-After after the last: none");
}

static void test_arrays(void)
{
    const char *e[] = { "a", NULL, "b\"c", "d\\e", "", "x,y}" };
    is_str(sched_hook_pg_array(pool, e, 6), "{\"a\",NULL,\"b\\\"c\",\"d\\\\e\",\"\",\"x,y}\"}",
           "quoted, escaped, NULL");
    is_str(sched_hook_pg_array(pool, e, 0), "{}", "empty");
}

static void test_hex(void)
{
    unsigned char in[] = { 0x00, 0x7f, 0xab, 0xff }, out[8];
    is_int(sched_hook_unhex("007FABff", out, sizeof(out)), 4, "unhex: 4 bytes");
    ok(memcmp(in, out, 4) == 0, "unhex: the bytes");
    is_int(sched_hook_unhex("abc", out, sizeof(out)), -1, "odd length");
    is_int(sched_hook_unhex("zz", out, sizeof(out)), -1, "not hex");
    is_int(sched_hook_unhex("000000000000000000", out, sizeof(out)), -1, "too long");
}

static void test_allow(void)
{
    static const struct {
        const char *addr;
        int is_public;
    } addrs[] = {
        { "8.8.8.8", 1 }, { "1.1.1.1", 1 }, { "93.184.216.34", 1 }, { "2606:4700::1111", 1 },
        { "127.0.0.1", 0 }, { "127.255.0.1", 0 }, { "10.0.0.1", 0 }, { "172.16.0.1", 0 },
        { "172.31.255.255", 0 }, { "172.32.0.1", 1 }, { "192.168.1.1", 0 },
        { "169.254.169.254", 0 }, { "100.64.0.1", 0 }, { "100.128.0.1", 1 }, { "0.0.0.0", 0 },
        { "224.0.0.1", 0 }, { "255.255.255.255", 0 }, { "198.18.0.1", 0 },
        { "192.0.2.1", 0 }, { "::1", 0 }, { "::", 0 }, { "fe80::1", 0 }, { "fc00::1", 0 },
        { "fd12::1", 0 }, { "ff02::1", 0 }, { "::ffff:10.0.0.1", 0 },
        { "::ffff:127.0.0.1", 0 }, { "::ffff:8.8.8.8", 1 }, { "64:ff9b::a00:1", 0 },
        { "2001:db8::1", 0 }, { "2002:a00:1::", 0 },
    };
    sched_netallow_t allow, loop;
    int i;

    sched_netallow_default(&allow);
    for (i = 0; i < COUNT(addrs); i++) {
        is_int(sched_netallow_check_text(&allow, addrs[i].addr), addrs[i].is_public,
               apr_psprintf(pool, "public only: %s", addrs[i].addr));
    }
    ok(!sched_netallow_check_text(&allow, "not an address"), "not an address");

    memset(&loop, 0, sizeof(loop));
    ok(sched_netallow_add(&loop, "127.0.0.0/8") == NULL, "127.0.0.0/8");
    ok(sched_netallow_add(&loop, "fd00::/8") == NULL, "fd00::/8");
    ok(sched_netallow_check_text(&loop, "127.0.0.1"), "loopback allowed");
    ok(sched_netallow_check_text(&loop, "::ffff:127.0.0.2"), "mapped loopback allowed");
    ok(sched_netallow_check_text(&loop, "fd12::1"), "fd00::/8 allowed");
    ok(!sched_netallow_check_text(&loop, "8.8.8.8"), "without public: a public address refused");
    ok(!sched_netallow_check_text(&loop, "10.0.0.1"), "another private one refused");
    ok(sched_netallow_add(&loop, "public") == NULL, "public");
    ok(sched_netallow_check_text(&loop, "8.8.8.8"), "with public: allowed");
    ok(sched_netallow_add(&loop, "10.1.2.3") == NULL, "an address alone");
    ok(sched_netallow_check_text(&loop, "10.1.2.3") && !sched_netallow_check_text(&loop, "10.1.2.4"),
       "a block of one");
    ok(sched_netallow_add(&loop, "0.0.0.0/0") == NULL, "0.0.0.0/0");

    static const char *const refused[] = {
        "", "/8", "127.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
        "10.0.0.0/08", "10.0.0.0/-1", "localhost", "10.0.0", "10.0.0.0/8/8", "publics",
    };
    for (i = 0; i < COUNT(refused); i++) {
        ok(sched_netallow_add(&loop, refused[i]) != NULL, "refused: \"%s\"", refused[i]);
    }
    memset(&loop, 0, sizeof(loop));
    for (i = 0; i < SCHED_NETALLOW_MAX; i++) {
        sched_netallow_add(&loop, "10.0.0.0/8");
    }
    ok(sched_netallow_add(&loop, "10.0.0.0/8") != NULL, "at most 32 blocks");
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_urls();
    test_types();
    test_signature();
    test_delays();
    test_arrays();
    test_hex();
    test_allow();

    done_testing();
    return exit_status();
}
