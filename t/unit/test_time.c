/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_time.c: RFC 3339 parsing and UTC formatting. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_time.h"
#include "tap.h"

#define USEC APR_INT64_C(1000000)

static apr_pool_t *pool;

/* Times that must be refused, and the reason given. */
static const struct {
    const char *in;
    int allow_naive;
    const char *reason;
} bad[] = {
    { "", 0, "not an RFC 3339 date-time" },
    { "2026-12-01", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00Z", 0, "not an RFC 3339 date-time" },
    { "2026-12-1T08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "26-12-01T08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "02026-12-01T08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "2026/12/01T08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "2026-12-01X08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T8:00:00Z", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:0a:00Z", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00ZZ", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00Z ", 0, "not an RFC 3339 date-time" },
    { " 2026-12-01T08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00+01:00x", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00x", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00x", 1, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00+01", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00+0100", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00+1:00", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00+01:0", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00UTC", 0, "not an RFC 3339 date-time" },
    { "-2026-12-01T08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "+2026-12-01T08:00:00Z", 0, "not an RFC 3339 date-time" },
    { "2026-12-01T08:00:00.Z", 0, "the fraction of a second needs 1 to 9 digits" },
    { "2026-12-01T08:00:00.", 1, "the fraction of a second needs 1 to 9 digits" },
    { "2026-12-01T08:00:00.1234567890Z", 0,
      "the fraction of a second needs 1 to 9 digits" },
    { "2026-12-01T08:00:00,5Z", 0, "not an RFC 3339 date-time" },
    { "0000-01-01T00:00:00Z", 0, "year out of range" },
    { "2026-00-01T08:00:00Z", 0, "month out of range" },
    { "2026-13-01T08:00:00Z", 0, "month out of range" },
    { "2026-12-00T08:00:00Z", 0, "no such date" },
    { "2026-12-32T08:00:00Z", 0, "no such date" },
    { "2026-02-30T08:00:00Z", 0, "no such date" },
    { "2026-02-29T08:00:00Z", 0, "no such date" },
    { "2100-02-29T08:00:00Z", 0, "no such date" },
    { "1900-02-29T08:00:00Z", 0, "no such date" },
    { "2026-04-31T08:00:00Z", 0, "no such date" },
    { "2026-06-31T08:00:00Z", 0, "no such date" },
    { "2026-09-31T08:00:00Z", 0, "no such date" },
    { "2026-11-31T08:00:00Z", 0, "no such date" },
    { "2026-12-01T24:00:00Z", 0, "hour out of range" },
    { "2026-12-01T99:00:00Z", 0, "hour out of range" },
    { "2026-12-01T08:60:00Z", 0, "minute out of range" },
    { "2026-12-01T08:00:60Z", 0, "second out of range" },
    { "2016-12-31T23:59:60Z", 0, "second out of range" },
    { "2026-12-01T08:00:00+18:01", 0, "offset out of range" },
    { "2026-12-01T08:00:00-18:01", 0, "offset out of range" },
    { "2026-12-01T08:00:00+19:00", 0, "offset out of range" },
    { "2026-12-01T08:00:00+99:00", 0, "offset out of range" },
    { "2026-12-01T08:00:00+01:60", 0, "offset out of range" },
    { "2026-12-01T08:00:00-05:99", 0, "offset out of range" },
    { "2026-12-01T08:00:00", 0, "offset required (Z or \xc2\xb1" "hh:mm)" },
    { "0001-01-01T00:00:00+00:01", 0, "out of range in UTC (years 0001 to 9999)" },
    { "0001-01-01T17:59:59.999999+18:00", 1, "out of range in UTC (years 0001 to 9999)" },
    { "9999-12-31T23:59:59-00:01", 0, "out of range in UTC (years 0001 to 9999)" },
    { "9999-12-31T06:00:00-18:00", 0, "out of range in UTC (years 0001 to 9999)" },
    { "2026-12-01T08:00:00.5", 0, "offset required (Z or \xc2\xb1" "hh:mm)" },
    { "2026-12-01 08:00:00", 0, "offset required (Z or \xc2\xb1" "hh:mm)" },
};

/* Times that must parse, with the fields and UTC instant they give. */
static const struct {
    const char *in;
    int year, month, day, hour, minute, second, usec;
    int offset_minutes;
    apr_int64_t epoch_usec;
    const char *utc;
} good[] = {
    { "2026-12-01T08:00:00Z", 2026, 12, 1, 8, 0, 0, 0, 0,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01t08:00:00z", 2026, 12, 1, 8, 0, 0, 0, 0,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01 08:00:00Z", 2026, 12, 1, 8, 0, 0, 0, 0,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01T08:00:00+00:00", 2026, 12, 1, 8, 0, 0, 0, 0,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01T08:00:00-00:00", 2026, 12, 1, 8, 0, 0, 0, 0,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01T13:30:00+05:30", 2026, 12, 1, 13, 30, 0, 0, 330,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01T03:00:00-05:00", 2026, 12, 1, 3, 0, 0, 0, -300,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-02T02:00:00+18:00", 2026, 12, 2, 2, 0, 0, 0, 1080,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-11-30T14:00:00-18:00", 2026, 11, 30, 14, 0, 0, 0, -1080,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01T08:00:00.25Z", 2026, 12, 1, 8, 0, 0, 250000, 0,
      APR_INT64_C(1796112000) * USEC + 250000, "2026-12-01T08:00:00.25Z" },
    { "2026-12-01T08:00:00.000001Z", 2026, 12, 1, 8, 0, 0, 1, 0,
      APR_INT64_C(1796112000) * USEC + 1, "2026-12-01T08:00:00.000001Z" },
    { "2026-12-01T08:00:00.1234567Z", 2026, 12, 1, 8, 0, 0, 123456, 0,
      APR_INT64_C(1796112000) * USEC + 123456, "2026-12-01T08:00:00.123456Z" },
    { "2026-12-01T08:00:00.999999999Z", 2026, 12, 1, 8, 0, 0, 999999, 0,
      APR_INT64_C(1796112000) * USEC + 999999, "2026-12-01T08:00:00.999999Z" },
    { "2026-12-01T08:00:00.0000001Z", 2026, 12, 1, 8, 0, 0, 0, 0,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "2026-12-01T08:00:00.0Z", 2026, 12, 1, 8, 0, 0, 0, 0,
      APR_INT64_C(1796112000) * USEC, "2026-12-01T08:00:00Z" },
    { "1970-01-01T00:00:00Z", 1970, 1, 1, 0, 0, 0, 0, 0,
      0, "1970-01-01T00:00:00Z" },
    { "1970-01-01T00:00:00.000001Z", 1970, 1, 1, 0, 0, 0, 1, 0,
      1, "1970-01-01T00:00:00.000001Z" },
    { "1969-12-31T23:59:59Z", 1969, 12, 31, 23, 59, 59, 0, 0,
      -USEC, "1969-12-31T23:59:59Z" },
    { "1969-12-31T23:59:59.999999Z", 1969, 12, 31, 23, 59, 59, 999999, 0,
      -1, "1969-12-31T23:59:59.999999Z" },
    { "1969-12-31T23:59:59.5Z", 1969, 12, 31, 23, 59, 59, 500000, 0,
      -500000, "1969-12-31T23:59:59.5Z" },
    { "1970-01-01T01:00:00+01:00", 1970, 1, 1, 1, 0, 0, 0, 60,
      0, "1970-01-01T00:00:00Z" },
    { "1969-12-31T19:00:00-05:00", 1969, 12, 31, 19, 0, 0, 0, -300,
      0, "1970-01-01T00:00:00Z" },
    { "1900-01-01T00:00:00Z", 1900, 1, 1, 0, 0, 0, 0, 0,
      APR_INT64_C(-2208988800) * USEC, "1900-01-01T00:00:00Z" },
    { "1600-02-29T12:00:00Z", 1600, 2, 29, 12, 0, 0, 0, 0,
      APR_INT64_C(-11670955200) * USEC, "1600-02-29T12:00:00Z" },
    { "0001-01-01T00:00:00Z", 1, 1, 1, 0, 0, 0, 0, 0,
      APR_INT64_C(-62135596800) * USEC, "0001-01-01T00:00:00Z" },
    { "9999-12-31T23:59:59.999999Z", 9999, 12, 31, 23, 59, 59, 999999, 0,
      APR_INT64_C(253402300799) * USEC + 999999, "9999-12-31T23:59:59.999999Z" },
    { "0001-01-01T00:00:00-18:00", 1, 1, 1, 0, 0, 0, 0, -1080,
      APR_INT64_C(-62135532000) * USEC, "0001-01-01T18:00:00Z" },
    { "9999-12-31T23:59:59+18:00", 9999, 12, 31, 23, 59, 59, 0, 1080,
      APR_INT64_C(253402236000) * USEC - USEC, "9999-12-31T05:59:59Z" },
    { "2024-02-29T00:00:00Z", 2024, 2, 29, 0, 0, 0, 0, 0,
      APR_INT64_C(1709164800) * USEC, "2024-02-29T00:00:00Z" },
    { "2000-02-29T00:00:00Z", 2000, 2, 29, 0, 0, 0, 0, 0,
      APR_INT64_C(951782400) * USEC, "2000-02-29T00:00:00Z" },
    { "2038-01-19T03:14:08Z", 2038, 1, 19, 3, 14, 8, 0, 0,
      APR_INT64_C(2147483648) * USEC, "2038-01-19T03:14:08Z" },
    { "2026-12-31T23:59:59Z", 2026, 12, 31, 23, 59, 59, 0, 0,
      APR_INT64_C(1798761599) * USEC, "2026-12-31T23:59:59Z" },
    { "2027-01-01T00:30:00+01:00", 2027, 1, 1, 0, 30, 0, 0, 60,
      APR_INT64_C(1798761600) * USEC - 1800 * USEC, "2026-12-31T23:30:00Z" },
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_bad(void)
{
    int i;
    for (i = 0; i < COUNT(bad); i++) {
        sched_time_t t;
        const char *err = sched_time_parse_rfc3339(bad[i].in, bad[i].allow_naive, &t);
        is_str(err, bad[i].reason,
               apr_psprintf(pool, "refused%s: \"%s\"",
                            bad[i].allow_naive ? " (naive allowed)" : "", bad[i].in));
    }
    ok(sched_time_parse_rfc3339(NULL, 1, NULL) != NULL, "NULL is refused");
}

static void test_good(void)
{
    int i;
    for (i = 0; i < COUNT(good); i++) {
        sched_time_t t;
        const char *in = good[i].in;
        const char *err = sched_time_parse_rfc3339(in, 0, &t);
        if (!is_str(err, NULL, apr_psprintf(pool, "parsed: %s", in))) {
            continue;
        }
        ok(t.year == good[i].year && t.month == good[i].month && t.day == good[i].day
           && t.hour == good[i].hour && t.minute == good[i].minute
           && t.second == good[i].second,
           "%s: fields", in);
        is_int(t.usec, good[i].usec, apr_psprintf(pool, "%s: usec", in));
        is_int(t.has_offset, 1, apr_psprintf(pool, "%s: has an offset", in));
        is_int(t.offset_minutes, good[i].offset_minutes,
               apr_psprintf(pool, "%s: offset minutes", in));
        is_int(t.epoch_usec, good[i].epoch_usec, apr_psprintf(pool, "%s: epoch", in));
        is_str(sched_time_format_utc(pool, t.epoch_usec), good[i].utc,
               apr_psprintf(pool, "%s: formatted as UTC", in));
    }
}

static void test_naive(void)
{
    sched_time_t t;
    const char *err;

    err = sched_time_parse_rfc3339("2026-12-01T08:00:00", 1, &t);
    is_str(err, NULL, "naive time accepted when allowed");
    is_int(t.has_offset, 0, "naive: has_offset is 0");
    is_int(t.offset_minutes, 0, "naive: offset_minutes is 0");
    ok(t.year == 2026 && t.month == 12 && t.day == 1 && t.hour == 8, "naive: fields");
    is_str(sched_time_format_naive(pool, &t), "2026-12-01T08:00:00",
           "naive: formatted");

    err = sched_time_parse_rfc3339("2026-12-01 08:00:00.250", 1, &t);
    is_str(err, NULL, "naive time with fraction and ' ' accepted");
    is_int(t.usec, 250000, "naive: fraction");
    is_str(sched_time_format_naive(pool, &t), "2026-12-01T08:00:00.25",
           "naive: fraction trimmed");

    /* Without an offset there is no instant yet: the zone decides where it falls. */
    is_str(sched_time_parse_rfc3339("0001-01-01T00:00:00", 1, &t), NULL,
           "naive: 0001-01-01T00:00:00 accepted");
    is_str(sched_time_parse_rfc3339("9999-12-31T23:59:59", 1, &t), NULL,
           "naive: 9999-12-31T23:59:59 accepted");

    err = sched_time_parse_rfc3339("2026-12-01T08:00:00+05:30", 1, &t);
    is_str(err, NULL, "an offset is still read when naive is allowed");
    is_int(t.has_offset, 1, "naive allowed, offset given: has_offset");
    is_int(t.offset_minutes, 330, "naive allowed, offset given: offset");
    is_str(sched_time_format_naive(pool, &t), "2026-12-01T08:00:00",
           "format_naive drops the offset");

    err = sched_time_parse_rfc3339("2026-02-30T08:00:00", 1, &t);
    is_str(err, "no such date", "naive: impossible date still refused");
    err = sched_time_parse_rfc3339("2026-12-01T24:00:00", 1, &t);
    is_str(err, "hour out of range", "naive: hour 24 still refused");

    t.year = 1;
    t.month = 2;
    t.day = 3;
    t.hour = 4;
    t.minute = 5;
    t.second = 6;
    t.usec = 1;
    is_str(sched_time_format_naive(pool, &t), "0001-02-03T04:05:06.000001",
           "format_naive pads every field");
}

static void test_out_untouched(void)
{
    sched_time_t t;
    memset(&t, 0x5a, sizeof(t));
    sched_time_parse_rfc3339("2026-02-30T08:00:00Z", 0, &t);
    is_int(t.year, 0x5a5a5a5a, "a refused time leaves the output alone");
}

static void test_dates(void)
{
    int y = 0, m = 0, d = 0;

    is_str(sched_time_parse_date("2026-12-01", &y, &m, &d), NULL, "date 2026-12-01");
    ok(y == 2026 && m == 12 && d == 1, "date fields");
    is_str(sched_time_parse_date("2024-02-29", &y, &m, &d), NULL, "date 2024-02-29");
    is_str(sched_time_parse_date("2000-02-29", &y, &m, &d), NULL, "date 2000-02-29");
    is_str(sched_time_parse_date("0001-01-01", &y, &m, &d), NULL, "date 0001-01-01");
    is_str(sched_time_parse_date("9999-12-31", &y, &m, &d), NULL, "date 9999-12-31");
    ok(y == 9999 && m == 12 && d == 31, "date 9999-12-31 fields");
    is_str(sched_time_parse_date("2026-02-30", &y, &m, &d), "no such date",
           "date 2026-02-30");
    is_str(sched_time_parse_date("2100-02-29", &y, &m, &d), "no such date",
           "date 2100-02-29");
    is_str(sched_time_parse_date("2026-13-01", &y, &m, &d), "month out of range",
           "date 2026-13-01");
    is_str(sched_time_parse_date("0000-01-01", &y, &m, &d), "year out of range",
           "date 0000-01-01");
    ok(sched_time_parse_date("2026-12-01T08:00:00Z", &y, &m, &d) != NULL,
       "a date-time is not a date");
    ok(sched_time_parse_date("2026-12-1", &y, &m, &d) != NULL, "date 2026-12-1");
    ok(sched_time_parse_date("2026-12-01 ", &y, &m, &d) != NULL, "date with a space");
    ok(sched_time_parse_date("", &y, &m, &d) != NULL, "empty date");
    ok(sched_time_parse_date(NULL, &y, &m, &d) != NULL, "NULL date");
    ok(y == 9999 && m == 12 && d == 31, "refused dates leave the output alone");
}

static void test_days(void)
{
    is_int(sched_time_days_from_civil(1970, 1, 1), 0, "days: 1970-01-01");
    is_int(sched_time_days_from_civil(1970, 1, 2), 1, "days: 1970-01-02");
    is_int(sched_time_days_from_civil(1969, 12, 31), -1, "days: 1969-12-31");
    is_int(sched_time_days_from_civil(2000, 3, 1), 11017, "days: 2000-03-01");
    is_int(sched_time_days_from_civil(2000, 2, 29), 11016, "days: 2000-02-29");
    is_int(sched_time_days_from_civil(1, 1, 1), -719162, "days: 0001-01-01");
    is_int(sched_time_days_from_civil(9999, 12, 31), 2932896, "days: 9999-12-31");
    is_int(sched_time_days_from_civil(1600, 1, 1), -135140, "days: 1600-01-01");
}

/* Every day of 1899..2101: days_from_civil steps by one, format_utc gives it back. */
static void test_every_day(void)
{
    apr_int64_t prev = sched_time_days_from_civil(1898, 12, 31);
    int y, m, d, bad_step = 0, bad_format = 0, days = 0;

    for (y = 1899; y <= 2101; y++) {
        for (m = 1; m <= 12; m++) {
            for (d = 1; d <= 31; d++) {
                char in[32];
                int yy, mm, dd;
                sched_time_t t;
                apr_int64_t n;
                apr_snprintf(in, sizeof(in), "%04d-%02d-%02d", y, m, d);
                if (sched_time_parse_date(in, &yy, &mm, &dd) != NULL) {
                    continue;
                }
                days++;
                n = sched_time_days_from_civil(yy, mm, dd);
                bad_step += n != prev + 1;
                prev = n;
                apr_snprintf(in, sizeof(in), "%04d-%02d-%02dT12:34:56Z", y, m, d);
                if (sched_time_parse_rfc3339(in, 0, &t) != NULL
                    || strcmp(sched_time_format_utc(pool, t.epoch_usec), in) != 0) {
                    bad_format++;
                }
            }
        }
    }
    is_int(days, 74144, "1899..2101: 74144 real dates");
    is_int(bad_step, 0, "1899..2101: each date is one day after the one before");
    is_int(bad_format, 0, "1899..2101: every date round-trips parse and format");
}

static void test_format(void)
{
    is_str(sched_time_format_utc(pool, 0), "1970-01-01T00:00:00Z", "format: epoch");
    is_str(sched_time_format_utc(pool, -1), "1969-12-31T23:59:59.999999Z",
           "format: one microsecond before");
    is_str(sched_time_format_utc(pool, -86400 * USEC), "1969-12-31T00:00:00Z",
           "format: one day before");
    is_str(sched_time_format_utc(pool, -86400 * USEC - 1),
           "1969-12-30T23:59:59.999999Z",
           "format: one day and a microsecond before");
    is_str(sched_time_format_utc(pool, 100000), "1970-01-01T00:00:00.1Z",
           "format: .1");
    is_str(sched_time_format_utc(pool, 120000), "1970-01-01T00:00:00.12Z",
           "format: .12");
    is_str(sched_time_format_utc(pool, 10), "1970-01-01T00:00:00.00001Z",
           "format: .00001");
    is_str(sched_time_format_utc(pool, APR_INT64_C(1796112000) * USEC + 500000),
           "2026-12-01T08:00:00.5Z", "format: 2026 with .5");
    is_str(sched_time_format_utc(pool, APR_INT64_C(-62135596800) * USEC),
           "0001-01-01T00:00:00Z", "format: year 1");
    is_str(sched_time_format_utc(pool, APR_INT64_C(253402300799) * USEC),
           "9999-12-31T23:59:59Z", "format: year 9999");
    /* As PostgreSQL's to_json of a timestamp writes them (t/86-sqljson.t compares
     * the two), but for years before 1 (to_json: "0044-03-15T00:00:00 BC"). */
    is_str(sched_time_format_utc(pool, APR_INT64_C(-30641760000) * USEC),
           "0999-01-01T00:00:00Z", "format: year 999, four digits");
    is_str(sched_time_format_utc(pool, APR_INT64_C(253402300800) * USEC),
           "10000-01-01T00:00:00Z", "format: year 10000, five digits");
    is_str(sched_time_format_utc(pool, APR_INT64_C(-62167219200) * USEC),
           "0000-01-01T00:00:00Z", "format: year 0 (1 BC)");
    is_str(sched_time_format_utc(pool, APR_INT64_C(-63517824000) * USEC),
           "-0043-03-15T00:00:00Z", "format: 44 BC, ISO 8601's expanded year");
    is_str(sched_time_format_utc(pool, APR_INT64_C(3093527980799) * USEC + 999999),
           "99999-12-31T23:59:59.999999Z", "format: year 99999");
}

/* parse -> format -> parse gives the same instant, whatever the input offset. */
static void test_round_trip(void)
{
    static const char *const in[] = {
        "2026-03-29T02:30:00+01:00", "2026-10-25T02:30:00+02:00",
        "1969-07-20T20:17:40.123Z", "1901-12-13T20:45:52-12:00",
        "2024-02-29T23:59:59.999999+14:00", "0001-01-01T18:00:00+18:00",
        "9999-12-31T05:59:59-18:00", "1999-12-31T23:59:59.000000001Z",
    };
    int i;
    for (i = 0; i < COUNT(in); i++) {
        sched_time_t a, b;
        const char *utc;
        if (sched_time_parse_rfc3339(in[i], 0, &a) != NULL) {
            ok(0, "round trip: %s parses", in[i]);
            continue;
        }
        utc = sched_time_format_utc(pool, a.epoch_usec);
        ok(sched_time_parse_rfc3339(utc, 0, &b) == NULL && b.epoch_usec == a.epoch_usec
           && b.offset_minutes == 0,
           "round trip: %s -> %s", in[i], utc);
    }
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_bad();
    test_good();
    test_naive();
    test_out_untouched();
    test_dates();
    test_days();
    test_every_day();
    test_format();
    test_round_trip();

    done_testing();
    return exit_status();
}
