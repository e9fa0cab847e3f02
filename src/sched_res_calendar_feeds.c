/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /calendar_feeds/: the secret URLs of calendars that applications subscribe to, one
 * per provider's or client's feed (the calendar itself: sched_res_calendar.c). A feed
 * is made, read, listed and revoked; never changed. Its token is shown once, in the
 * answer that makes it; the database keeps only its hash. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_feed.h"
#include "sched_json.h"
#include "sched_list.h"
#include "sched_params.h"
#include "sched_res.h"
#include "sched_row.h"

static const sched_repr_t sched_feeds_list_repr =
    SCHED_REPR_CALENDAR_FEED(CALENDAR_FEEDS_LIST);
static const sched_repr_t sched_feeds_get_repr =
    SCHED_REPR_CALENDAR_FEED(CALENDAR_FEEDS_GET);
static const sched_repr_t sched_feeds_create_repr =
    SCHED_REPR_CALENDAR_FEED(CALENDAR_FEEDS_CREATE);

static int sched_feeds_list(sched_req_t *req)
{
    static const char *const keep[] = { "provider", "client", NULL };
    sched_page_t page;
    apr_int64_t provider, client;
    int has_provider, has_client, rv;
    const char *params[4];
    PGresult *res;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK
        || (rv = sched_query_id(req, "provider", &provider, &has_provider)) != OK
        || (rv = sched_query_id(req, "client", &client, &has_client)) != OK) {
        return rv;
    }
    params[0] = page.after;
    params[1] = has_provider ? sched_i64(req->r, provider) : NULL;
    params[2] = has_client ? sched_i64(req->r, client) : NULL;
    params[3] = page.fetch;
    rv = sched_db_exec(req->r, SCHED_STMT_CALENDAR_FEEDS_LIST, 4, params, &res);
    return rv != OK ? rv : sched_list_send(req, res, &page, keep, &sched_feeds_list_repr);
}

static int sched_feeds_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_CALENDAR_FEEDS_GET, req->route.id,
                            &sched_feeds_get_repr);
}

/* A feed is of exactly one provider or client: 400 naming both fields otherwise. */
static int sched_feeds_owner(sched_req_t *req, const sched_body_value_t *v)
{
    int provider = v[SCHED_FEED_PROVIDER].got == SCHED_FIELD_OK;
    int client = v[SCHED_FEED_CLIENT].got == SCHED_FIELD_OK;
    const char *why = provider ? "give provider or client, not both"
                               : "give provider or client";
    json_t *errors;

    if (provider != client) {
        return OK;
    }
    errors = sched_json_object(req->r);
    sched_json_error_add(errors, "provider", why);
    sched_json_error_add(errors, "client", why);
    return sched_problem_invalid(req->r, errors);
}

/* 201 with the feed and, this once, its URL: below the mount point that served the
 * request, so that it goes through the same <Location> (README: Calendar feeds). */
static int sched_feeds_send_created(sched_req_t *req, const PGresult *res,
                                    const char *token)
{
    const char *url = apr_pstrcat(req->r->pool, req->base_url, "/calendar/", token, ".ics",
                                  NULL);
    const char *json;
    sched_jsonw_t w;
    apr_size_t len;

    sched_jsonw_init(&w, req->r->pool, 512);
    sched_jsonw_open(&w, NULL, '{');
    sched_repr_calendar_feed_members(&w, res, 0, sched_feeds_create_repr.cols);
    sched_jsonw_str(&w, "url", url, strlen(url));
    sched_jsonw_close(&w, '}');
    json = sched_jsonw_text(&w, &len);
    sched_set_etag(req->r, sched_row_text(res, 0, SCHED_CALENDAR_FEEDS_CREATE__ETAG, NULL), 0);
    return sched_send_created(req, sched_row_int(res, 0, SCHED_CALENDAR_FEEDS_CREATE__ID),
                              json, len);
}

static int sched_feeds_create(sched_req_t *req)
{
    sched_body_value_t v[SCHED_FEED_FIELDS];
    const char *params[4], *token;
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_calendar_feeds, 1, v);

    if (rv != OK || (rv = sched_feeds_owner(req, v)) != OK) {
        return rv;
    }
    if ((token = sched_feed_token_new(req->r)) == NULL
        || (params[2] = sched_feed_sha256_hex(req->r, token, strlen(token))) == NULL) {
        return sched_problem(req->r, HTTP_INTERNAL_SERVER_ERROR,
                             "the server could not make a token", NULL);
    }
    params[0] = sched_param_int(req->r, &v[SCHED_FEED_PROVIDER]);
    params[1] = sched_param_int(req->r, &v[SCHED_FEED_CLIENT]);
    params[3] = sched_param_text(&v[SCHED_FEED_NAME]);
    if ((rv = sched_db_exec(req->r, SCHED_STMT_CALENDAR_FEEDS_CREATE, 4, params, &res)) != OK
        || (rv = sched_db_allowed(req->r, res)) != OK) {
        return rv;
    }
    if (!sched_row_bool(res, 0, SCHED_CALENDAR_FEEDS_CREATE__OWNER_FOUND)) {
        return params[0] ? sched_problem_field(req->r, HTTP_BAD_REQUEST, "provider",
                                               "no such provider")
                         : sched_problem_field(req->r, HTTP_BAD_REQUEST, "client",
                                               "no such client");
    }
    return sched_feeds_send_created(req, res, token);
}

static int sched_feeds_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_CALENDAR_FEEDS_DELETE, req->route.id);
}

const sched_resource_t sched_res_calendar_feeds = {
    .name = "calendar_feeds",
    .list = sched_feeds_list, .create = sched_feeds_create,
    .read = sched_feeds_read, .remove = sched_feeds_remove
};
