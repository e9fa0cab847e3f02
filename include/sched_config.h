/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Directives: the table, the setters and the per-directory config life cycle. */
#ifndef SCHED_CONFIG_H
#define SCHED_CONFIG_H

#include "sched_private.h"

extern const command_rec sched_cmds[];

void *sched_config_create(apr_pool_t *p, char *dir);
void *sched_config_merge(apr_pool_t *p, void *basev, void *addv);

/* The effective configuration of a request, defaults applied: a copy in r->pool,
 * made once per request by the dispatcher (req->conf). */
const sched_config_t *sched_config_get(request_rec *r);

#endif
