/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* At start-up, the module's statements against the database: each is prepared and
 * what it answers compared with its header (sched_sql_verify). A statement that
 * answers other columns than the module reads stops httpd, with a message that
 * names it. A database that cannot be reached, or a schema that is not current
 * (schedctl migrate), is logged and does not stop it: requests get 503 until the
 * database is there, and the check runs again on every restart. */
#ifndef SCHED_STARTUP_H
#define SCHED_STARTUP_H

#include "sched_private.h"

/* OK, or HTTP_INTERNAL_SERVER_ERROR when httpd must not start. */
int sched_startup_check(apr_pool_t *ptemp, server_rec *main_server);

#endif
