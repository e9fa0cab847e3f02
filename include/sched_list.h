/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Paged lists: ?limit=N&after=CURSOR in, a bare JSON array and Link rel="next" out. */
#ifndef SCHED_LIST_H
#define SCHED_LIST_H

#include <libpq-fe.h>

#include "sched_http.h"
#include "sched_repr.h"

/* How a list is ordered, and so what its cursor is. */
typedef enum sched_order_e {
    SCHED_ORDER_ID,             /* by id: the cursor is the last id */
    SCHED_ORDER_TIME_ID,        /* by time, then id: "<epoch microseconds>_<id>" */
    SCHED_ORDER_XID_ID          /* the events' feed, by transaction, then id:
                                   "<xid>_<id>" (the repr's second column is the xid) */
} sched_order_e;

typedef struct sched_page_t {
    sched_order_e order;
    apr_int64_t limit;          /* rows to return */
    const char *after;          /* cursor text as given, or NULL */
    const char *after_time;     /* SCHED_ORDER_TIME_ID, SCHED_ORDER_XID_ID: its parts, */
    const char *after_id;       /*   as statement parameters (NULL without a cursor) */
    const char *fetch;          /* limit + 1, as a statement parameter */
    const char *path;           /* the list's path below the mount, for Link (NULL:
                                   "/<resource>/") */
    int always_next;            /* Link rel="next" on every page, the last included:
                                   where to ask for what comes later (a feed) */
} sched_page_t;

/* Reads limit and after (a cursor of the list's order). 400 if bad. */
int sched_list_page(sched_req_t *req, sched_order_e order, sched_page_t *page);

/* Answers a list: the rows of res as repr writes them (a single row whose id is
 * NULL is an empty page). With more than page->limit rows, the last is left out and
 * Link points at the next page, after the last row shown (its id; for
 * SCHED_ORDER_TIME_ID its start, repr's SCHED_REPR_SLOT_START column, too; for
 * SCHED_ORDER_XID_ID its xid, SCHED_REPR_EVENT_XID); keep names the query parameters
 * (filters) that the next page's URL must carry over. */
int sched_list_send(sched_req_t *req, const PGresult *res, const sched_page_t *page,
                    const char *const *keep, const sched_repr_t *repr);

/* The JSON array of the first n rows of res as repr writes them, in r->pool. */
const char *sched_list_array(request_rec *r, const PGresult *res, int n,
                             const sched_repr_t *repr, apr_size_t *len);

#endif
