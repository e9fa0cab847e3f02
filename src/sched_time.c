/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* RFC 3339 times and calendar dates: parsing and formatting.
 * Calendar arithmetic after Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms" (days_from_civil, civil_from_days): proleptic Gregorian, any year. */
#include <string.h>
#include <apr_strings.h>

#include "sched_time.h"

#define SCHED_USEC_PER_SEC   APR_INT64_C(1000000)
#define SCHED_USEC_PER_DAY   (APR_INT64_C(86400) * SCHED_USEC_PER_SEC)
#define SCHED_MAX_OFFSET     (18 * 60)
/* The instants that format as RFC 3339 (a year of four digits, 0001 to 9999):
 * 0001-01-01T00:00:00Z, and 10000-01-01T00:00:00Z just after the last. */
#define SCHED_FIRST_USEC     (APR_INT64_C(-62135596800) * SCHED_USEC_PER_SEC)
#define SCHED_END_USEC       (APR_INT64_C(253402300800) * SCHED_USEC_PER_SEC)

static const char sched_time_bad_shape[] = "not an RFC 3339 date-time";
static const char sched_time_bad_date[] = "not a date (YYYY-MM-DD)";
static const char sched_time_no_offset[] = "offset required (Z or \xc2\xb1" "hh:mm)";

apr_int64_t sched_time_days_from_civil(int year, int month, int day)
{
    apr_int64_t y = (apr_int64_t)year - (month <= 2);
    apr_int64_t era = (y >= 0 ? y : y - 399) / 400;
    apr_int64_t yoe = y - era * 400;                                    /* [0, 399] */
    apr_int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    apr_int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The inverse of sched_time_days_from_civil. */
static void sched_time_civil_from_days(apr_int64_t z, apr_int64_t *year, int *month,
                                       int *day)
{
    apr_int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;                                            /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;        /* [0, 399] */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                      /* [0, 365] */
    mp = (5 * doy + 2) / 153;                                           /* [0, 11] */
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static int sched_time_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int sched_time_days_in_month(int year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return month == 2 && sched_time_is_leap(year) ? 29 : days[month - 1];
}

/* Reads exactly n ASCII digits at *s into *value and advances *s. Returns 0 if
 * any of them is not a digit. */
static int sched_time_digits(const char **s, int n, int *value)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9') {
            return 0;
        }
        v = v * 10 + (c - '0');
    }
    *s += n;
    *value = v;
    return 1;
}

/* Reads "YYYY-MM-DD" at *s and checks it is a real date. */
static const char *sched_time_read_date(const char **s, const char *bad_shape,
                                        int *year, int *month, int *day)
{
    const char *p = *s;
    if (!sched_time_digits(&p, 4, year) || *p++ != '-'
        || !sched_time_digits(&p, 2, month) || *p++ != '-'
        || !sched_time_digits(&p, 2, day)) {
        return bad_shape;
    }
    if (*year < 1) {
        return "year out of range";
    }
    if (*month < 1 || *month > 12) {
        return "month out of range";
    }
    if (*day < 1 || *day > sched_time_days_in_month(*year, *month)) {
        return "no such date";
    }
    *s = p;
    return NULL;
}

/* Reads "hh:mm:ss[.frac]" at *s. */
static const char *sched_time_read_clock(const char **s, sched_time_t *t)
{
    const char *p = *s;
    int n = 0;

    if (!sched_time_digits(&p, 2, &t->hour) || *p++ != ':'
        || !sched_time_digits(&p, 2, &t->minute) || *p++ != ':'
        || !sched_time_digits(&p, 2, &t->second)) {
        return sched_time_bad_shape;
    }
    if (t->hour > 23) {
        return "hour out of range";
    }
    if (t->minute > 59) {
        return "minute out of range";
    }
    if (t->second > 59) {
        return "second out of range";
    }
    t->usec = 0;
    if (*p == '.') {
        p++;
        while (p[n] >= '0' && p[n] <= '9') {
            if (n < 6) {
                t->usec = t->usec * 10 + (p[n] - '0');
            }
            n++;
        }
        if (n == 0 || n > 9) {
            return "the fraction of a second needs 1 to 9 digits";
        }
        for (; n < 6; n++) {
            t->usec *= 10;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    *s = p;
    return NULL;
}

/* Reads "Z", "+hh:mm" or "-hh:mm" at *s, or nothing. */
static const char *sched_time_read_offset(const char **s, int allow_naive,
                                          sched_time_t *t)
{
    const char *p = *s;
    int sign, hh, mm;

    t->has_offset = 0;
    t->offset_minutes = 0;
    if (*p == 'Z' || *p == 'z') {
        t->has_offset = 1;
        *s = p + 1;
        return NULL;
    }
    if (*p != '+' && *p != '-') {
        return *p == '\0' && !allow_naive ? sched_time_no_offset : NULL;
    }
    sign = *p++ == '-' ? -1 : 1;
    if (!sched_time_digits(&p, 2, &hh) || *p++ != ':'
        || !sched_time_digits(&p, 2, &mm)) {
        return sched_time_bad_shape;
    }
    if (mm > 59 || hh * 60 + mm > SCHED_MAX_OFFSET) {
        return "offset out of range";
    }
    t->has_offset = 1;
    t->offset_minutes = sign * (hh * 60 + mm);
    *s = p;
    return NULL;
}

const char *sched_time_parse_rfc3339(const char *s, int allow_naive, sched_time_t *out)
{
    sched_time_t t;
    const char *err;

    memset(&t, 0, sizeof(t));
    if (s == NULL) {
        return sched_time_bad_shape;
    }
    if ((err = sched_time_read_date(&s, sched_time_bad_shape,
                                    &t.year, &t.month, &t.day)) != NULL) {
        return err;
    }
    if (*s != 'T' && *s != 't' && *s != ' ') {
        return sched_time_bad_shape;
    }
    s++;
    if ((err = sched_time_read_clock(&s, &t)) != NULL
        || (err = sched_time_read_offset(&s, allow_naive, &t)) != NULL) {
        return err;
    }
    if (*s != '\0') {
        return sched_time_bad_shape;
    }
    if (t.has_offset) {
        apr_int64_t secs = sched_time_days_from_civil(t.year, t.month, t.day) * 86400
                           + t.hour * 3600 + t.minute * 60 + t.second
                           - (apr_int64_t)t.offset_minutes * 60;
        t.epoch_usec = secs * SCHED_USEC_PER_SEC + t.usec;
        if (t.epoch_usec < SCHED_FIRST_USEC || t.epoch_usec >= SCHED_END_USEC) {
            return "out of range in UTC (years 0001 to 9999)";
        }
    }
    *out = t;
    return NULL;
}

const char *sched_time_parse_date(const char *s, int *year, int *month, int *day)
{
    int y, m, d;
    const char *err;

    if (s == NULL) {
        return sched_time_bad_date;
    }
    if ((err = sched_time_read_date(&s, sched_time_bad_date, &y, &m, &d)) != NULL) {
        return err;
    }
    if (*s != '\0') {
        return sched_time_bad_date;
    }
    *year = y;
    *month = m;
    *day = d;
    return NULL;
}

/* Writes ".25" for 250000 microseconds, nothing for none; returns the length. */
static int sched_time_fraction(char *out, int usec)
{
    int n = 6, i;
    if (usec == 0) {
        return 0;
    }
    while (usec % 10 == 0) {
        usec /= 10;
        n--;
    }
    out[0] = '.';
    for (i = n; i > 0; i--) {
        out[i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    return n + 1;
}

/* Two digits. */
static char *sched_time_2d(char *out, int v)
{
    out[0] = (char)('0' + v / 10);
    out[1] = (char)('0' + v % 10);
    return out + 2;
}

apr_size_t sched_time_format_utc_buf(char *out, apr_int64_t epoch_usec)
{
    apr_int64_t days = epoch_usec / SCHED_USEC_PER_DAY;
    apr_int64_t rem = epoch_usec % SCHED_USEC_PER_DAY;
    apr_int64_t year;
    int month, day, secs;
    char *o = out;

    if (rem < 0) {
        rem += SCHED_USEC_PER_DAY;
        days--;
    }
    sched_time_civil_from_days(days, &year, &month, &day);
    secs = (int)(rem / SCHED_USEC_PER_SEC);
    if (year >= 0 && year <= 9999) {
        o = sched_time_2d(sched_time_2d(o, (int)(year / 100)), (int)(year % 100));
    }
    else {      /* ISO 8601's expanded years: "10000", "-0043" (44 BC) */
        o += apr_snprintf(o, 24, year < 0 ? "-%04" APR_INT64_T_FMT : "%" APR_INT64_T_FMT,
                          year < 0 ? -year : year);
    }
    *o++ = '-';
    o = sched_time_2d(o, month);
    *o++ = '-';
    o = sched_time_2d(o, day);
    *o++ = 'T';
    o = sched_time_2d(o, secs / 3600);
    *o++ = ':';
    o = sched_time_2d(o, secs / 60 % 60);
    *o++ = ':';
    o = sched_time_2d(o, secs % 60);
    o += sched_time_fraction(o, (int)(rem % SCHED_USEC_PER_SEC));
    *o++ = 'Z';
    *o = '\0';
    return (apr_size_t)(o - out);
}

apr_size_t sched_time_format_date_buf(char *out, apr_int64_t days)
{
    apr_int64_t year;
    int month, day;

    sched_time_civil_from_days(days, &year, &month, &day);
    return (apr_size_t)apr_snprintf(out, SCHED_TIME_FORMAT_MAX, "%04" APR_INT64_T_FMT
                                    "-%02d-%02d", year, month, day);
}

char *sched_time_format_utc(apr_pool_t *p, apr_int64_t epoch_usec)
{
    char buf[SCHED_TIME_FORMAT_MAX];
    apr_size_t n = sched_time_format_utc_buf(buf, epoch_usec);
    return apr_pstrmemdup(p, buf, n);
}

char *sched_time_format_naive(apr_pool_t *p, const sched_time_t *t)
{
    char frac[8];
    int n = sched_time_fraction(frac, t->usec);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d%.*s",
                        t->year, t->month, t->day, t->hour, t->minute, t->second, n, frac);
}

apr_int64_t sched_time_grid(apr_int64_t start, apr_int64_t end, apr_int64_t len,
                            apr_int64_t *first)
{
    apr_int64_t day = start / SCHED_USEC_PER_DAY;
    apr_int64_t into;

    if (len <= 0) {
        return 0;
    }
    if (start % SCHED_USEC_PER_DAY < 0) {
        day--;                      /* floor, also before 1970 */
    }
    day *= SCHED_USEC_PER_DAY;
    into = start - day;
    *first = day + (into + len - 1) / len * len;
    if (end < *first + len) {
        return 0;
    }
    return (end - *first) / len;
}
