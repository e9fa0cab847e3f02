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

/* child_init: the counters of this process. They must exist before anything of the
 * process can take a connection: mod_sched's child_init runs before mod_watchdog's,
 * which starts the threads of the background tasks. */
apr_status_t sched_pool_child_init(apr_pool_t *pchild, server_rec *main_server);

/* The counter of one pool's places. */
typedef struct sched_gate_t sched_gate_t;

/* Takes a place for one connection of s's pool, waiting at most wait. APR_SUCCESS,
 * or APR_TIMEUP when none came free in time. *gate is the counter the place was
 * taken from, NULL when none is kept (no limit, or no counters yet): what
 * sched_pool_leave gives it back to, so that a place is never given back to a
 * counter it was not taken from. */
apr_status_t sched_pool_enter(server_rec *s, apr_interval_time_t wait, sched_gate_t **gate);

/* Gives back the place that sched_pool_enter took from gate (nothing when NULL). */
void sched_pool_leave(sched_gate_t *gate);

/* The places of s's pool: DBDMax, or 0 when there is no limit to keep. */
int sched_pool_size(server_rec *s);

/* The libpq connection string of s's pool (DBDParams with DBDriver pgsql), or NULL;
 * *own says whether s has a pool of its own (else it shares the main server's). */
const char *sched_pool_params(server_rec *s, int *own);

#endif
