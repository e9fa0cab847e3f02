/* Paged lists. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_list.h"
#include "sched_parse.h"

int sched_list_page(sched_req_t *req, sched_order_e order, sched_page_t *page)
{
    const char *v;
    apr_int64_t after, usec;
    int rv, valid;

    page->limit = req->conf->page_size;
    if ((rv = sched_query_get(req, "limit", &v)) != OK) {
        return rv;
    }
    if (v && sched_parse_int(v, 1, SCHED_MAX_PAGE_SIZE, &page->limit) != NULL) {
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             "query parameter limit must be an integer from 1 to 1000",
                             NULL);
    }
    if ((rv = sched_query_get(req, "after", &page->after)) != OK) {
        return rv;
    }
    page->after_time = page->after_id = NULL;
    if (page->after && order == SCHED_ORDER_TIME_ID) {
        valid = sched_parse_time_cursor(page->after, &usec, &after);
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
    const char *url = apr_pstrcat(r->pool, req->base_url, "/", req->route.resource,
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

char *sched_list_array(request_rec *r, PGresult *res, int n, int col, apr_size_t *len)
{
    apr_size_t size = 2, at = 0;
    char *body;
    int i;

    for (i = 0; i < n; i++) {
        size += (apr_size_t)PQgetlength(res, i, col) + 1;
    }
    body = apr_palloc(r->pool, size + 1);
    body[at++] = '[';
    for (i = 0; i < n; i++) {
        if (i) {
            body[at++] = ',';
        }
        memcpy(body + at, PQgetvalue(res, i, col), (apr_size_t)PQgetlength(res, i, col));
        at += (apr_size_t)PQgetlength(res, i, col);
    }
    body[at++] = ']';
    *len = at;
    return body;
}

int sched_list_send(sched_req_t *req, PGresult *res, const sched_page_t *page,
                    const char *const *keep)
{
    request_rec *r = req->r;
    int rows = PQntuples(res), n = rows > page->limit ? (int)page->limit : rows;
    apr_size_t len;
    char *body = sched_list_array(r, res, n, 1, &len);

    if (rows > page->limit) {
        apr_table_setn(r->headers_out, "Link",
                       sched_list_next(req, page, keep, PQgetvalue(res, n - 1, 0)));
    }
    return sched_send_json(r, HTTP_OK, body, len);
}
