/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* RFC 3339 date-times (request bodies, ?from= and ?to=) and calendar dates (?date=):
 * sched_time_parse_rfc3339, with and without naive times allowed, and
 * sched_time_parse_date. Input: the text.
 *
 * Properties: every field of a parsed time is in range and the date is real; a time
 * with an offset formats as UTC (sched_time_format_utc) and reparses to the same
 * instant, and that text is canonical (formats to itself); epoch_usec is the date,
 * clock and offset added up; a naive time formats (sched_time_format_naive) and
 * reparses to the same fields; allowing naive times changes only the answer to a
 * time without offset; a date is exactly "YYYY-MM-DD" as printed back. */
#include "fuzz.h"
#include "sched_time.h"

#define USEC APR_INT64_C(1000000)

static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static void check_fields(const char *s, const sched_time_t *t)
{
    FUZZ_CHECK(t->year >= 1 && t->year <= 9999 && t->month >= 1 && t->month <= 12
               && t->day >= 1 && t->day <= days_in_month(t->year, t->month),
               "\"%s\": date %d-%d-%d", s, t->year, t->month, t->day);
    FUZZ_CHECK(t->hour >= 0 && t->hour <= 23 && t->minute >= 0 && t->minute <= 59
               && t->second >= 0 && t->second <= 59 && t->usec >= 0 && t->usec < USEC,
               "\"%s\": clock %d:%d:%d.%d", s, t->hour, t->minute, t->second, t->usec);
    FUZZ_CHECK(t->offset_minutes >= -1080 && t->offset_minutes <= 1080
               && (t->has_offset || t->offset_minutes == 0),
               "\"%s\": offset %d", s, t->offset_minutes);
}

/* The instant of t (which has an offset), added up here independently. */
static apr_int64_t instant_of(const sched_time_t *t)
{
    apr_int64_t secs = sched_time_days_from_civil(t->year, t->month, t->day) * 86400
                       + t->hour * 3600 + t->minute * 60 + t->second
                       - (apr_int64_t)t->offset_minutes * 60;
    return secs * USEC + t->usec;
}

static int same_time(const sched_time_t *a, const sched_time_t *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day
           && a->hour == b->hour && a->minute == b->minute && a->second == b->second
           && a->usec == b->usec && a->has_offset == b->has_offset
           && a->offset_minutes == b->offset_minutes
           && (!a->has_offset || a->epoch_usec == b->epoch_usec);
}

static void check_utc_round_trip(const char *s, const sched_time_t *t)
{
    sched_time_t u;
    const char *text = sched_time_format_utc(fuzz_pool, t->epoch_usec);
    const char *err = sched_time_parse_rfc3339(text, 0, &u);

    FUZZ_CHECK(t->epoch_usec == instant_of(t), "\"%s\": epoch %" APR_INT64_T_FMT, s,
               t->epoch_usec);
    FUZZ_CHECK(err == NULL, "\"%s\" formats as \"%s\", which does not parse: %s", s, text,
               err);
    FUZZ_CHECK(u.epoch_usec == t->epoch_usec && u.has_offset && u.offset_minutes == 0,
               "\"%s\" -> \"%s\" -> %" APR_INT64_T_FMT, s, text, u.epoch_usec);
    FUZZ_CHECK(strcmp(sched_time_format_utc(fuzz_pool, u.epoch_usec), text) == 0,
               "\"%s\" is not canonical", text);
}

static void check_naive_round_trip(const char *s, const sched_time_t *t)
{
    sched_time_t u;
    const char *text = sched_time_format_naive(fuzz_pool, t);
    const char *err = sched_time_parse_rfc3339(text, 1, &u);

    FUZZ_CHECK(err == NULL && !u.has_offset, "\"%s\" formats as \"%s\": %s", s, text,
               err ? err : "an offset");
    FUZZ_CHECK(same_time(&u, t), "\"%s\" -> \"%s\": other fields", s, text);
}

static void check_rfc3339(const char *s)
{
    sched_time_t strict, lax;
    int y, m, d;
    const char *err = sched_time_parse_rfc3339(s, 0, &strict);
    const char *lax_err = sched_time_parse_rfc3339(s, 1, &lax);

    if (err == NULL) {
        FUZZ_CHECK(strict.has_offset, "\"%s\": no offset, yet accepted", s);
        FUZZ_CHECK(lax_err == NULL && same_time(&lax, &strict),
                   "\"%s\": allowing naive times changes an offset time", s);
        check_fields(s, &strict);
        check_utc_round_trip(s, &strict);
    }
    else {
        FUZZ_CHECK(*err != '\0', "\"%s\": an empty reason", s);
        FUZZ_CHECK(lax_err == NULL ? !lax.has_offset : strcmp(lax_err, err) == 0,
                   "\"%s\": \"%s\" strict, \"%s\" lax", s, err, lax_err);
    }
    if (lax_err == NULL) {
        check_fields(s, &lax);
        if (!lax.has_offset) {
            check_naive_round_trip(s, &lax);
        }
        FUZZ_CHECK(sched_time_parse_date(apr_pstrmemdup(fuzz_pool, s, 10), &y, &m, &d)
                   == NULL && y == lax.year && m == lax.month && d == lax.day,
                   "\"%s\": its first 10 characters are not its date", s);
    }
}

static void check_date(const char *s)
{
    int y = -1, m = -1, d = -1;
    const char *err = sched_time_parse_date(s, &y, &m, &d);
    sched_time_t t;

    if (err != NULL) {
        FUZZ_CHECK(*err != '\0' && y == -1 && m == -1 && d == -1,
                   "\"%s\": refused, yet set", s);
        return;
    }
    FUZZ_CHECK(strcmp(apr_psprintf(fuzz_pool, "%04d-%02d-%02d", y, m, d), s) == 0,
               "\"%s\" read as %d-%d-%d", s, y, m, d);
    FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m) && y >= 1,
               "\"%s\": no such date", s);
    FUZZ_CHECK(sched_time_parse_rfc3339(apr_pstrcat(fuzz_pool, s, "T00:00:00Z", NULL), 0,
                                        &t) == NULL, "\"%s\" at midnight refused", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;

    if (fuzz_has_nul(data, size)) {
        return 0;
    }
    s = fuzz_text(data, size);
    check_rfc3339(s);
    check_date(s);
    apr_pool_clear(fuzz_pool);
    return 0;
}
