/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Database connections from mod_dbd's pool, lent for one statement at a time and
 * kept usable across database restarts, for mod_sched and for the other modules
 * that share the pool. */
#ifndef SCHED_CONN_H
#define SCHED_CONN_H

#include <libpq-fe.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "sched_private.h"
#include "sched_pool.h"
#include "sched_sql.h"

/* A connection lent to a request. */
typedef struct sched_conn_t {
    PGconn *pg;
    unsigned char *prepared;    /* which of sched_stmts this backend has prepared */
    ap_dbd_t *dbd;
    sched_gate_t *gate;         /* the place it holds in the pool's counter */
    int bound;                  /* held by the request until its end (see below) */
} sched_conn_t;

/* post_config: mod_dbd's functions; fails start-up when mod_dbd is not loaded. */
int sched_conn_init(server_rec *s);

/* A connection ready for a statement, after waiting at most wait for a free one:
 * reconnected if the server had closed it, and after any reconnect (ours or
 * mod_dbd's) the statements other modules prepared through mod_dbd prepared again.
 * NULL with *why when none came free in time (*busy set) or the database cannot be
 * reached. Give it back with sched_conn_close as soon as the statement is done. */
sched_conn_t *sched_conn_open(request_rec *r, apr_interval_time_t wait, const char **why,
                              int *busy);

/* Gives c back to the pool (a transaction left open is rolled back first); a bound
 * connection stays with its request. */
void sched_conn_close(request_rec *r, sched_conn_t *c);

/* Whether the pool's connections carry statements of an authentication module
 * (mod_authn_dbd's query, mod_authz_dbd's): such a module authenticates on the
 * connection mod_dbd gives the request, and holds it until the request ends. Other
 * modules' statements (mod_session_dbd's) are prepared again after a reset too, but
 * do not make the pool shared in this sense. */
int sched_conn_shared(void);

/* Whether sched_conn_shared knows yet: a connection of this process was seen. */
int sched_conn_known(void);

/* Before such a module authenticates: takes the request's connection (the one it
 * will be given) for the whole request and makes it usable, as sched_conn_open
 * does; mod_sched's statements of this request then run on it too. OK, or the
 * reason in *why. */
int sched_conn_bind(request_rec *r, apr_interval_time_t wait, const char **why,
                    int *busy);

#endif
