/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for the slot grid (sched_time_grid) and integer body fields
 * (sched_json_get_int): the arithmetic behind POST /available_slots/. */
#include <apr_general.h>
#include <apr_pools.h>

#include "sched_json.h"
#include "sched_time.h"
#include "tap.h"

#define USEC   APR_INT64_C(1000000)
#define MIN    (60 * USEC)
#define DAY    (86400 * USEC)

/* 2026-12-10T00:00:00Z */
#define D      (APR_INT64_C(1796860800) * USEC)

static void grid_case(apr_int64_t start, apr_int64_t end, apr_int64_t len,
                      apr_int64_t want_first, apr_int64_t want_count, const char *name)
{
    apr_int64_t first = -1;
    apr_int64_t count = sched_time_grid(start, end, len, &first);
    is_int(count, want_count, name);
    if (want_count) {
        is_int(first, want_first, name);
    }
}

static void test_grid(void)
{
    grid_case(D + 8 * 60 * MIN, D + 10 * 60 * MIN, 15 * MIN, D + 8 * 60 * MIN, 8,
              "08:00-10:00 by 15 minutes: 8 slots from 08:00");
    grid_case(D + 8 * 60 * MIN + 7 * MIN, D + 10 * 60 * MIN, 15 * MIN,
              D + 8 * 60 * MIN + 15 * MIN, 7, "08:07 rounds up to 08:15");
    grid_case(D + 8 * 60 * MIN + 1, D + 10 * 60 * MIN, 15 * MIN,
              D + 8 * 60 * MIN + 15 * MIN, 7, "one microsecond late rounds up too");
    grid_case(D + 8 * 60 * MIN, D + 8 * 60 * MIN + 20 * MIN, 15 * MIN,
              D + 8 * 60 * MIN, 1, "08:00-08:20: one whole slot");
    grid_case(D + 8 * 60 * MIN + 5 * MIN, D + 8 * 60 * MIN + 20 * MIN, 15 * MIN, 0, 0,
              "08:05-08:20: no whole slot");
    grid_case(D + 8 * 60 * MIN, D + 8 * 60 * MIN + 14 * MIN, 15 * MIN, 0, 0,
              "shorter than one slot");
    grid_case(D + 23 * 60 * MIN, D + DAY + 60 * MIN, 30 * MIN, D + 23 * 60 * MIN, 4,
              "across midnight");
    /* 7 minutes does not divide a day: the grid starts at the window's own midnight. */
    grid_case(D + 10 * MIN, D + 40 * MIN, 7 * MIN, D + 14 * MIN, 3,
              "7-minute grid counted from midnight UTC");
    /* 23:55 is minute 1435 = 205 x 7 of day D: a grid point; 23:56 is not. */
    grid_case(D + DAY - 5 * MIN, D + DAY + 30 * MIN, 7 * MIN,
              D + DAY - 5 * MIN, 5, "7-minute grid keeps going past midnight");
    grid_case(D + DAY - 4 * MIN, D + DAY + 30 * MIN, 7 * MIN,
              D + DAY + 2 * MIN, 4, "and rounds up across midnight on that grid");
    grid_case(D, D + 31 * DAY, 1440 * MIN, D, 31, "31 days of day-long slots");
    grid_case(-DAY + 8 * 60 * MIN + 1, -DAY + 9 * 60 * MIN, 15 * MIN,
              -DAY + 8 * 60 * MIN + 15 * MIN, 3, "before 1970: rounds up as well");
}

static void test_get_int(void)
{
    json_t *errors = json_object();
    json_t *body = json_pack("{s:i, s:i, s:i, s:f, s:s, s:b, s:n}", "ok", 15, "low", 4,
                             "high", 1441, "float", 15.0, "string", "15", "bool", 1,
                             "null");
    apr_int64_t v = 0;

    is_int(sched_json_get_int(body, "ok", 1, 5, 1440, &v, errors), SCHED_FIELD_OK,
           "15 is within 5..1440");
    is_int(v, 15, "and read");
    is_int(sched_json_get_int(body, "missing", 0, 5, 1440, &v, errors),
           SCHED_FIELD_ABSENT, "absent, optional");
    is_int(sched_json_get_int(body, "missing", 1, 5, 1440, &v, errors),
           SCHED_FIELD_ABSENT, "absent, required");
    ok(json_object_get(errors, "missing") != NULL, "required and absent is an error");
    is_int(sched_json_get_int(body, "low", 0, 5, 1440, &v, errors), SCHED_FIELD_INVALID,
           "4 is below 5");
    is_int(sched_json_get_int(body, "high", 0, 5, 1440, &v, errors), SCHED_FIELD_INVALID,
           "1441 is above 1440");
    is_int(sched_json_get_int(body, "float", 0, 5, 1440, &v, errors), SCHED_FIELD_INVALID,
           "15.0 is not an integer");
    is_int(sched_json_get_int(body, "string", 0, 5, 1440, &v, errors),
           SCHED_FIELD_INVALID, "\"15\" is not an integer");
    is_int(sched_json_get_int(body, "bool", 0, 5, 1440, &v, errors), SCHED_FIELD_INVALID,
           "true is not an integer");
    is_int(sched_json_get_int(body, "null", 0, 5, 1440, &v, errors), SCHED_FIELD_INVALID,
           "null is not an integer");
    is_int((long long)json_object_size(errors), 7, "one error entry per bad field");
    json_decref(body);
    json_decref(errors);
}

int main(void)
{
    apr_initialize();
    test_grid();
    test_get_int();
    done_testing();
    apr_terminate();
    return exit_status();
}
