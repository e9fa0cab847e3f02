/* Paged lists: ?limit=N&after=CURSOR in, a bare JSON array and Link rel="next" out. */
#ifndef SCHED_LIST_H
#define SCHED_LIST_H

#include <libpq-fe.h>

#include "sched_http.h"

typedef struct sched_page_t {
    apr_int64_t limit;          /* rows to return */
    const char *after;          /* cursor text as given, or NULL */
    const char *fetch;          /* limit + 1, as a statement parameter */
} sched_page_t;

/* Reads limit and after (after must be an id for id-ordered lists). 400 if bad. */
int sched_list_page(sched_req_t *req, sched_page_t *page);

/* Answers a list from rows of (cursor, json). With more than page->limit rows, the
 * last is left out and Link points at the next page; keep names the query
 * parameters (filters) that the next page's URL must carry over. */
int sched_list_send(sched_req_t *req, PGresult *res, const sched_page_t *page,
                    const char *const *keep);

#endif
