/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The paging cursor of lists ordered by time, then id (available slots):
 * "<epoch microseconds>_<id>", read by sched_parse_time_cursor from ?after=.
 * Input: the cursor text.
 *
 * Properties: a cursor is accepted exactly when a reference reading accepts it:
 * an optional '-', digits of a value that fits in int64 (leading zeros allowed),
 * '_', then an id as sched_parse_id reads it; the values agree; printed back as
 * "%lld_%lld" it reads again to the same values; nothing is written on refusal. */
#include "fuzz.h"
#include "sched_parse.h"

/* The reference reading. */
static int ref_cursor(const char *s, apr_int64_t *usec, apr_int64_t *id)
{
    int negative = s[0] == '-';
    const char *digits = s + negative;
    size_t n = fuzz_digits(digits);
    __int128 v = fuzz_decimal(digits, n);

    if (n == 0 || digits[n] != '_' || !sched_parse_id(digits + n + 1, id)) {
        return 0;
    }
    if (v > (__int128)APR_INT64_MAX + negative) {
        return 0;
    }
    *usec = (apr_int64_t)(negative ? -v : v);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s, *back;
    apr_int64_t usec = -42, id = -42, want_usec = 0, want_id = 0, u2, i2;
    int got, want;

    if (fuzz_has_nul(data, size)) {
        return 0;
    }
    s = fuzz_text(data, size);
    got = sched_parse_time_cursor(s, &usec, &id);
    want = ref_cursor(s, &want_usec, &want_id);
    FUZZ_CHECK(got == want, "\"%s\": %d", s, got);
    if (!got) {
        FUZZ_CHECK(usec == -42 && id == -42, "\"%s\": refused, yet written", s);
        apr_pool_clear(fuzz_pool);
        return 0;
    }
    FUZZ_CHECK(usec == want_usec && id == want_id && id >= 1,
               "\"%s\" read as %" APR_INT64_T_FMT ", %" APR_INT64_T_FMT, s, usec, id);
    back = apr_psprintf(fuzz_pool, "%" APR_INT64_T_FMT "_%" APR_INT64_T_FMT, usec, id);
    FUZZ_CHECK(sched_parse_time_cursor(back, &u2, &i2) && u2 == usec && i2 == id,
               "\"%s\" printed back as \"%s\" does not read the same", s, back);
    apr_pool_clear(fuzz_pool);
    return 0;
}
