/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The iCalendar writer of the calendar feeds: see sched_ical.h. */
#include <string.h>
#include <apr_strings.h>

#include "sched_ical.h"
#include "sched_time.h"

#define SCHED_ICAL_USEC_PER_SEC APR_INT64_C(1000000)

void sched_ical_init(sched_ical_t *w, apr_pool_t *p, apr_size_t cap)
{
    sched_buf_init(&w->out, p, cap < 256 ? 256 : cap);
    w->col = 0;
}

/* Octets that stay together on one physical line (a character, an escape): a new
 * line (CRLF and the space of a continuation) first when they would not fit. */
static void sched_ical_unit(sched_ical_t *w, const char *s, apr_size_t n)
{
    if (w->col + n > SCHED_ICAL_LINE_MAX) {
        sched_buf_put(&w->out, "\r\n ", 3);
        w->col = 1;
    }
    sched_buf_put(&w->out, s, n);
    w->col += n;
}

/* "name:", one octet at a time. */
static void sched_ical_name(sched_ical_t *w, const char *name)
{
    for (; *name; name++) {
        sched_ical_unit(w, name, 1);
    }
    sched_ical_unit(w, ":", 1);
}

static void sched_ical_end(sched_ical_t *w)
{
    sched_buf_put(&w->out, "\r\n", 2);
    w->col = 0;
}

void sched_ical_line(sched_ical_t *w, const char *name, const char *value)
{
    sched_ical_name(w, name);
    for (; *value; value++) {
        sched_ical_unit(w, value, 1);
    }
    sched_ical_end(w);
}

/* The length of the valid UTF-8 sequence at s (len bytes left), or 0 when there is
 * none: no overlong form, no surrogate, nothing above U+10FFFF (RFC 3629). */
static apr_size_t sched_ical_utf8(const unsigned char *s, apr_size_t len)
{
    unsigned char lo = 0x80, hi = 0xBF;
    apr_size_t n, i;

    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2;
    }
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    }
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    }
    else {
        return 0;
    }
    if (len < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF) {
            return 0;
        }
    }
    return n;
}

apr_size_t sched_ical_text_unit(const char *s, apr_size_t len, char out[4],
                                apr_size_t *used)
{
    unsigned char c = (unsigned char)s[0];
    apr_size_t n;

    *used = 1;
    if (c == '\\' || c == ';' || c == ',') {
        out[0] = '\\';
        out[1] = (char)c;
        return 2;
    }
    if (c == '\n' || c == '\r') {
        *used = c == '\r' && len > 1 && s[1] == '\n' ? 2 : 1;
        out[0] = '\\';
        out[1] = 'n';
        return 2;
    }
    if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return 0;
    }
    if ((n = sched_ical_utf8((const unsigned char *)s, len)) == 0) {
        memcpy(out, "\xEF\xBF\xBD", 3);     /* U+FFFD REPLACEMENT CHARACTER */
        return 3;
    }
    memcpy(out, s, n);
    *used = n;
    return n;
}

void sched_ical_text(sched_ical_t *w, const char *name, const char *s, apr_size_t len)
{
    char out[4];
    apr_size_t i = 0, used, n;

    sched_ical_name(w, name);
    while (i < len) {
        n = sched_ical_text_unit(s + i, len - i, out, &used);
        if (n) {
            sched_ical_unit(w, out, n);
        }
        i += used;
    }
    sched_ical_end(w);
}

void sched_ical_time(sched_ical_t *w, const char *name, apr_int64_t usec)
{
    char rfc[SCHED_TIME_FORMAT_MAX], value[SCHED_TIME_FORMAT_MAX];
    apr_int64_t rem = usec % SCHED_ICAL_USEC_PER_SEC;
    const char *c;
    char *o = value;

    /* "2026-12-01T08:00:00Z", whole seconds, without its '-' and ':' */
    sched_time_format_utc_buf(rfc, usec - (rem < 0 ? rem + SCHED_ICAL_USEC_PER_SEC : rem));
    for (c = rfc; *c; c++) {
        if (*c != '-' && *c != ':') {
            *o++ = *c;
        }
    }
    *o = '\0';
    sched_ical_line(w, name, value);
}

void sched_ical_int(sched_ical_t *w, const char *name, apr_int64_t v)
{
    char buf[24];
    apr_snprintf(buf, sizeof(buf), "%" APR_INT64_T_FMT, v);
    sched_ical_line(w, name, buf);
}

const char *sched_ical_done(sched_ical_t *w, apr_size_t *len)
{
    return sched_buf_text(&w->out, len);
}
