/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_ical.c: the iCalendar text of the calendar feeds (RFC 5545):
 * content lines ended by CRLF, folded at 75 octets (never inside a UTF-8 sequence
 * or an escape), TEXT escaped, DATE-TIME in UTC. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_ical.h"
#include "tap.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static apr_pool_t *pool;

/* The text of one TEXT property "SUMMARY" of s. */
static const char *text_line(const char *s, apr_size_t len)
{
    sched_ical_t w;
    sched_ical_init(&w, pool, 8);
    sched_ical_text(&w, "SUMMARY", s, len);
    return sched_ical_done(&w, NULL);
}

/* The text with every fold (CRLF and one space) taken out. */
static const char *unfold(const char *t)
{
    char *out = apr_palloc(pool, strlen(t) + 1), *o = out;
    while (*t) {
        if (t[0] == '\r' && t[1] == '\n' && t[2] == ' ') {
            t += 3;
        }
        else {
            *o++ = *t++;
        }
    }
    *o = '\0';
    return out;
}

/* Whether s (n bytes) is valid UTF-8 from its first byte to its last. */
static int utf8_whole(const unsigned char *s, apr_size_t n)
{
    apr_size_t i = 0, k, len;
    while (i < n) {
        unsigned char c = s[i];
        len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
              : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (len == 0 || i + len > n) {
            return 0;
        }
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return 0;
            }
        }
        i += len;
    }
    return 1;
}

/* Every line ends with CRLF, is at most 75 octets, is whole UTF-8, does not end
 * inside an escape; continuation lines start with one space. */
static void lines_ok(const char *t, const char *name)
{
    const char *line = t, *crlf;
    int ok_len = 1, ok_utf8 = 1, ok_escape = 1, ok_bare = 1, n = 0;

    while (*line) {
        apr_size_t len, k, slashes = 0;
        if ((crlf = strstr(line, "\r\n")) == NULL) {
            ok_bare = 0;
            break;
        }
        len = (apr_size_t)(crlf - line);
        ok_len &= len <= SCHED_ICAL_LINE_MAX;
        ok_utf8 &= utf8_whole((const unsigned char *)line, len);
        ok_bare &= memchr(line, '\r', len) == NULL && memchr(line, '\n', len) == NULL;
        for (k = len; k > 0 && line[k - 1] == '\\'; k--) {
            slashes++;
        }
        /* a line that goes on (folded) must not end with half an escape */
        if (crlf[2] == ' ') {
            ok_escape &= slashes % 2 == 0;
        }
        line = crlf + 2;
        n++;
    }
    ok(ok_bare, "%s: every line ends with CRLF, no bare CR or LF", name);
    ok(ok_len, "%s: no line longer than 75 octets", name);
    ok(ok_utf8, "%s: no line splits a UTF-8 sequence", name);
    ok(ok_escape, "%s: no fold inside an escape", name);
}

static void test_lines(void)
{
    sched_ical_t w;
    apr_size_t len;
    const char *t;

    sched_ical_init(&w, pool, 1);       /* grows */
    sched_ical_line(&w, "BEGIN", "VCALENDAR");
    sched_ical_line(&w, "REFRESH-INTERVAL;VALUE=DURATION", "PT15M");
    sched_ical_int(&w, "SEQUENCE", 0);
    sched_ical_int(&w, "SEQUENCE", -12);
    sched_ical_int(&w, "SEQUENCE", APR_INT64_MAX);
    sched_ical_line(&w, "END", "VCALENDAR");
    t = sched_ical_done(&w, &len);
    is_str(t, "BEGIN:VCALENDAR\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\nSEQUENCE:0\r\n"
              "SEQUENCE:-12\r\nSEQUENCE:9223372036854775807\r\nEND:VCALENDAR\r\n",
           "content lines, CRLF");
    is_int(len, strlen(t), "the length is the text's");
    sched_ical_init(&w, pool, 16);
    is_str(sched_ical_done(&w, NULL), "", "an empty text");
}

static void test_escapes(void)
{
    static const struct { const char *in; apr_size_t len; const char *out; } c[] = {
        { "plain", 5, "SUMMARY:plain\r\n" },
        { "", 0, "SUMMARY:\r\n" },
        { "a\\b", 3, "SUMMARY:a\\\\b\r\n" },
        { "a;b,c", 5, "SUMMARY:a\\;b\\,c\r\n" },
        { "one\ntwo", 7, "SUMMARY:one\\ntwo\r\n" },
        { "one\r\ntwo", 8, "SUMMARY:one\\ntwo\r\n" },
        { "one\rtwo", 7, "SUMMARY:one\\ntwo\r\n" },
        { "a\n\nb", 4, "SUMMARY:a\\n\\nb\r\n" },
        { "end\r", 4, "SUMMARY:end\\n\r\n" },
        { "tab\there", 8, "SUMMARY:tab\there\r\n" },
        { "colon: \"quoted\"", 15, "SUMMARY:colon: \"quoted\"\r\n" },
        { "nul\0x\x01y\x1f\x7fz", 10, "SUMMARY:nulxyz\r\n" },
        { "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
          "SUMMARY:Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\r\n" },
        { "\xc2\x85", 2, "SUMMARY:\xc2\x85\r\n" },                     /* C1: allowed */
        { "bad\xff", 4, "SUMMARY:bad\xef\xbf\xbd\r\n" },
        { "\xc0\x80", 2, "SUMMARY:\xef\xbf\xbd\xef\xbf\xbd\r\n" },         /* overlong */
        { "\xe0\x80\x80", 3, "SUMMARY:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\r\n" },
        { "\xed\xa0\x80", 3, "SUMMARY:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\r\n" },
        { "\xf4\x90\x80\x80", 4,                                          /* > U+10FFFF */
          "SUMMARY:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\r\n" },
        { "cut\xe2\x82", 5, "SUMMARY:cut\xef\xbf\xbd\xef\xbf\xbd\r\n" },   /* cut short */
        { "\xf4\x8f\xbf\xbf", 4, "SUMMARY:\xf4\x8f\xbf\xbf\r\n" },         /* U+10FFFF */
    };
    int i;

    for (i = 0; i < COUNT(c); i++) {
        is_str(text_line(c[i].in, c[i].len), c[i].out,
               apr_psprintf(pool, "TEXT %d escaped", i));
    }
}

static void test_units(void)
{
    char out[4];
    apr_size_t used;

    is_int(sched_ical_text_unit(";", 1, out, &used), 2, "';' is two octets");
    is_int(used, 1, "... of one byte");
    is_int(sched_ical_text_unit("\r\n", 2, out, &used), 2, "CRLF is \\n");
    is_int(used, 2, "... of two bytes");
    is_int(sched_ical_text_unit("\x02", 1, out, &used), 0, "a control character: nothing");
    is_int(used, 1, "... of one byte");
    is_int(sched_ical_text_unit("\xf0\x9f\x98\x80", 4, out, &used), 4, "an emoji: four");
    is_int(used, 4, "... of four bytes");
    is_int(sched_ical_text_unit("\xf0\x9f\x98", 3, out, &used), 3, "cut short: U+FFFD");
    is_int(used, 1, "... for one byte");
}

/* Long values fold at 75 octets, and unfold to what they were. */
static void test_folding(void)
{
    static const char *const units[] = {
        "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", ",", "x;\xc3\xa9", "\\\xe2\x82\xac",
    };
    char *s;
    const char *t, *want;
    int u, n;

    /* exactly 75 octets: one line; 76: two */
    s = apr_pstrdup(pool, "1234567890123456789012345678901234567890123456789012345678901234567");
    t = text_line(s, strlen(s));                /* "SUMMARY:" + 67 = 75 */
    is_str(t, apr_pstrcat(pool, "SUMMARY:", s, "\r\n", NULL), "75 octets: not folded");
    s = apr_pstrcat(pool, s, "8", NULL);
    t = text_line(s, strlen(s));
    is_str(t, apr_pstrcat(pool, "SUMMARY:", apr_pstrndup(pool, s, 67), "\r\n 8\r\n", NULL),
           "76 octets: folded, the rest after one space");

    for (u = 0; u < COUNT(units); u++) {
        for (n = 1; n <= 120; n += 7) {
            const char *name = apr_psprintf(pool, "%d times unit %d", n, u);
            int i;
            s = "";
            for (i = 0; i < n; i++) {
                s = apr_pstrcat(pool, s, units[u], NULL);
            }
            t = text_line(s, strlen(s));
            lines_ok(t, name);
            want = text_line(s, strlen(s));
            is_str(unfold(t), unfold(want), apr_pstrcat(pool, name, ": stable", NULL));
        }
    }
    /* unfolding gives the escaped value */
    s = apr_pstrdup(pool, "Caf\xc3\xa9 \xc3\x98rsted; Paris, 2e\nligne deux \xe2\x80\x94 "
                          "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x93\x85 and "
                          "a long tail of text to fold over two or three lines");
    t = text_line(s, strlen(s));
    lines_ok(t, "a mixed name");
    is_str(unfold(t), "SUMMARY:Caf\xc3\xa9 \xc3\x98rsted\\; Paris\\, 2e\\nligne deux "
                      "\xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x93\x85 and "
                      "a long tail of text to fold over two or three lines\r\n",
           "a mixed name: unfolds to its escaped text");
}

static void test_times(void)
{
    static const struct { apr_int64_t usec; const char *out; } c[] = {
        { APR_INT64_C(1796112000000000), "DTSTART:20261201T080000Z\r\n" },
        { APR_INT64_C(1796112000999999), "DTSTART:20261201T080000Z\r\n" },
        { APR_INT64_C(1796115599500000), "DTSTART:20261201T085959Z\r\n" },
        { 0, "DTSTART:19700101T000000Z\r\n" },
        { -1, "DTSTART:19691231T235959Z\r\n" },
        { APR_INT64_C(-1000000), "DTSTART:19691231T235959Z\r\n" },
        { APR_INT64_C(-62135596800000000), "DTSTART:00010101T000000Z\r\n" },
        { APR_INT64_C(253402300799000000), "DTSTART:99991231T235959Z\r\n" },
        { APR_INT64_C(1709208000000000), "DTSTART:20240229T120000Z\r\n" },
    };
    int i;

    for (i = 0; i < COUNT(c); i++) {
        sched_ical_t w;
        sched_ical_init(&w, pool, 64);
        sched_ical_time(&w, "DTSTART", c[i].usec);
        is_str(sched_ical_done(&w, NULL), c[i].out,
               apr_psprintf(pool, "%" APR_INT64_T_FMT " us", c[i].usec));
    }
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_lines();
    test_escapes();
    test_units();
    test_folding();
    test_times();

    done_testing();
    return exit_status();
}
