/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The JSON writer of answers: see sched_jsonw.h. */
#include <string.h>
#include <apr_strings.h>

#include "sched_jsonw.h"
#include "sched_time.h"

void sched_jsonw_init(sched_jsonw_t *w, apr_pool_t *p, apr_size_t cap)
{
    sched_buf_init(&w->out, p, cap);
    w->depth = 0;
    w->first[0] = 1;
}

/* The comma before a member or element, and the member's key. */
static void sched_jsonw_start(sched_jsonw_t *w, const char *key)
{
    if (!w->first[w->depth]) {
        sched_buf_put(&w->out, ",", 1);
    }
    w->first[w->depth] = 0;
    if (key) {
        apr_size_t n = strlen(key);
        char *o = sched_buf_room(&w->out, n + 3);
        o[0] = '"';
        memcpy(o + 1, key, n);
        o[n + 1] = '"';
        o[n + 2] = ':';
        w->out.len += n + 3;
    }
}

void sched_jsonw_open(sched_jsonw_t *w, const char *key, char bracket)
{
    sched_jsonw_start(w, key);
    sched_buf_put(&w->out, &bracket, 1);
    if (w->depth + 1 < SCHED_JSONW_DEPTH) {
        w->depth++;
    }
    w->first[w->depth] = 1;
}

void sched_jsonw_close(sched_jsonw_t *w, char bracket)
{
    sched_buf_put(&w->out, &bracket, 1);
    if (w->depth > 0) {
        w->depth--;
    }
}

void sched_jsonw_int(sched_jsonw_t *w, const char *key, apr_int64_t v)
{
    char buf[24];
    char *end = buf + sizeof(buf), *o = end;
    apr_uint64_t u = v < 0 ? (apr_uint64_t)0 - (apr_uint64_t)v : (apr_uint64_t)v;

    do {
        *--o = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        *--o = '-';
    }
    sched_jsonw_start(w, key);
    sched_buf_put(&w->out, o, (apr_size_t)(end - o));
}

void sched_jsonw_bool(sched_jsonw_t *w, const char *key, int v)
{
    sched_jsonw_start(w, key);
    sched_buf_put(&w->out, v ? "true" : "false", v ? 4 : 5);
}

void sched_jsonw_null(sched_jsonw_t *w, const char *key)
{
    sched_jsonw_start(w, key);
    sched_buf_put(&w->out, "null", 4);
}

void sched_jsonw_str(sched_jsonw_t *w, const char *key, const char *s, apr_size_t len)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t i;
    char *o;

    sched_jsonw_start(w, key);
    o = sched_buf_room(&w->out, len * 6 + 2);   /* "\u00XX" at worst */
    *o++ = '"';
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        }
        else if (c >= 0x20) {
            *o++ = (char)c;     /* UTF-8 passes as it is */
        }
        else if (c == '\n' || c == '\r' || c == '\t') {
            *o++ = '\\';
            *o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        }
        else {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        }
    }
    *o++ = '"';
    w->out.len = (apr_size_t)(o - w->out.buf);
}

void sched_jsonw_time(sched_jsonw_t *w, const char *key, apr_int64_t usec)
{
    char *o;
    sched_jsonw_start(w, key);
    o = sched_buf_room(&w->out, SCHED_TIME_FORMAT_MAX + 2);
    o[0] = '"';
    w->out.len += 1 + sched_time_format_utc_buf(o + 1, usec);
    sched_buf_put(&w->out, "\"", 1);
}

void sched_jsonw_raw(sched_jsonw_t *w, const char *key, const char *json, apr_size_t len)
{
    sched_jsonw_start(w, key);
    sched_buf_put(&w->out, json, len);
}

const char *sched_jsonw_text(sched_jsonw_t *w, apr_size_t *len)
{
    return sched_buf_text(&w->out, len);
}
