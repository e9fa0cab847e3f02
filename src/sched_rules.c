/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The username and email rules: see sched_limits.h. */
#include <string.h>

#include "sched_limits.h"

static int sched_rules_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int sched_rules_username_chars_ok(const char *s)
{
    for (; *s; s++) {
        if (!sched_rules_alnum(*s) && !strchr("@.+-_", *s)) {
            return 0;
        }
    }
    return 1;
}

int sched_rules_username_ok(const char *s)
{
    size_t len = strlen(s);
    return len > 0 && len <= SCHED_USERNAME_MAX && sched_rules_username_chars_ok(s);
}

int sched_rules_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    const unsigned char *c;

    if (*s == '\0') {
        return 1;
    }
    if (strlen(s) > SCHED_EMAIL_MAX || at == NULL || at == s || at[1] == '\0'
        || strchr(at + 1, '@')) {
        return 0;
    }
    for (c = (const unsigned char *)s; *c; c++) {
        if (*c <= ' ' || *c == 0x7f) {  /* space, tab, newline, controls */
            return 0;
        }
    }
    return 1;
}
