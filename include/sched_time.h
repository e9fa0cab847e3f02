/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* RFC 3339 times and calendar dates: parsing and formatting.
 * Pure: no httpd header, so unit tests link it with APR alone. */
#ifndef SCHED_TIME_H
#define SCHED_TIME_H

#include <apr_pools.h>

/* A parsed RFC 3339 date-time. */
typedef struct sched_time_t {
    int year, month, day;       /* 0001-9999, 1-12, 1-31 (checked against the month) */
    int hour, minute, second;   /* 0-23, 0-59, 0-59 (no leap second) */
    int usec;                   /* fraction, truncated to microseconds */
    int has_offset;             /* 1: 'Z' or +-hh:mm was given */
    int offset_minutes;         /* east of UTC, -1080..1080; 0 when !has_offset */
    apr_int64_t epoch_usec;     /* UTC microseconds since 1970 (only if has_offset) */
} sched_time_t;

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)"; 'T' may be 't' or ' ', 'Z'
 * may be 'z'. With allow_naive, the offset may be missing (has_offset = 0). A time
 * with an offset is in years 0001 to 9999 in UTC too, so that it formats back.
 * Returns NULL on success, else a reason fit for a client ("not a valid date"). */
const char *sched_time_parse_rfc3339(const char *s, int allow_naive, sched_time_t *out);

/* Parses a calendar date "YYYY-MM-DD". Returns NULL or a reason. */
const char *sched_time_parse_date(const char *s, int *year, int *month, int *day);

/* Room for any time sched_time_format_utc_buf writes, with its NUL. */
#define SCHED_TIME_FORMAT_MAX 48

/* Formats epoch microseconds as UTC RFC 3339: "2026-12-01T08:00:00Z"; a non-zero
 * fraction is written with trailing zeros trimmed ("…T08:00:00.25Z"), as PostgreSQL's
 * to_json writes a timestamp. Years outside 0000-9999 are written as ISO 8601's
 * expanded years ("10000-01-01T…", "-0043-03-15T…" for 44 BC), which RFC 3339
 * cannot express. Writes into out (SCHED_TIME_FORMAT_MAX bytes), NUL-terminated;
 * returns the length. */
apr_size_t sched_time_format_utc_buf(char *out, apr_int64_t epoch_usec);

/* The same, in p. */
char *sched_time_format_utc(apr_pool_t *p, apr_int64_t epoch_usec);

/* Formats a calendar date, days since 1970-01-01, as "YYYY-MM-DD" into out
 * (SCHED_TIME_FORMAT_MAX bytes); returns the length. */
apr_size_t sched_time_format_date_buf(char *out, apr_int64_t days);

/* Formats a parsed time without its offset ("2026-12-01T08:00:00.25"), for a
 * time that PostgreSQL is to read in a named zone. */
char *sched_time_format_naive(apr_pool_t *p, const sched_time_t *t);

/* Days from 1970-01-01 to the given proleptic Gregorian date (negative before). */
apr_int64_t sched_time_days_from_civil(int year, int month, int day);

/* The slot grid of a window [start, end) for slots of len microseconds: grid points
 * are counted from midnight UTC of the day start falls on. Sets *first to the first
 * grid point at or after start and returns how many whole slots fit before end (0
 * when none does). */
apr_int64_t sched_time_grid(apr_int64_t start, apr_int64_t end, apr_int64_t len,
                            apr_int64_t *first);

#endif
