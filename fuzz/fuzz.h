/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* What every fuzz target shares: APR set up once, a pool cleared after each input,
 * and FUZZ_CHECK, which aborts with a message when a property does not hold
 * (libFuzzer then keeps the input as a crash). Include it once, from the target. */
#ifndef SCHED_FUZZ_H
#define SCHED_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#define FUZZ_CHECK(cond, ...)                                                       \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: property failed: %s\n  ", __FILE__, __LINE__,   \
                    #cond);                                                         \
            fprintf(stderr, __VA_ARGS__);                                           \
            fputc('\n', stderr);                                                    \
            abort();                                                                \
        }                                                                           \
    } while (0)

#define FUZZ_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Request data of one input; cleared after it. */
static apr_pool_t *fuzz_pool;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&fuzz_pool, NULL);
    return 0;
}

/* The input as a NUL-terminated string in the pool. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    return apr_pstrmemdup(fuzz_pool, (const char *)data, size);
}

/* Whether the input holds a NUL byte: headers, query strings, paths and JSON strings
 * as httpd and jansson hand them over never do. */
static inline int fuzz_has_nul(const uint8_t *data, size_t size)
{
    return memchr(data, '\0', size) != NULL;
}

/* Splits "header\nrest" at the first newline: *header and *rest in the pool.
 * Returns 0 when there is no newline. */
static inline int fuzz_split_line(const uint8_t *data, size_t size, char **header,
                                  const uint8_t **rest, size_t *rest_size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (nl == NULL) {
        return 0;
    }
    *header = apr_pstrmemdup(fuzz_pool, (const char *)data, (apr_size_t)(nl - data));
    *rest = nl + 1;
    *rest_size = size - (size_t)(nl - data) - 1;
    return 1;
}

/* The value of the n decimal digits at s, a reference reading: saturated at 2^64,
 * which is more than any int64. */
static inline __int128 fuzz_decimal(const char *s, size_t n)
{
    const __int128 cap = (__int128)1 << 64;
    __int128 v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > cap) {
            v = cap;
        }
    }
    return v;
}

/* How many decimal digits s starts with. */
static inline size_t fuzz_digits(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        n++;
    }
    return n;
}

#endif
