/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* What a request body said (sched_body.h), as statement parameters: text in r->pool,
 * NULL for what the body left out (the statements read NULL as "unchanged", or as
 * their default). */
#ifndef SCHED_PARAMS_H
#define SCHED_PARAMS_H

#include "sched_http.h"
#include "sched_body.h"

/* ID, INT, BOOL: the number ("true"/"false" for BOOL); NULL when absent or null. */
const char *sched_param_int(request_rec *r, const sched_body_value_t *v);
const char *sched_param_bool(request_rec *r, const sched_body_value_t *v);
/* STRING, DATE: the text. */
const char *sched_param_text(const sched_body_value_t *v);
/* TIME: RFC 3339 UTC. */
const char *sched_param_time(request_rec *r, const sched_body_value_t *v);
/* INTERVALS: the array as compact JSON (a jsonb parameter). */
const char *sched_param_json(request_rec *r, const sched_body_value_t *v);
/* STRINGS: a text[] literal. */
const char *sched_param_strings(request_rec *r, const sched_body_value_t *v);
/* Whether the body gave the field at all (null included). */
int sched_param_given(const sched_body_value_t *v);

#endif
