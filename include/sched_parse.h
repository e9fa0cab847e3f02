/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Parsers for configuration values, path ids, query parameters and headers.
 * Pure: no httpd header. Each returns NULL on success, else a reason fit to be shown
 * after the name of the directive or parameter. */
#ifndef SCHED_PARSE_H
#define SCHED_PARSE_H

#include <apr.h>

/* "90s", "15m", "24h", "7d": a whole number (no sign) and exactly one suffix s, m, h, d.
 * Rejects a bare number, a bare suffix, junk, overflow, and values outside
 * [min_seconds, max_seconds]. */
const char *sched_parse_duration(const char *arg, apr_int64_t min_seconds,
                                 apr_int64_t max_seconds, apr_int64_t *seconds);

/* "65536", "64k", "1m" (k = 1024, m = 1024*1024; upper case too), within [min, max]. */
const char *sched_parse_size(const char *arg, apr_int64_t min, apr_int64_t max,
                             apr_int64_t *bytes);

/* A whole decimal number without sign or leading zeros, within [min, max]. */
const char *sched_parse_int(const char *arg, apr_int64_t min, apr_int64_t max,
                            apr_int64_t *value);

/* An id: [1-9][0-9]{0,18} that fits in int64. Returns 1 and sets *id, else 0. */
int sched_parse_id(const char *s, apr_int64_t *id);

/* The same for the first len bytes of s. */
int sched_parse_id_n(const char *s, apr_size_t len, apr_int64_t *id);

/* The paging cursor of a list ordered by time, then id: "<epoch microseconds>_<id>",
 * the time a decimal int64 with an optional '-' (no '+', no space), the id as
 * sched_parse_id reads it. Returns 1 and sets *usec and *id, else 0. */
int sched_parse_time_cursor(const char *s, apr_int64_t *usec, apr_int64_t *id);

/* The paging cursor of a list ordered by id: the last id of the page before.
 * Returns 1 and sets *id, else 0. */
int sched_parse_id_cursor(const char *s, apr_int64_t *id);

/* The If-Match header of a write, as the statement parameter that the conditional
 * statements compare their ETag with (sql/008): NULL when there is none or it is
 * "*" (any current representation: the object must exist, which the statement
 * checks anyway); else a text[] literal of its strong entity-tags without their
 * quotes, "{12,7-pending}". Weak tags never match (strong comparison, RFC 9110
 * 13.1.1), nor can a tag with a character no ETag of this module has, so both are
 * left out; a header with none left is "{}", which matches nothing. In p. */
const char *sched_parse_if_match(apr_pool_t *p, const char *header);

/* An Idempotency-Key header value: 1 to SCHED_IDEMPOTENCY_KEY_MAX visible ASCII
 * characters (0x21-0x7e).
 * Returns NULL, or the reason to answer 400 with (NULL s included). */
const char *sched_parse_idempotency_key(const char *s);

/* The file of a calendar feed's URL: "<token>.ics", the token being
 * SCHED_FEED_TOKEN_PREFIX and 43 base64url characters (A-Z a-z 0-9 - _). Returns 1
 * when it has that shape, else 0. */
int sched_parse_feed_file(const char *file);

/* An IANA zone name as found in the system zone database ("UTC", "Europe/Paris"):
 * letters, digits, '_', '-', '+', '/' ; no "..", no leading '/'; at most 64 chars.
 * Only the shape is checked here. */
const char *sched_parse_zone_name(const char *arg);

#endif
