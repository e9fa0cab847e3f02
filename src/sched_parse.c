/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Parsers for configuration values, path ids, query parameters and headers.
 *
 * The parsers take no pool: a reason that quotes the value is written to a buffer
 * of the calling thread, valid until that thread's next call here. Callers copy it
 * (sched_cmd_fail does, with apr_pstrcat) or drop it. */
#include <errno.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sched_parse.h"
#include "sched_limits.h"

#define SCHED_PARSE_QUOTE_MAX 40        /* longest part of a value quoted in a reason */
#define SCHED_PARSE_ZONE_MAX  64
#define SCHED_PARSE_COMMON_MAX 10000    /* "5m and 1440m" rather than "5m and 1d" */

static _Thread_local char sched_parse_reason[256];

/* Writes "\"value\" what" (the value shortened if long) into the reason buffer. */
static const char *sched_parse_fail(const char *arg, const char *what)
{
    int long_arg;

    if (arg == NULL) {
        arg = "";
    }
    long_arg = strlen(arg) > SCHED_PARSE_QUOTE_MAX;
    apr_snprintf(sched_parse_reason, sizeof(sched_parse_reason), "\"%.*s%s\" %s",
                 SCHED_PARSE_QUOTE_MAX, arg, long_arg ? "..." : "", what);
    return sched_parse_reason;
}

/* Reads the decimal digits at *s into *value and advances *s past them. Returns
 * how many there were; sets *overflow when the number does not fit in int64. */
static apr_size_t sched_parse_digits(const char **s, apr_int64_t *value, int *overflow)
{
    const char *p = *s;
    apr_int64_t v = 0;
    apr_size_t n;

    *overflow = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        int d = *p - '0';
        if (v > (APR_INT64_MAX - d) / 10) {
            *overflow = 1;
        }
        else {
            v = v * 10 + d;
        }
    }
    n = (apr_size_t)(p - *s);
    *s = p;
    *value = v;
    return n;
}

/* A value in the largest unit that divides it exactly: "5m", "1d", "90s". */
typedef struct sched_parse_unit_t {
    char name;
    apr_int64_t size;
} sched_parse_unit_t;

static const sched_parse_unit_t sched_parse_time_units[] = {
    { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 }, { 0, 0 }
};
static const sched_parse_unit_t sched_parse_size_units[] = {
    { 'm', 1024 * 1024 }, { 'k', 1024 }, { 0, 1 }, { 0, 0 }
};
static const sched_parse_unit_t sched_parse_plain_units[] = {
    { 0, 1 }, { 0, 0 }
};

/* The largest unit that divides v; a zero takes the last (smallest) one. */
static const sched_parse_unit_t *sched_parse_unit_of(const sched_parse_unit_t *units,
                                                     apr_int64_t v)
{
    while (units[1].size && (v == 0 || v % units->size)) {
        units++;
    }
    return units;
}

/* The unit called c, or NULL. */
static const sched_parse_unit_t *sched_parse_unit_named(const sched_parse_unit_t *units,
                                                        char c)
{
    for (; units->size; units++) {
        if (units->name != 0 && units->name == c) {
            return units;
        }
    }
    return NULL;
}

/* Writes "\"value\" must be between MIN and MAX", each bound in its own unit, or both
 * in one when that stays short ("5m and 1440m", but "1s and 7d"). */
static const char *sched_parse_range(const char *arg, const sched_parse_unit_t *units,
                                     apr_int64_t min, apr_int64_t max)
{
    const sched_parse_unit_t *umin = sched_parse_unit_of(units, min);
    const sched_parse_unit_t *umax = sched_parse_unit_of(units, max);
    const sched_parse_unit_t *common = umin->size < umax->size ? umin : umax;
    char what[128];

    if (min == 0) {
        umin = umax;
    }
    else if (umin != umax && max / common->size <= SCHED_PARSE_COMMON_MAX) {
        umin = umax = common;
    }
    /* "%.1s" of a unit's name prints nothing for the nameless unit (bytes) */
    apr_snprintf(what, sizeof(what), "must be between %" APR_INT64_T_FMT "%.1s"
                 " and %" APR_INT64_T_FMT "%.1s",
                 min / umin->size, &umin->name, max / umax->size, &umax->name);
    return sched_parse_fail(arg, what);
}

/* The common part of durations and sizes: digits, then an optional one-letter unit
 * from units (matched case-insensitively when fold), then the end. */
static const char *sched_parse_scaled(const char *arg, const sched_parse_unit_t *units,
                                      int need_unit, int fold, apr_int64_t min,
                                      apr_int64_t max, apr_int64_t *out,
                                      const char *shape)
{
    const char *p = arg ? arg : "";
    const sched_parse_unit_t *u;
    apr_int64_t v;
    int overflow;
    apr_size_t n = sched_parse_digits(&p, &v, &overflow);
    char c = (char)(fold ? apr_tolower(*p) : *p);

    if (n == 0) {
        return sched_parse_fail(arg, shape);
    }
    if (*p == '\0') {
        if (need_unit) {
            return sched_parse_fail(arg, "has no unit (use s, m, h or d)");
        }
        u = sched_parse_unit_of(units, 0);
    }
    else if ((u = sched_parse_unit_named(units, c)) == NULL || p[1] != '\0') {
        return sched_parse_fail(arg, shape);
    }
    if (overflow || v > APR_INT64_MAX / u->size || v * u->size < min
        || v * u->size > max) {
        return sched_parse_range(arg, units, min, max);
    }
    *out = v * u->size;
    return NULL;
}

const char *sched_parse_duration(const char *arg, apr_int64_t min_seconds,
                                 apr_int64_t max_seconds, apr_int64_t *seconds)
{
    return sched_parse_scaled(arg, sched_parse_time_units, 1, 0, min_seconds,
                              max_seconds, seconds,
                              "is not a duration (use s, m, h or d)");
}

const char *sched_parse_size(const char *arg, apr_int64_t min, apr_int64_t max,
                             apr_int64_t *bytes)
{
    return sched_parse_scaled(arg, sched_parse_size_units, 0, 1, min, max, bytes,
                              "is not a size (a number of bytes, or with k or m)");
}

const char *sched_parse_int(const char *arg, apr_int64_t min, apr_int64_t max,
                            apr_int64_t *value)
{
    const char *p = arg ? arg : "";
    apr_int64_t v;
    int overflow;
    apr_size_t n = sched_parse_digits(&p, &v, &overflow);

    if (n == 0 || *p != '\0' || (arg[0] == '0' && n > 1)) {
        return sched_parse_fail(arg, "is not a whole number");
    }
    if (overflow || v < min || v > max) {
        return sched_parse_range(arg, sched_parse_plain_units, min, max);
    }
    *value = v;
    return NULL;
}

int sched_parse_id_n(const char *s, apr_size_t len, apr_int64_t *id)
{
    apr_int64_t v = 0;
    apr_size_t i;

    if (s == NULL || len == 0 || len > 19 || s[0] < '1' || s[0] > '9') {
        return 0;
    }
    for (i = 0; i < len; i++) {
        int d = s[i] - '0';
        if (d < 0 || d > 9 || v > (APR_INT64_MAX - d) / 10) {
            return 0;
        }
        v = v * 10 + d;
    }
    *id = v;
    return 1;
}

int sched_parse_id(const char *s, apr_int64_t *id)
{
    return s != NULL && sched_parse_id_n(s, strlen(s), id);
}

int sched_parse_time_cursor(const char *s, apr_int64_t *usec, apr_int64_t *id)
{
    char *end;
    apr_int64_t t, n;
    const char *sep = s ? strchr(s, '_') : NULL;

    if (sep == NULL || !sched_parse_id(sep + 1, &n) || sep == s
        || (sep - s == 1 && s[0] == '-') || !(apr_isdigit(s[0]) || s[0] == '-')) {
        return 0;
    }
    errno = 0;
    t = apr_strtoi64(s, &end, 10);
    if (errno != 0 || end != sep) {
        return 0;
    }
    *usec = t;
    *id = n;
    return 1;
}

int sched_parse_id_cursor(const char *s, apr_int64_t *id)
{
    return sched_parse_id(s, id);
}

const char *sched_parse_idempotency_key(const char *s)
{
    static const char bad[] = "Idempotency-Key must be 1 to "
        SCHED_STR(SCHED_IDEMPOTENCY_KEY_MAX) " visible ASCII characters";
    const char *c;

    if (s == NULL) {
        return bad;
    }
    for (c = s; *c; c++) {
        if (*c < 0x21 || *c > 0x7e) {
            break;
        }
    }
    if (*s == '\0' || *c || c - s > SCHED_IDEMPOTENCY_KEY_MAX) {
        return bad;
    }
    return NULL;
}

const char *sched_parse_zone_name(const char *arg)
{
    const char *p;

    if (arg == NULL) {
        return sched_parse_fail(arg, "is not a time zone name");
    }
    if (arg[0] == '\0' || arg[0] == '/' || strlen(arg) > SCHED_PARSE_ZONE_MAX
        || strstr(arg, "..") || strstr(arg, "//") || arg[strlen(arg) - 1] == '/') {
        return sched_parse_fail(arg, "is not a time zone name");
    }
    for (p = arg; *p; p++) {
        if (!apr_isalnum(*p) && !strchr("_-+/", *p)) {
            return sched_parse_fail(arg, "is not a time zone name");
        }
    }
    return NULL;
}

/* Whether an opaque tag's characters (between its quotes) could be one of ours. */
static int sched_parse_etag_chars(const char *s, apr_size_t len)
{
    apr_size_t i;
    for (i = 0; i < len; i++) {
        if (!apr_isalnum(s[i]) && s[i] != '-') {
            return 0;
        }
    }
    return len > 0;
}

const char *sched_parse_if_match(apr_pool_t *p, const char *header)
{
    const char *s = header, *close;
    char *out, *o;
    int weak;

    if (header == NULL) {
        return NULL;
    }
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (s[0] == '*' && strspn(s + 1, " \t") == strlen(s + 1)) {
        return NULL;
    }
    out = o = apr_palloc(p, strlen(header) + 3);
    *o++ = '{';
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        weak = strncmp(s, "W/", 2) == 0;
        if (weak) {
            s += 2;
        }
        if (*s != '"' || (close = strchr(s + 1, '"')) == NULL) {
            break;      /* not an entity-tag: nothing after it is read */
        }
        if (!weak && sched_parse_etag_chars(s + 1, (apr_size_t)(close - s - 1))) {
            if (o > out + 1) {
                *o++ = ',';
            }
            memcpy(o, s + 1, (apr_size_t)(close - s - 1));
            o += close - s - 1;
        }
        s = close + 1;
    }
    *o++ = '}';
    *o = '\0';
    return out;
}

int sched_parse_feed_file(const char *file)
{
    static const char prefix[] = SCHED_FEED_TOKEN_PREFIX;
    apr_size_t i;

    if (strlen(file) != SCHED_FEED_TOKEN_LEN + 4
        || strncmp(file, prefix, sizeof(prefix) - 1) != 0
        || strcmp(file + SCHED_FEED_TOKEN_LEN, ".ics") != 0) {
        return 0;
    }
    for (i = sizeof(prefix) - 1; i < SCHED_FEED_TOKEN_LEN; i++) {
        char c = file[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_')) {
            return 0;
        }
    }
    return 1;
}
