/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The If-Match header of a conditional write: sched_parse_if_match, whose answer
 * becomes a text[] parameter of the statement. Input: the header value (httpd hands
 * over no NUL).
 *
 * Properties: no condition (NULL) exactly for "*" between blanks; otherwise a text[]
 * literal "{...}" whose elements are non-empty, hold nothing but letters, digits and
 * '-' (so nothing in it needs quoting), are separated by single commas, and each
 * appeared between double quotes in the header. */
#include "fuzz.h"
#include "sched_parse.h"

static int fuzz_is_star(const char *s)
{
    s += strspn(s, " \t");
    return *s == '*' && s[1 + strspn(s + 1, " \t")] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in, *out, *e;
    size_t len;

    if (fuzz_has_nul(data, size)) {
        return 0;
    }
    in = fuzz_text(data, size);
    out = sched_parse_if_match(fuzz_pool, in);
    FUZZ_CHECK((out == NULL) == fuzz_is_star(in), "\"%s\": %s", in, out ? out : "NULL");
    if (out) {
        len = strlen(out);
        FUZZ_CHECK(len >= 2 && out[0] == '{' && out[len - 1] == '}', "literal %s", out);
        for (e = out + 1; e < out + len - 1; ) {
            size_t n = strspn(e, "0123456789abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ-");
            char *quoted = apr_psprintf(fuzz_pool, "\"%.*s\"", (int)n, e);
            FUZZ_CHECK(n > 0, "an empty element in %s", out);
            FUZZ_CHECK(strstr(in, quoted) != NULL, "%s is not a tag of \"%s\"", quoted, in);
            e += n;
            FUZZ_CHECK(*e == ',' || e == out + len - 1, "after an element of %s", out);
            if (*e == ',') {
                e++;
                FUZZ_CHECK(e < out + len - 1, "a trailing comma in %s", out);
            }
        }
    }
    apr_pool_clear(fuzz_pool);
    return 0;
}
