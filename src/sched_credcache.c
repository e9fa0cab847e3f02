/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The verified-credential cache (see sched_credcache.h). */
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include "sched_credcache.h"

#define SCHED_CREDCACHE_SECRET 32

typedef struct sched_credcache_entry_t {
    unsigned char key[SCHED_CREDCACHE_KEY];
    apr_time_t verified;                    /* 0: empty */
} sched_credcache_entry_t;

struct sched_credcache_t {
    unsigned char secret[SCHED_CREDCACHE_SECRET];
    apr_size_t mask;                        /* entries - 1 */
    sched_credcache_entry_t *entries;
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
};

apr_status_t sched_credcache_create(apr_pool_t *p, apr_size_t entries,
                                    sched_credcache_t **cache)
{
    sched_credcache_t *c = apr_pcalloc(p, sizeof(*c));
    apr_size_t n = 1;
    apr_status_t rv;

    while (n < entries) {
        n <<= 1;
    }
    c->mask = n - 1;
    c->entries = apr_pcalloc(p, n * sizeof(*c->entries));
    rv = apr_generate_random_bytes(c->secret, sizeof(c->secret));
#if APR_HAS_THREADS
    if (rv == APR_SUCCESS) {
        rv = apr_thread_mutex_create(&c->mutex, APR_THREAD_MUTEX_DEFAULT, p);
    }
#endif
    *cache = rv == APR_SUCCESS ? c : NULL;
    return rv;
}

/* Each string with its NUL: ("ab", "c") and ("a", "bc") differ. */
static void sched_credcache_add(apr_sha1_ctx_t *ctx, const char *s)
{
    apr_sha1_update_binary(ctx, (const unsigned char *)s, (unsigned int)strlen(s) + 1);
}

void sched_credcache_key(const sched_credcache_t *cache, const char *user,
                         const char *password, const char *hash,
                         unsigned char key[SCHED_CREDCACHE_KEY])
{
    apr_sha1_ctx_t ctx;
    apr_sha1_init(&ctx);
    apr_sha1_update_binary(&ctx, cache->secret, sizeof(cache->secret));
    sched_credcache_add(&ctx, user);
    sched_credcache_add(&ctx, password);
    sched_credcache_add(&ctx, hash);
    apr_sha1_final(key, &ctx);
}

static sched_credcache_entry_t *sched_credcache_slot(sched_credcache_t *cache,
                                                     const unsigned char *key)
{
    apr_size_t at = (apr_size_t)key[0] | (apr_size_t)key[1] << 8
                    | (apr_size_t)key[2] << 16 | (apr_size_t)key[3] << 24;
    return &cache->entries[at & cache->mask];
}

static void sched_credcache_lock(sched_credcache_t *cache)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(cache->mutex);
#else
    (void)cache;
#endif
}

static void sched_credcache_unlock(sched_credcache_t *cache)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(cache->mutex);
#else
    (void)cache;
#endif
}

int sched_credcache_hit(sched_credcache_t *cache, const unsigned char *key,
                        apr_time_t not_before)
{
    sched_credcache_entry_t *e = sched_credcache_slot(cache, key);
    int hit;
    sched_credcache_lock(cache);
    hit = e->verified != 0 && e->verified >= not_before
          && memcmp(e->key, key, SCHED_CREDCACHE_KEY) == 0;
    sched_credcache_unlock(cache);
    return hit;
}

void sched_credcache_put(sched_credcache_t *cache, const unsigned char *key,
                         apr_time_t when)
{
    sched_credcache_entry_t *e = sched_credcache_slot(cache, key);
    sched_credcache_lock(cache);
    memcpy(e->key, key, SCHED_CREDCACHE_KEY);
    e->verified = when;
    sched_credcache_unlock(cache);
}
