/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The module's work in the background, inside httpd: see sched_watchdog.c. */
#ifndef SCHED_WATCHDOG_H
#define SCHED_WATCHDOG_H

#include "sched_private.h"

/* post_config: registers the task with mod_watchdog. Without mod_watchdog it says
 * so (schedctl materialize does the work by hand) and httpd starts all the same. */
int sched_watchdog_init(apr_pool_t *pconf, server_rec *main_server);

#endif
