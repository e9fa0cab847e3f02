/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Query strings: "a=1&b=x%20y" decoded into parameters by name (case-sensitive).
 * A parameter given more than once, or whose value cannot be decoded (a bad %
 * escape, or a NUL byte once decoded), is remembered as such, so that an endpoint
 * that knows the name refuses it instead of taking it as absent. A pair whose name
 * cannot be decoded names no known parameter and is dropped.
 * Pure: APR only. */
#ifndef SCHED_QUERY_H
#define SCHED_QUERY_H

#include <apr_pools.h>

typedef struct sched_query_t sched_query_t;

typedef enum sched_query_state_e {
    SCHED_QUERY_ABSENT = 0,
    SCHED_QUERY_OK,             /* *value is the decoded value */
    SCHED_QUERY_REPEATED,       /* given more than once */
    SCHED_QUERY_UNDECODABLE     /* a bad % escape, or %00 */
} sched_query_state_e;

/* Parses args (r->args; NULL: no query). Allocates in p. */
sched_query_t *sched_query_parse(apr_pool_t *p, const char *args);

/* What the query says of name; *value is set for SCHED_QUERY_OK (else NULL). */
sched_query_state_e sched_query_lookup(const sched_query_t *q, const char *name,
                                       const char **value);

/* Decodes an application/x-www-form-urlencoded component in place ('+' is a space).
 * Returns 0 for a bad % escape or a decoded NUL byte (s is then undefined). */
int sched_query_decode(char *s);

#endif
