/* Paged lists: ?limit=N&after=CURSOR in, a bare JSON array and Link rel="next" out. */
#ifndef SCHED_LIST_H
#define SCHED_LIST_H

#include <libpq-fe.h>

#include "sched_http.h"

/* How a list is ordered, and so what its cursor is. */
typedef enum sched_order_e {
    SCHED_ORDER_ID,             /* by id: the cursor is the last id */
    SCHED_ORDER_TIME_ID         /* by time, then id: "<epoch microseconds>_<id>" */
} sched_order_e;

typedef struct sched_page_t {
    apr_int64_t limit;          /* rows to return */
    const char *after;          /* cursor text as given, or NULL */
    const char *after_time;     /* SCHED_ORDER_TIME_ID: its parts, as statement */
    const char *after_id;       /*   parameters (NULL without a cursor) */
    const char *fetch;          /* limit + 1, as a statement parameter */
} sched_page_t;

/* Reads limit and after (a cursor of the list's order). 400 if bad. */
int sched_list_page(sched_req_t *req, sched_order_e order, sched_page_t *page);

/* Answers a list from rows of (cursor, json). With more than page->limit rows, the
 * last is left out and Link points at the next page; keep names the query
 * parameters (filters) that the next page's URL must carry over. */
int sched_list_send(sched_req_t *req, PGresult *res, const sched_page_t *page,
                    const char *const *keep);

/* The JSON array of column col of the first n rows of res, in r->pool. */
char *sched_list_array(request_rec *r, PGresult *res, int n, int col, apr_size_t *len);

#endif
