/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* A JSON writer for answers: objects and arrays appended to a growing buffer in a
 * pool, strings escaped as RFC 8259 says, times as RFC 3339 UTC. The module builds
 * every answer with it from typed columns; the database sends rows, not text.
 * Commas are the writer's business: members and elements are separated as they
 * come. Keys are the module's own (plain ASCII, never escaped).
 * Pure: APR only. */
#ifndef SCHED_JSONW_H
#define SCHED_JSONW_H

#include <apr_pools.h>

#include "sched_buf.h"

#define SCHED_JSONW_DEPTH 8

typedef struct sched_jsonw_t {
    sched_buf_t out;
    int depth;
    int first[SCHED_JSONW_DEPTH];   /* nothing written yet at that depth */
} sched_jsonw_t;

/* An empty writer with room for cap bytes to begin with. */
void sched_jsonw_init(sched_jsonw_t *w, apr_pool_t *p, apr_size_t cap);

/* Opens '{' or '[', as a member named key (NULL: an element, or the top). */
void sched_jsonw_open(sched_jsonw_t *w, const char *key, char bracket);
/* Closes it with '}' or ']'. */
void sched_jsonw_close(sched_jsonw_t *w, char bracket);

/* Members (key != NULL) or elements (key NULL) of each kind. */
void sched_jsonw_int(sched_jsonw_t *w, const char *key, apr_int64_t v);
void sched_jsonw_bool(sched_jsonw_t *w, const char *key, int v);
void sched_jsonw_null(sched_jsonw_t *w, const char *key);
/* A string of len bytes (UTF-8 as PostgreSQL stores it), escaped. */
void sched_jsonw_str(sched_jsonw_t *w, const char *key, const char *s, apr_size_t len);
/* A time in epoch microseconds as RFC 3339 UTC (sched_time_format_utc_buf). */
void sched_jsonw_time(sched_jsonw_t *w, const char *key, apr_int64_t usec);
/* Text that is already JSON, as it is. */
void sched_jsonw_raw(sched_jsonw_t *w, const char *key, const char *json, apr_size_t len);

/* The text so far (NUL-terminated, in the pool) and its length. */
const char *sched_jsonw_text(sched_jsonw_t *w, apr_size_t *len);

#endif
