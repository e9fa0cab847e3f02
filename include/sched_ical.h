/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* An iCalendar (RFC 5545) writer for the calendar feeds: content lines appended to a
 * growing buffer in a pool, each ended by CRLF and folded so that no line is longer
 * than 75 octets (the line break not counted), never inside a UTF-8 sequence nor
 * inside an escape; TEXT values escaped as RFC 5545 3.3.11 says.
 * Pure: APR only. */
#ifndef SCHED_ICAL_H
#define SCHED_ICAL_H

#include <apr_pools.h>

#include "sched_buf.h"

/* The longest line, in octets, without its CRLF (RFC 5545 3.1). */
#define SCHED_ICAL_LINE_MAX 75

typedef struct sched_ical_t {
    sched_buf_t out;
    apr_size_t col;             /* octets on the current physical line */
} sched_ical_t;

/* An empty calendar text with room for cap bytes to begin with. */
void sched_ical_init(sched_ical_t *w, apr_pool_t *p, apr_size_t cap);

/* A content line "name:value"; value is already in its type's syntax (a number, a
 * date-time, "CONFIRMED"...) and is written as it is, folded. name may hold
 * parameters ("REFRESH-INTERVAL;VALUE=DURATION"); both are the module's own ASCII. */
void sched_ical_line(sched_ical_t *w, const char *name, const char *value);

/* A content line whose value is TEXT: the len bytes of s escaped (backslash,
 * semicolon, comma, newline), folded. Characters TEXT cannot hold are replaced: an
 * invalid UTF-8 sequence by U+FFFD, a control character other than tab by nothing
 * (a CR LF pair, or a lone CR, is a newline). */
void sched_ical_text(sched_ical_t *w, const char *name, const char *s, apr_size_t len);

/* A content line whose value is a DATE-TIME in UTC ("20261201T080000Z") of epoch
 * microseconds, rounded down to the second; years 0001 to 9999. */
void sched_ical_time(sched_ical_t *w, const char *name, apr_int64_t usec);

/* A content line whose value is an INTEGER. */
void sched_ical_int(sched_ical_t *w, const char *name, apr_int64_t v);

/* The text so far (NUL-terminated, in the pool) and its length. */
const char *sched_ical_done(sched_ical_t *w, apr_size_t *len);

/* How TEXT writes the character at s (len bytes left, len >= 1): the escaped or
 * replaced octets go to out (at most 4) and *used says how many input bytes they
 * stand for. Returns how many octets went to out (0: the character is dropped). */
apr_size_t sched_ical_text_unit(const char *s, apr_size_t len, char out[4],
                                apr_size_t *used);

#endif
