/* Times from the client: RFC 3339 in request bodies and query parameters. A time
 * without an offset is refused, or read in SchedNaiveTimeZone when that is set (by
 * PostgreSQL, whose zone rules are the ones the rest of the service uses). */
#ifndef SCHED_TIMEIN_H
#define SCHED_TIMEIN_H

#include "sched_http.h"
#include "sched_json.h"

/* Reads body[field] into *usec (UTC microseconds since 1970). *got says what was
 * found; a bad value adds to errors. Returns OK, or DONE after answering (the
 * database failed while resolving a naive time). */
int sched_timein_body(sched_req_t *req, json_t *body, const char *field, int required,
                      json_t *errors, sched_field_e *got, apr_int64_t *usec);

/* Reads the query parameter name into *usec; *present says whether it was given.
 * Answers 400 when it is not a valid time. */
int sched_timein_query(sched_req_t *req, const char *name, int *present,
                       apr_int64_t *usec);

#endif
