/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* A growing text buffer in a pool: the JSON writer (sched_jsonw) and the iCalendar
 * writer (sched_ical) append to one. It doubles when full; what it held before stays
 * in the pool until the pool goes.
 * Pure: APR only. */
#ifndef SCHED_BUF_H
#define SCHED_BUF_H

#include <apr_pools.h>

typedef struct sched_buf_t {
    apr_pool_t *pool;
    char *buf;
    apr_size_t len, cap;
} sched_buf_t;

/* An empty buffer with room for cap bytes to begin with. */
void sched_buf_init(sched_buf_t *b, apr_pool_t *p, apr_size_t cap);

/* Where the next n bytes go: room for them and a NUL. The caller writes them there
 * and adds what it wrote to len. */
char *sched_buf_room(sched_buf_t *b, apr_size_t n);

/* Appends the n bytes of s. */
void sched_buf_put(sched_buf_t *b, const char *s, apr_size_t n);

/* The text so far, NUL-terminated, and its length (len may be NULL). */
const char *sched_buf_text(sched_buf_t *b, apr_size_t *len);

#endif
