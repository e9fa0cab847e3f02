/* The request's database connection, from mod_dbd's pool, kept usable across
 * database restarts for mod_sched and for the other modules that share it. */
#ifndef SCHED_CONN_H
#define SCHED_CONN_H

#include <libpq-fe.h>

#include "sched_private.h"
#include "sched_sql.h"

/* Looks up mod_dbd's ap_dbd_acquire; fails start-up when mod_dbd is not loaded. */
int sched_conn_init(server_rec *s);

/* The request's connection, ready for a statement: reconnected if the server had
 * closed it, and after any reconnect (ours or mod_dbd's) the statements that other
 * modules prepared through mod_dbd (mod_authn_dbd's query, say) prepared again.
 * *prepared is this connection's record of which of sched_stmts it has prepared.
 * NULL (with *why) when the database cannot be reached. */
PGconn *sched_conn_get(request_rec *r, unsigned char **prepared, const char **why);

#endif
