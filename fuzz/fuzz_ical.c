/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The iCalendar writer of the calendar feeds: sched_ical_text (a TEXT property, the
 * way names reach a feed), then sched_ical_line and sched_ical_time after it.
 * Input: any bytes, the TEXT value (NUL bytes included: the length is given); the
 * first 8 bytes, when there are 8, are also read as a time in microseconds.
 *
 * Properties: unfolding the output (taking out each CRLF and the space after it)
 * gives "SUMMARY:" and the value escaped as a reference written here says (backslash,
 * semicolon, comma and newline escaped; a CR LF pair or a lone CR a newline; other
 * control characters but tab dropped; an invalid UTF-8 sequence U+FFFD per byte), a
 * CRLF, then the other lines; every line ends with CRLF and holds no other CR or LF;
 * no line is longer than 75 octets; each line is valid UTF-8 on its own (no fold
 * inside a sequence), and a fold falls between two characters or escapes of the
 * value, only where the next would not fit; valid UTF-8 input comes out whole. */
#include "fuzz.h"
#include "sched_ical.h"

/* The code point at s (n bytes left) by the bits of RFC 3629, and its length; 0
 * when it is not a whole, shortest, non-surrogate sequence up to U+10FFFF. */
static apr_size_t ref_decode(const unsigned char *s, apr_size_t n, unsigned long *cp)
{
    static const unsigned long least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    apr_size_t len, i;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        *cp = s[0] & 0x1F;
    }
    else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        *cp = s[0] & 0x0F;
    }
    else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        *cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < least[len] || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

/* The reference escape of s into out (room for 3 * n), and the offsets in out where a
 * unit (a character, an escape) begins, marked in starts (room for 3 * n + 1). Returns
 * the length written. */
static apr_size_t ref_escape(const unsigned char *s, apr_size_t n, char *out, char *starts)
{
    apr_size_t i = 0, o = 0, len;
    unsigned long cp;

    while (i < n) {
        starts[o] = 1;
        if (s[i] == '\\' || s[i] == ';' || s[i] == ',') {
            out[o++] = '\\';
            out[o++] = (char)s[i++];
        }
        else if (s[i] == '\r' || s[i] == '\n') {
            i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
            out[o++] = '\\';
            out[o++] = 'n';
        }
        else if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F) {
            starts[o] = 0;          /* dropped: no unit begins here */
            i++;
        }
        else if ((len = ref_decode(s + i, n - i, &cp)) == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
        else {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        }
    }
    starts[o] = 1;                  /* the end is a boundary too */
    return o;
}

/* Whether the n bytes at s are valid UTF-8 from end to end. */
static int ref_utf8(const unsigned char *s, apr_size_t n)
{
    apr_size_t i = 0, len;
    unsigned long cp;
    while (i < n) {
        if ((len = ref_decode(s + i, n - i, &cp)) == 0) {
            return 0;
        }
        i += len;
    }
    return 1;
}

/* A fold: where it falls in the unfolded text, and how long (in octets, its own
 * leading space included) the physical line before it is. */
typedef struct fold_t {
    apr_size_t at, before;
} fold_t;

/* Checks each physical line of t (len bytes); writes the text unfolded (every CRLF
 * followed by a space taken out, with the space) into plain, and the folds. Returns
 * the length of plain. */
static apr_size_t check_lines(const char *t, apr_size_t len, char *plain, fold_t *folds,
                              apr_size_t *nfolds)
{
    apr_size_t at = 0, p = 0, n;
    const char *crlf;

    *nfolds = 0;
    while (at < len) {
        crlf = strstr(t + at, "\r\n");
        FUZZ_CHECK(crlf != NULL, "a line without CRLF at offset %zu", at);
        n = (apr_size_t)(crlf - (t + at));
        FUZZ_CHECK(n <= SCHED_ICAL_LINE_MAX, "a line of %zu octets", n);
        FUZZ_CHECK(memchr(t + at, '\r', n) == NULL && memchr(t + at, '\n', n) == NULL,
                   "a bare CR or LF inside the line at offset %zu", at);
        FUZZ_CHECK(ref_utf8((const unsigned char *)t + at, n),
                   "the line at offset %zu is not whole UTF-8", at);
        if (t[at] == ' ') {         /* a continuation: its space is not content */
            FUZZ_CHECK(at > 0 && n > 1, "a continuation with nothing in it");
            memcpy(plain + p, t + at + 1, n - 1);
            p += n - 1;
        }
        else {
            if (at > 0) {
                plain[p++] = '\r';
                plain[p++] = '\n';
            }
            memcpy(plain + p, t + at, n);
            p += n;
        }
        at += n + 2;
        if (at < len && t[at] == ' ') {
            folds[*nfolds].at = p;
            folds[*nfolds].before = n;
            (*nfolds)++;
        }
    }
    plain[p++] = '\r';
    plain[p++] = '\n';
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sched_ical_t w;
    apr_size_t len, elen, plen, nfolds, i, head = strlen("SUMMARY:");
    const char *t;
    char *escaped, *starts, *want, *plain;
    fold_t *folds;
    apr_int64_t usec = 0;

    sched_ical_init(&w, fuzz_pool, 16);
    sched_ical_text(&w, "SUMMARY", (const char *)data, size);
    sched_ical_line(&w, "STATUS", "CONFIRMED");
    if (size >= 8) {
        memcpy(&usec, data, 8);
        /* years 0001 to 9999 */
        usec = APR_INT64_C(-62135596800000000)
               + (apr_int64_t)((apr_uint64_t)usec % APR_UINT64_C(315537897600000000));
        sched_ical_time(&w, "DTSTAMP", usec);
    }
    t = sched_ical_done(&w, &len);
    FUZZ_CHECK(strlen(t) == len, "the length %zu is not the text's", len);

    escaped = apr_palloc(fuzz_pool, 3 * size + 1);
    starts = apr_pcalloc(fuzz_pool, 3 * size + 2);
    elen = ref_escape(data, size, escaped, starts);
    want = apr_pstrcat(fuzz_pool, "SUMMARY:", apr_pstrmemdup(fuzz_pool, escaped, elen),
                       "\r\nSTATUS:CONFIRMED\r\n", NULL);

    plain = apr_palloc(fuzz_pool, len + 3);
    folds = apr_palloc(fuzz_pool, sizeof(*folds) * (len + 1));
    plen = check_lines(t, len, plain, folds, &nfolds);
    FUZZ_CHECK(plen >= strlen(want) && memcmp(plain, want, strlen(want)) == 0,
               "unfolded, the text is not the escaped value:\n%.*s\n%s", (int)plen, plain,
               want);
    if (size >= 8) {
        FUZZ_CHECK(plen == strlen(want) + strlen("DTSTAMP:20261201T080000Z\r\n")
                   && memcmp(plain + strlen(want), "DTSTAMP:", 8) == 0
                   && plain[plen - 3] == 'Z' && plain[plen - 10] == 'T',
                   "the time line: %.*s", (int)(plen - strlen(want)), plain + strlen(want));
    }
    else {
        FUZZ_CHECK(plen == strlen(want), "more than the two lines: %.*s", (int)plen, plain);
    }
    /* every fold lies inside the SUMMARY line, between two units of the value, and
     * only where the next unit would not have fitted on the line */
    for (i = 0; i < nfolds; i++) {
        apr_size_t v = folds[i].at - head, next;
        FUZZ_CHECK(folds[i].at >= head && v < elen && starts[v],
                   "a fold at %zu, inside a unit of the value", folds[i].at);
        for (next = v + 1; next < elen && !starts[next]; next++) {
        }
        FUZZ_CHECK(folds[i].before + (next - v) > SCHED_ICAL_LINE_MAX,
                   "a fold at %zu where the next unit fitted", folds[i].at);
    }
    /* valid UTF-8 with nothing to escape comes out as it went in */
    for (i = 0; i < size && data[i] >= 0x20 && data[i] != 0x7F && data[i] != '\\'
                && data[i] != ';' && data[i] != ','; i++) {
    }
    if (i == size && ref_utf8(data, size)) {
        FUZZ_CHECK(elen == size && memcmp(escaped, data, size) == 0
                   && memcmp(plain + head, data, size) == 0, "valid UTF-8 not kept whole");
    }
    apr_pool_clear(fuzz_pool);
    return 0;
}
