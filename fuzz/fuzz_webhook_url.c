/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* A webhook's URL and where it may lead: sched_hook_url_check (the API's check of a
 * body's "url"), sched_netallow_add (SchedWebhookAllow's words) and
 * sched_netallow_check_text. Input: the text (the API hands over no NUL).
 *
 * Properties: an accepted URL starts with http:// or https:// (any case), holds only
 * visible ASCII, no '#', no '@' before its path, and its host is a non-empty part of
 * it that fits the buffer; a word accepted as a CIDR block allows its own network
 * address; "public" never allows loopback or the metadata address. */
#include <strings.h>

#include "fuzz.h"
#include "sched_hook.h"
#include "sched_netallow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char host[SCHED_HOOK_HOST_MAX + 1];
    const char *in, *why, *p;
    sched_netallow_t allow;

    if (fuzz_has_nul(data, size)) {
        return 0;
    }
    in = fuzz_text(data, size);
    why = sched_hook_url_check(in, host, sizeof(host));
    if (why == NULL) {
        FUZZ_CHECK(strncasecmp(in, "http://", 7) == 0 || strncasecmp(in, "https://", 8) == 0,
                   "\"%s\": scheme", in);
        for (p = in; *p; p++) {
            FUZZ_CHECK(*p > 0x20 && *p < 0x7f && *p != '#', "\"%s\": a byte 0x%02x", in,
                       (unsigned char)*p);
        }
        FUZZ_CHECK(host[0] != '\0' && strstr(in, host) != NULL, "\"%s\": host \"%s\"", in,
                   host);
        FUZZ_CHECK(strchr(host, '@') == NULL && strchr(host, '/') == NULL,
                   "\"%s\": host \"%s\"", in, host);
    }
    memset(&allow, 0, sizeof(allow));
    if (sched_netallow_add(&allow, in) == NULL && strcmp(in, "public") != 0) {
        char net[64];
        size_t n = strcspn(in, "/");
        FUZZ_CHECK(allow.count == 1 && n < sizeof(net), "\"%s\": one block", in);
        memcpy(net, in, n);
        net[n] = '\0';
        FUZZ_CHECK(sched_netallow_check_text(&allow, net), "\"%s\": allows %s", in, net);
    }
    sched_netallow_default(&allow);
    FUZZ_CHECK(!sched_netallow_check_text(&allow, "127.0.0.1")
               && !sched_netallow_check_text(&allow, "169.254.169.254"), "public");
    sched_netallow_check_text(&allow, in);
    apr_pool_clear(fuzz_pool);
    return 0;
}
