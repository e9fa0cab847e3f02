/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The Idempotency-Key header of POST /appointment_reservations/:
 * sched_parse_idempotency_key. Input: the header value (httpd hands over no NUL).
 *
 * Properties: a key is accepted exactly when it is 1 to 255 bytes, each a visible
 * ASCII character (0x21 to 0x7e); a refused key gets the one reason the API
 * documents. */
#include "fuzz.h"
#include "sched_parse.h"
#include "sched_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *reason;
    int want = size >= 1 && size <= SCHED_IDEMPOTENCY_KEY_MAX;
    size_t i;

    if (fuzz_has_nul(data, size)) {
        return 0;
    }
    for (i = 0; i < size; i++) {
        want &= data[i] >= 0x21 && data[i] <= 0x7e;
    }
    reason = sched_parse_idempotency_key(fuzz_text(data, size));
    FUZZ_CHECK((reason == NULL) == want, "a key of %zu bytes: %s", size,
               reason ? reason : "accepted");
    FUZZ_CHECK(reason == NULL || strcmp(reason, "Idempotency-Key must be 1 to 255 "
                                                "visible ASCII characters") == 0,
               "reason \"%s\"", reason);
    apr_pool_clear(fuzz_pool);
    return 0;
}
