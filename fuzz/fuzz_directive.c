/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Directive values and ?limit=: durations (sched_parse_duration), sizes
 * (sched_parse_size), whole numbers (sched_parse_int) and zone names
 * (sched_parse_zone_name). Input: "<name> <value>", a line of httpd.conf such as
 * "SchedSlotLength 15m", or "limit 50" for the query parameter; the wide kinds
 * "duration", "size" and "int" take any value from 0 to INT64_MAX.
 *
 * Properties: a value is accepted exactly when a reference reading in 128 bits says
 * its shape is right and it lies within the directive's range, and then with the
 * same value; a refused value leaves the output alone, and its reason quotes it. */
#include <apr_lib.h>

#include "fuzz.h"
#include "sched_parse.h"

#define DAY 86400

typedef enum kind_e { DURATION, SIZE, INT, ZONE } kind_e;

/* The ranges sched_config.c and sched_list.c give the parsers. */
static const struct {
    const char *name;
    kind_e kind;
    apr_int64_t min, max;
} directives[] = {
    { "SchedSlotLength", DURATION, 5 * 60, 1440 * 60 },
    { "SchedHoldTime", DURATION, 1, 7 * DAY },
    { "SchedMinNotice", DURATION, 0, 365 * DAY },
    { "SchedWindow", DURATION, 60, 31 * DAY },
    { "SchedAuthCacheTime", DURATION, 0, DAY },
    { "SchedPageSize", INT, 1, 1000 },
    { "limit", INT, 1, 1000 },
    { "SchedMaxBody", SIZE, 2, 64 * 1024 * 1024 },
    { "SchedNaiveTimeZone", ZONE, 0, 0 },
    { "duration", DURATION, 0, APR_INT64_MAX },
    { "size", SIZE, 0, APR_INT64_MAX },
    { "int", INT, 0, APR_INT64_MAX },
};

/* The reference reading of a number of kind: digits, then a duration's unit (s, m,
 * h or d, required), a size's (k or m in either case, or none), or nothing for a
 * whole number (which has no leading zero). Returns whether the shape is right, and
 * *value: the digits (saturated at 2^64) times the unit. */
static int ref_scaled(const char *s, kind_e kind, __int128 *value)
{
    size_t n = fuzz_digits(s);
    const char *u = s + n;
    __int128 scale = 0;

    if (n == 0) {
        return 0;
    }
    if (kind == DURATION) {
        scale = u[0] == 's' ? 1 : u[0] == 'm' ? 60 : u[0] == 'h' ? 3600
                : u[0] == 'd' ? DAY : 0;
    }
    else if (kind == SIZE) {
        scale = u[0] == '\0' ? 1 : apr_tolower(u[0]) == 'k' ? 1024
                : apr_tolower(u[0]) == 'm' ? 1024 * 1024 : 0;
    }
    else {
        scale = u[0] == '\0' && (s[0] != '0' || n == 1) ? 1 : 0;
    }
    if (scale == 0 || (u[0] != '\0' && u[1] != '\0')) {
        return 0;
    }
    *value = fuzz_decimal(s, n) * scale;
    return 1;
}

/* The reference for zone names: the shape sched_parse.h describes. */
static int ref_zone(const char *s)
{
    size_t len = strlen(s), i;

    if (len == 0 || len > 64 || s[0] == '/' || s[len - 1] == '/' || strstr(s, "..")
        || strstr(s, "//")) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!apr_isalnum(s[i]) && !strchr("_-+/", s[i])) {
            return 0;
        }
    }
    return 1;
}

static void check_reason(const char *value, const char *reason)
{
    char quoted[48];

    apr_snprintf(quoted, sizeof(quoted), "\"%.40s", value);
    FUZZ_CHECK(strncmp(reason, quoted, strlen(quoted)) == 0 && strlen(reason) < 256,
               "\"%s\": reason \"%s\"", value, reason);
}

static void check_number(int d, const char *value)
{
    kind_e kind = directives[d].kind;
    apr_int64_t got = -42;
    __int128 want = 0;
    int shape = ref_scaled(value, kind, &want);
    int in_range = shape && want >= directives[d].min && want <= directives[d].max;
    const char *reason = kind == DURATION
                         ? sched_parse_duration(value, directives[d].min, directives[d].max,
                                                &got)
                         : kind == SIZE
                         ? sched_parse_size(value, directives[d].min, directives[d].max,
                                            &got)
                         : sched_parse_int(value, directives[d].min, directives[d].max,
                                           &got);

    FUZZ_CHECK((reason == NULL) == in_range, "%s \"%s\": %s", directives[d].name, value,
               reason ? reason : "accepted");
    if (reason == NULL) {
        FUZZ_CHECK(got == want, "%s \"%s\" read as %" APR_INT64_T_FMT,
                   directives[d].name, value, got);
        return;
    }
    FUZZ_CHECK(got == -42, "%s \"%s\": refused, yet written", directives[d].name, value);
    check_reason(value, reason);
    FUZZ_CHECK(!shape || strstr(reason, "must be between") != NULL,
               "%s \"%s\": well formed, out of range, yet \"%s\"", directives[d].name,
               value, reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line, *space, *value, *reason;
    int d;

    if (fuzz_has_nul(data, size)) {
        return 0;
    }
    line = fuzz_text(data, size);
    if ((space = strchr(line, ' ')) == NULL) {
        return 0;
    }
    value = space + 1;
    for (d = 0; d < FUZZ_COUNT(directives); d++) {
        if (strncmp(line, directives[d].name, (size_t)(space - line)) == 0
            && directives[d].name[space - line] == '\0') {
            break;
        }
    }
    if (d == FUZZ_COUNT(directives)) {
        apr_pool_clear(fuzz_pool);
        return 0;
    }
    if (directives[d].kind != ZONE) {
        check_number(d, value);
    }
    else {
        reason = sched_parse_zone_name(value);
        FUZZ_CHECK((reason == NULL) == ref_zone(value), "zone \"%s\": %s", value,
                   reason ? reason : "accepted");
        if (reason) {
            check_reason(value, reason);
        }
    }
    apr_pool_clear(fuzz_pool);
    return 0;
}
