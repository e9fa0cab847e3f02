/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_credcache.c (verified credentials) and sched_crypt.c
 * (password hashes). */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_credcache.h"
#include "sched_crypt.h"
#include "tap.h"

static apr_pool_t *pool;

static sched_credcache_t *new_cache(apr_size_t entries)
{
    sched_credcache_t *c = NULL;
    apr_status_t rv = sched_credcache_create(pool, entries, &c);
    if (rv != APR_SUCCESS || c == NULL) {
        diag("sched_credcache_create failed: %d", rv);
        exit(2);
    }
    return c;
}

#define HASH1 "$2y$10$7NndsrFQD9g5aEGMLcpXK.GZeSZhgTaiVX4tK2oUmQFCqHAwI2Uj6"
#define HASH2 "$2y$10$PjcGaKx7D4Z6QzEnUBN8quZc4YjY3Q1Hh0lOa5tAmC8xVCc9cGxYa"

static void key_of(sched_credcache_t *c, const char *hash, const char *user,
                   const char *pw, unsigned char *key)
{
    sched_credcache_key(c, user, pw, hash, key);
}

static void test_keys(void)
{
    sched_credcache_t *a = new_cache(16), *b = new_cache(16);
    unsigned char k1[SCHED_CREDCACHE_KEY], k2[SCHED_CREDCACHE_KEY];

    key_of(a, HASH1, "alice", "secret", k1);
    key_of(a, HASH1, "alice", "secret", k2);
    ok(memcmp(k1, k2, sizeof(k1)) == 0, "the same credential gives the same key");
    key_of(a, HASH1, "alice", "secreT", k2);
    ok(memcmp(k1, k2, sizeof(k1)) != 0, "another password, another key");
    key_of(a, HASH1, "alicE", "secret", k2);
    ok(memcmp(k1, k2, sizeof(k1)) != 0, "another user, another key");
    key_of(a, HASH2, "alice", "secret", k2);
    ok(memcmp(k1, k2, sizeof(k1)) != 0, "another stored hash (a changed password), another key");
    key_of(a, HASH1, "alices", "ecret", k2);
    ok(memcmp(k1, k2, sizeof(k1)) != 0, "the user/password boundary counts");
    key_of(b, HASH1, "alice", "secret", k2);
    ok(memcmp(k1, k2, sizeof(k1)) != 0, "another cache (its own random key), another key");
}

static void test_hits(void)
{
    sched_credcache_t *c = new_cache(64);
    unsigned char k[SCHED_CREDCACHE_KEY], other[SCHED_CREDCACHE_KEY];
    apr_time_t t = apr_time_from_sec(1000000);

    key_of(c, HASH1, "bob", "pw", k);
    key_of(c, HASH1, "bob", "wrong", other);
    ok(!sched_credcache_hit(c, k, 0), "an empty cache has nothing");
    sched_credcache_put(c, k, t);
    ok(sched_credcache_hit(c, k, t - apr_time_from_sec(60)), "put, then found");
    ok(sched_credcache_hit(c, k, t), "found when verified exactly at the limit");
    ok(!sched_credcache_hit(c, k, t + 1), "not found once older than the limit");
    ok(!sched_credcache_hit(c, other, 0), "a wrong password is not found");
    sched_credcache_put(c, k, t + apr_time_from_sec(10));
    ok(sched_credcache_hit(c, k, t + apr_time_from_sec(5)), "put again: time renewed");
}

/* A table of one entry: every key shares it, the newest wins. */
static void test_replacement(void)
{
    sched_credcache_t *c = new_cache(1);
    unsigned char k1[SCHED_CREDCACHE_KEY], k2[SCHED_CREDCACHE_KEY];
    apr_time_t t = apr_time_from_sec(5000);

    key_of(c, HASH1, "carol", "one", k1);
    key_of(c, HASH1, "dave", "two", k2);
    sched_credcache_put(c, k1, t);
    sched_credcache_put(c, k2, t);
    ok(!sched_credcache_hit(c, k1, 0), "a replaced entry is gone");
    ok(sched_credcache_hit(c, k2, 0), "its replacement is there");
}

/* Many keys in a table of 4096: most survive (they spread over the table). */
static void test_spread(void)
{
    sched_credcache_t *c = new_cache(4096);
    unsigned char k[SCHED_CREDCACHE_KEY];
    int i, found = 0;

    for (i = 0; i < 256; i++) {
        key_of(c, HASH1, apr_psprintf(pool, "user%d", i), "pw", k);
        sched_credcache_put(c, k, apr_time_from_sec(1));
    }
    for (i = 0; i < 256; i++) {
        key_of(c, HASH1, apr_psprintf(pool, "user%d", i), "pw", k);
        found += sched_credcache_hit(c, k, 0);
    }
    ok(found >= 200, "256 keys in 4096 entries: %d of them still there", found);
}

static void test_crypt(void)
{
    char *hash = NULL;
    ok(sched_crypt_hash(pool, "correct horse", &hash) == APR_SUCCESS && hash != NULL,
       "a password hashes");
    ok(hash && strncmp(hash, "$2y$", 4) == 0, "as bcrypt");
    ok(hash && sched_crypt_check("correct horse", hash) == APR_SUCCESS,
       "the password matches its hash");
    ok(hash && sched_crypt_check("correct horsE", hash) != APR_SUCCESS,
       "another password does not");
    ok(sched_crypt_check("correct horse", NULL) != APR_SUCCESS,
       "no hash (no such user): no match");
    ok(sched_crypt_check("", NULL) != APR_SUCCESS, "not even the empty password");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_keys();
    test_hits();
    test_replacement();
    test_spread();
    test_crypt();
    done_testing();
    apr_pool_destroy(pool);
    apr_terminate();
    return exit_status();
}
