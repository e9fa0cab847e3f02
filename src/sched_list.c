/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Paged lists. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_limits.h"
#include "sched_list.h"
#include "sched_parse.h"
#include "sched_row.h"

int sched_list_page(sched_req_t *req, sched_order_e order, sched_page_t *page)
{
    const char *v;
    apr_int64_t after, usec;
    int rv, valid;

    page->order = order;
    page->limit = req->conf->page_size;
    if ((rv = sched_query_get(req, "limit", &v)) != OK) {
        return rv;
    }
    if (v && sched_parse_int(v, 1, SCHED_MAX_PAGE_SIZE, &page->limit) != NULL) {
        return sched_problem(req->r, HTTP_BAD_REQUEST, "query parameter limit must be an "
                             "integer from 1 to " SCHED_STR(SCHED_MAX_PAGE_SIZE), NULL);
    }
    if ((rv = sched_query_get(req, "after", &page->after)) != OK) {
        return rv;
    }
    page->after_time = page->after_id = page->path = NULL;
    page->always_next = 0;
    if (page->after && order != SCHED_ORDER_ID) {
        valid = sched_parse_time_cursor(page->after, &usec, &after)
                && (order == SCHED_ORDER_TIME_ID || usec >= 0);
        if (valid) {
            page->after_time = sched_i64(req->r, usec);
            page->after_id = sched_i64(req->r, after);
        }
    }
    else {
        valid = page->after == NULL || sched_parse_id_cursor(page->after, &after);
    }
    if (page->after && !valid) {
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             "query parameter after must be a cursor from a Link header",
                             NULL);
    }
    page->fetch = sched_i64(req->r, page->limit + 1);
    return OK;
}

/* The URL of the next page: same path, the kept filters, limit and after. */
static const char *sched_list_next(sched_req_t *req, const sched_page_t *page,
                                   const char *const *keep, const char *cursor)
{
    request_rec *r = req->r;
    const char *url = page->path
                      ? apr_pstrcat(r->pool, req->base_url, page->path, "?", NULL)
                      : apr_pstrcat(r->pool, req->base_url, "/", req->route.resource,
                                    "/?", NULL);
    for (; keep && *keep; keep++) {
        const char *v;
        if (sched_query_lookup(req->query, *keep, &v) == SCHED_QUERY_OK) {
            url = apr_pstrcat(r->pool, url, *keep, "=", ap_escape_urlencoded(r->pool, v),
                              "&", NULL);
        }
    }
    return apr_psprintf(r->pool, "<%slimit=%" APR_INT64_T_FMT "&after=%s>; rel=\"next\"",
                        url, page->limit, ap_escape_urlencoded(r->pool, cursor));
}

const char *sched_list_array(request_rec *r, const PGresult *res, int n,
                             const sched_repr_t *repr, apr_size_t *len)
{
    sched_jsonw_t w;
    int i;

    sched_jsonw_init(&w, r->pool, 64 + (apr_size_t)n * 160);
    sched_jsonw_open(&w, NULL, '[');
    for (i = 0; i < n; i++) {
        repr->write(&w, res, i, repr->cols);
    }
    sched_jsonw_close(&w, ']');
    return sched_jsonw_text(&w, len);
}

/* The cursor of a row: its id, "<start in epoch microseconds>_<id>" or
 * "<xid>_<id>". */
static const char *sched_list_cursor(request_rec *r, const PGresult *res, int row,
                                     const sched_page_t *page, const sched_repr_t *repr)
{
    apr_int64_t id = sched_row_int(res, row, repr->cols[0]), key = 0;
    switch (page->order) {
    case SCHED_ORDER_ID:
        return sched_i64(r, id);
    case SCHED_ORDER_TIME_ID:
        sched_row_time(res, row, repr->cols[SCHED_REPR_SLOT_START], &key);
        break;
    case SCHED_ORDER_XID_ID:
        key = sched_row_int(res, row, repr->cols[SCHED_REPR_EVENT_XID]);
        break;
    }
    return apr_psprintf(r->pool, "%" APR_INT64_T_FMT "_%" APR_INT64_T_FMT, key, id);
}

/* The cursor of an empty last page of a feed: the one it was asked with. */
static const char *sched_list_cursor_same(const sched_page_t *page)
{
    return page->after ? page->after : "0_0";
}

int sched_list_send(sched_req_t *req, const PGresult *res, const sched_page_t *page,
                    const char *const *keep, const sched_repr_t *repr)
{
    request_rec *r = req->r;
    int rows = PQntuples(res), n;
    apr_size_t len;
    const char *body;

    if (rows == 1 && sched_row_null(res, 0, repr->cols[0])) {
        rows = 0;
    }
    n = rows > page->limit ? (int)page->limit : rows;
    body = sched_list_array(r, res, n, repr, &len);
    if (rows > page->limit || page->always_next) {
        apr_table_setn(r->headers_out, "Link", sched_list_next(req, page, keep,
                       n > 0 ? sched_list_cursor(r, res, n - 1, page, repr)
                             : sched_list_cursor_same(page)));
    }
    return sched_send_list(r, body, len);
}
