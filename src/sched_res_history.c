/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* What changed: GET /{collection}/{id}/history/ (the changes of one object) and
 * GET /events/ (the feed of every change, superusers). The database writes the
 * events (sql/007); these read them. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_list.h"
#include "sched_res.h"
#include "sched_row.h"

static const sched_repr_t sched_history_repr = SCHED_REPR_HISTORY(HISTORY_LIST);
static const sched_repr_t sched_events_repr = SCHED_REPR_EVENT(EVENTS_LIST);

int sched_res_history(sched_req_t *req, const sched_resource_t *res)
{
    request_rec *r = req->r;
    sched_page_t page;
    const char *params[4];
    PGresult *pg;
    int rv;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK) {
        return rv;
    }
    page.path = apr_psprintf(r->pool, "/%s/%" APR_INT64_T_FMT "/history/", res->name,
                             req->route.id);
    params[0] = res->object;
    params[1] = sched_i64(r, req->route.id);
    params[2] = page.after;
    params[3] = page.fetch;
    if ((rv = sched_db_exec(r, SCHED_STMT_HISTORY_LIST, 4, params, &pg)) != OK) {
        return rv;
    }
    if (PQntuples(pg) < 1 || !sched_row_bool(pg, 0, SCHED_HISTORY_LIST__FOUND)) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    return sched_list_send(req, pg, &page, NULL, &sched_history_repr);
}

static int sched_events_list(sched_req_t *req)
{
    sched_page_t page;
    const char *params[3];
    PGresult *pg;
    int rv;

    if ((rv = sched_list_page(req, SCHED_ORDER_XID_ID, &page)) != OK) {
        return rv;
    }
    page.always_next = 1;
    params[0] = page.after_time;
    params[1] = page.after_id;
    params[2] = page.fetch;
    if ((rv = sched_db_exec(req->r, SCHED_STMT_EVENTS_LIST, 3, params, &pg)) != OK) {
        return rv;
    }
    if (PQntuples(pg) < 1 || !sched_row_bool(pg, 0, SCHED_EVENTS_LIST__ALLOWED)) {
        return sched_problem(req->r, HTTP_FORBIDDEN, "only superusers read the events",
                             NULL);
    }
    return sched_list_send(req, pg, &page, NULL, &sched_events_repr);
}

const sched_resource_t sched_res_events = { .name = "events", .list = sched_events_list };
