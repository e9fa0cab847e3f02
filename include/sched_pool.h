/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* A bound on waiting for a database connection.
 *
 * mod_dbd lends each process at most DBDMax connections and makes the next thread
 * that wants one wait for as long as it takes: with every connection held by a
 * slow statement or a stuck lock, requests pile up with no answer. mod_sched waits
 * for a connection at most SchedPoolWait, then answers 503. It counts the
 * connections it has lent against DBDMax, read from the configuration tree when
 * httpd starts (mod_dbd keeps its own settings private), so it asks mod_dbd for one
 * only when one is free. Nothing here is held across a request: a connection is
 * taken for a statement and given back at once (sched_conn.h). */
#ifndef SCHED_POOL_H
#define SCHED_POOL_H

#include "sched_private.h"

/* post_config: each server's DBDriver, DBDParams, DBDMax and DBDPersist, and which
 * servers share the main server's pool (a virtual host without DBD directives of its
 * own). Strings in p. */
void sched_pool_configure(apr_pool_t *p, server_rec *main_server);

/* child_init: the counters of this process. */
apr_status_t sched_pool_child_init(apr_pool_t *pchild, server_rec *main_server);

/* Takes a place for one connection of s's pool, waiting at most wait. APR_SUCCESS,
 * or APR_TIMEUP when none came free in time. */
apr_status_t sched_pool_enter(server_rec *s, apr_interval_time_t wait);

/* Gives the place back. */
void sched_pool_leave(server_rec *s);

/* The places of s's pool: DBDMax, or 0 when there is no limit to keep. */
int sched_pool_size(server_rec *s);

/* The libpq connection string of s's pool (DBDParams with DBDriver pgsql), or NULL;
 * *own says whether s has a pool of its own (else it shares the main server's). */
const char *sched_pool_params(server_rec *s, int *own);

#endif
