/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* A growing text buffer in a pool: see sched_buf.h. */
#include <string.h>

#include "sched_buf.h"

void sched_buf_init(sched_buf_t *b, apr_pool_t *p, apr_size_t cap)
{
    b->pool = p;
    b->cap = cap < 64 ? 64 : cap;
    b->buf = apr_palloc(p, b->cap);
    b->len = 0;
}

char *sched_buf_room(sched_buf_t *b, apr_size_t n)
{
    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = b->cap * 2;
        char *bigger;
        while (b->len + n + 1 > cap) {
            cap *= 2;
        }
        bigger = apr_palloc(b->pool, cap);
        memcpy(bigger, b->buf, b->len);
        b->buf = bigger;
        b->cap = cap;
    }
    return b->buf + b->len;
}

void sched_buf_put(sched_buf_t *b, const char *s, apr_size_t n)
{
    memcpy(sched_buf_room(b, n), s, n);
    b->len += n;
}

const char *sched_buf_text(sched_buf_t *b, apr_size_t *len)
{
    *sched_buf_room(b, 0) = '\0';
    if (len) {
        *len = b->len;
    }
    return b->buf;
}
