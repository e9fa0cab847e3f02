/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Times from the client: RFC 3339 in request bodies and query parameters. A time
 * without an offset is refused, or read in SchedNaiveTimeZone when that is set (by
 * PostgreSQL, whose zone rules are the ones the rest of the service uses). */
#ifndef SCHED_TIMEIN_H
#define SCHED_TIMEIN_H

#include "sched_http.h"
#include "sched_time.h"

/* A sched_body_resolve_fn for sched_body_read, ctx being the sched_req_t: reads t
 * (a time without an offset) in SchedNaiveTimeZone into *usec. Returns OK, or DONE
 * after answering (the database failed). */
int sched_timein_resolve(void *ctx, const sched_time_t *t, apr_int64_t *usec);

/* Reads the query parameter name into *usec; *present says whether it was given.
 * Answers 400 when it is not a valid time. */
int sched_timein_query(sched_req_t *req, const char *name, int *present,
                       apr_int64_t *usec);

#endif
