/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* A small TAP producer for the unit tests (https://testanything.org/).
 *
 *   plan(n);  or  done_testing();  at the end
 *   ok(cond, "name %d", i);
 *   is_int(got, expected, "name");
 *   is_str(got, expected, "name");    (either may be NULL)
 *   return exit_status();
 *
 * Failures print "# ..." diagnostics; the exit status is non-zero when a test
 * failed or the count does not match the plan. */
#ifndef SCHED_TAP_H
#define SCHED_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_run;
static int tap_failed;
static int tap_planned = -1;

static inline void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
}

static inline void diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
    va_list ap;
    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

/* Prints one test line; a newline or '#' in the name is escaped so that it stays
 * one line and no directive. */
static inline int tap_vok(int cond, const char *fmt, va_list ap)
{
    char name[1024];
    const char *c;

    tap_run++;
    if (!cond) {
        tap_failed++;
    }
    vsnprintf(name, sizeof(name), fmt, ap);
    printf("%sok %d - ", cond ? "" : "not ", tap_run);
    for (c = name; *c; c++) {
        if (*c == '\n') {
            fputs("\\n", stdout);
        }
        else {
            if (*c == '#' || *c == '\\') {
                fputc('\\', stdout);
            }
            fputc(*c, stdout);
        }
    }
    fputc('\n', stdout);
    return cond;
}

static inline int ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vok(cond, fmt, ap);
    va_end(ap);
    if (!cond) {
        diag("  Failed test %d", tap_run);
    }
    return cond;
}

static inline int tap_is_int(long long got, long long expected, const char *name)
{
    int cond = got == expected;
    ok(cond, "%s", name);
    if (!cond) {
        diag("         got: %lld", got);
        diag("    expected: %lld", expected);
    }
    return cond;
}
#define is_int(got, expected, name) \
    tap_is_int((long long)(got), (long long)(expected), (name))

static inline int is_str(const char *got, const char *expected, const char *name)
{
    int cond = (got == NULL || expected == NULL) ? got == expected
                                                 : strcmp(got, expected) == 0;
    ok(cond, "%s", name);
    if (!cond) {
        diag("         got: %s%s%s", got ? "'" : "", got ? got : "NULL",
             got ? "'" : "");
        diag("    expected: %s%s%s", expected ? "'" : "", expected ? expected : "NULL",
             expected ? "'" : "");
    }
    return cond;
}

static inline void done_testing(void)
{
    tap_planned = tap_run;
    printf("1..%d\n", tap_run);
}

/* 0 when every planned test ran and passed. */
static inline int exit_status(void)
{
    if (tap_planned >= 0 && tap_planned != tap_run) {
        diag("Looks like you planned %d tests but ran %d.", tap_planned, tap_run);
        return 255;
    }
    if (tap_failed) {
        diag("Looks like you failed %d test%s of %d.", tap_failed,
             tap_failed == 1 ? "" : "s", tap_run);
        return tap_failed < 254 ? tap_failed : 254;
    }
    return 0;
}

#endif
