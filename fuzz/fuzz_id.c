/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Ids: path segments (sched_parse_id_n, from the router), query filters such as
 * ?client= (sched_parse_id) and the cursor of a list ordered by id
 * (sched_parse_id_cursor). Input: the bytes of the id, a NUL included (the router
 * passes a length).
 *
 * Properties: an id is accepted exactly when it is [1-9][0-9]{0,18} with a value
 * of at most INT64_MAX (a reference reading in 128 bits); an accepted id prints
 * back as its text; the three readers agree; nothing is written on refusal. */
#include "fuzz.h"
#include "sched_parse.h"

/* The reference: whether the len bytes at s are an id, and its value. */
static int ref_id(const char *s, size_t len, apr_int64_t *id)
{
    __int128 v;

    if (len == 0 || len > 19 || s[0] < '1' || s[0] > '9' || fuzz_digits(s) < len) {
        return 0;
    }
    v = fuzz_decimal(s, len);
    *id = (apr_int64_t)v;
    return v <= APR_INT64_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = fuzz_text(data, size);
    apr_int64_t want = 0, got = -42, id = -42, cursor = -42;
    int ok_n = sched_parse_id_n(s, size, &got);
    int ok_ref = ref_id(s, size, &want);

    FUZZ_CHECK(ok_n == ok_ref, "id_n of %zu bytes \"%s\": %d", size, s, ok_n);
    if (ok_n) {
        FUZZ_CHECK(got == want && got >= 1, "\"%s\" read as %" APR_INT64_T_FMT, s, got);
        FUZZ_CHECK(strcmp(apr_psprintf(fuzz_pool, "%" APR_INT64_T_FMT, got), s) == 0,
                   "\"%s\" prints as %" APR_INT64_T_FMT, s, got);
    }
    else {
        FUZZ_CHECK(got == -42, "\"%s\": refused, yet written", s);
    }
    if (!fuzz_has_nul(data, size)) {
        int ok_s = sched_parse_id(s, &id);
        int ok_c = sched_parse_id_cursor(s, &cursor);
        FUZZ_CHECK(ok_s == ok_n && ok_c == ok_n && (!ok_n || (id == got && cursor == got)),
                   "\"%s\": id %d, id_n %d, cursor %d", s, ok_s, ok_n, ok_c);
    }
    apr_pool_clear(fuzz_pool);
    return 0;
}
