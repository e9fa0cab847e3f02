/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Query strings (r->args): sched_query_parse, sched_query_lookup and
 * sched_query_decode. Input: the query string, without the '?'.
 *
 * Properties, against a reference reading made here: every pair decodes as the
 * reference decoder says ('+' a space, %XX a byte, a bad escape or %00 refused), and
 * a decoded value never holds a NUL; a name given more than once is REPEATED, one
 * with a value that does not decode is UNDECODABLE, otherwise lookup gives the
 * reference value; names are case-sensitive; a name the query lacks is ABSENT. */
#include <apr_hash.h>
#include <apr_lib.h>

#include "fuzz.h"
#include "sched_query.h"

/* The reference reading of one name. */
typedef struct ref_param_t {
    int count;
    int undecodable;
    const char *value;
    apr_size_t len;
} ref_param_t;

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes s into a new string; returns NULL for a bad escape or a decoded NUL.
 * Sets *len to the length decoded. */
static const char *ref_decode(const char *s, apr_size_t *len)
{
    char *out = apr_palloc(fuzz_pool, strlen(s) + 1);
    apr_size_t n = 0;

    for (; *s; s++) {
        int hi, lo;
        if (*s != '%') {
            out[n++] = *s == '+' ? ' ' : *s;
            continue;
        }
        hi = hex_value(s[1]);
        lo = hi < 0 ? -1 : hex_value(s[2]);
        if (lo < 0 || hi * 16 + lo == 0) {
            return NULL;
        }
        out[n++] = (char)(hi * 16 + lo);
        s += 2;
    }
    out[n] = '\0';
    *len = n;
    return out;
}

/* sched_query_decode on a copy of s agrees with ref_decode. */
static void check_decode(const char *s)
{
    char *copy = apr_pstrdup(fuzz_pool, s);
    apr_size_t len = 0;
    const char *want = ref_decode(s, &len);
    int decoded = sched_query_decode(copy);

    FUZZ_CHECK(decoded == (want != NULL), "decode \"%s\": %d", s, decoded);
    if (decoded) {
        FUZZ_CHECK(strlen(copy) == len && memcmp(copy, want, len) == 0,
                   "decode \"%s\" gives \"%s\"", s, copy);
    }
}

/* Reads args as the reference does: pairs between '&' (empty ones skipped), split
 * at the first '='; a pair whose name does not decode is dropped. */
static apr_hash_t *ref_parse(const char *args)
{
    apr_hash_t *ref = apr_hash_make(fuzz_pool);
    const char *p = args;

    while (*p) {
        const char *end = strchr(p, '&');
        char *pair = apr_pstrmemdup(fuzz_pool, p, end ? (apr_size_t)(end - p) : strlen(p));
        char *eq = strchr(pair, '=');
        const char *name, *value;
        apr_size_t nlen, vlen = 0;
        ref_param_t *param;

        p = end ? end + 1 : p + strlen(p);
        if (*pair == '\0') {
            continue;
        }
        if (eq) {
            *eq = '\0';
        }
        check_decode(pair);
        check_decode(eq ? eq + 1 : "");
        if ((name = ref_decode(pair, &nlen)) == NULL) {
            continue;
        }
        value = ref_decode(eq ? eq + 1 : "", &vlen);
        if ((param = apr_hash_get(ref, name, APR_HASH_KEY_STRING)) == NULL) {
            param = apr_pcalloc(fuzz_pool, sizeof(*param));
            apr_hash_set(ref, name, APR_HASH_KEY_STRING, param);
        }
        param->count++;
        param->undecodable |= value == NULL;
        param->value = value;
        param->len = vlen;
    }
    return ref;
}

static void check_param(const sched_query_t *q, const char *name, const ref_param_t *ref)
{
    const char *value = "unset";
    sched_query_state_e state = sched_query_lookup(q, name, &value);

    if (ref == NULL) {
        FUZZ_CHECK(state == SCHED_QUERY_ABSENT && value == NULL, "\"%s\": %d", name,
                   state);
    }
    else if (ref->count > 1) {
        FUZZ_CHECK(state == SCHED_QUERY_REPEATED && value == NULL, "\"%s\": %d", name,
                   state);
    }
    else if (ref->undecodable) {
        FUZZ_CHECK(state == SCHED_QUERY_UNDECODABLE && value == NULL, "\"%s\": %d",
                   name, state);
    }
    else {
        FUZZ_CHECK(state == SCHED_QUERY_OK && value != NULL, "\"%s\": %d", name, state);
        FUZZ_CHECK(strlen(value) == ref->len && memcmp(value, ref->value, ref->len) == 0,
                   "\"%s\" is \"%s\"", name, value);
    }
}

/* name with the case of its letters swapped, or NULL when it has none. */
static const char *swap_case(const char *name)
{
    char *s = apr_pstrdup(fuzz_pool, name), *c;
    int letters = 0;

    for (c = s; *c; c++) {
        if (apr_isalpha(*c)) {
            *c = (char)(apr_islower(*c) ? apr_toupper(*c) : apr_tolower(*c));
            letters = 1;
        }
    }
    return letters ? s : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const known[] = {
        "limit", "after", "provider", "client", "slot", "user", "status", "date", "tz",
        "from", "to", "",
    };
    const char *args;
    apr_hash_t *ref;
    apr_hash_index_t *hi;
    sched_query_t *q;
    int i;

    if (fuzz_has_nul(data, size)) {
        return 0;
    }
    args = fuzz_text(data, size);
    q = sched_query_parse(fuzz_pool, args);
    ref = ref_parse(args);
    for (hi = apr_hash_first(fuzz_pool, ref); hi; hi = apr_hash_next(hi)) {
        const char *name = apr_hash_this_key(hi), *other = swap_case(name);
        check_param(q, name, apr_hash_this_val(hi));
        if (other) {
            check_param(q, other, apr_hash_get(ref, other, APR_HASH_KEY_STRING));
        }
    }
    for (i = 0; i < FUZZ_COUNT(known); i++) {
        check_param(q, known[i], apr_hash_get(ref, known[i], APR_HASH_KEY_STRING));
    }
    apr_pool_clear(fuzz_pool);
    return 0;
}
