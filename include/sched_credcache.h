/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* A cache of verified passwords, for the "sched" authentication provider: Basic
 * auth sends the password with every request, and checking it against its bcrypt
 * hash costs tens of milliseconds of CPU on purpose. A password that matched a
 * stored hash is remembered as matching that very hash for a while, so the next
 * requests with it skip bcrypt; a changed hash (a new password) matches nothing
 * remembered.
 *
 * Nothing secret is kept: an entry is a keyed SHA-1 digest of (user name, password,
 * stored hash) under a random key that never leaves the process, and the time it
 * was verified. The table has a fixed number of entries (a power of two); a new
 * entry replaces whatever shared its place. Safe between the threads of a process.
 * Pure: APR only. */
#ifndef SCHED_CREDCACHE_H
#define SCHED_CREDCACHE_H

#include <apr_pools.h>
#include <apr_time.h>
#include <apr_sha1.h>

#define SCHED_CREDCACHE_KEY APR_SHA1_DIGESTSIZE

typedef struct sched_credcache_t sched_credcache_t;

/* A cache of entries slots (rounded up to a power of two) with a fresh random key,
 * living as long as p. */
apr_status_t sched_credcache_create(apr_pool_t *p, apr_size_t entries,
                                    sched_credcache_t **cache);

/* The cache key of password checked against hash, the stored hash of user. */
void sched_credcache_key(const sched_credcache_t *cache, const char *user,
                         const char *password, const char *hash,
                         unsigned char key[SCHED_CREDCACHE_KEY]);

/* 1 when key was verified at not_before or later. */
int sched_credcache_hit(sched_credcache_t *cache, const unsigned char *key,
                        apr_time_t not_before);

/* Remembers key as verified at when. */
void sched_credcache_put(sched_credcache_t *cache, const unsigned char *key,
                         apr_time_t when);

#endif
