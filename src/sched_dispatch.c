/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* From a request to an endpoint: route the path, pick the function for the method,
 * answer 404, 405 (with Allow) and OPTIONS here. */
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <strings.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_config.h"
#include "sched_mount.h"
#include "sched_res.h"

static const sched_resource_t *const sched_resources[] = {
    &sched_res_users, &sched_res_clients, &sched_res_providers, &sched_res_slots,
    &sched_res_reservations, &sched_res_schedules, &sched_res_overrides,
    &sched_res_time_off, &sched_res_events, &sched_res_webhooks, &sched_res_calendar_feeds,
    &sched_res_calendar, &sched_res_health, &sched_res_openapi, NULL
};

/* The functions serving one path, by method. */
typedef struct sched_methods_t {
    sched_endpoint_fn get, post, put, patch, delete;
} sched_methods_t;

#define SCHED_HISTORY "history"

static const sched_resource_t *sched_resource_find(const char *name);

/* GET /name/{id}/history/: the endpoint of every resource with an object name. */
static int sched_history_get(sched_req_t *req)
{
    return sched_res_history(req, sched_resource_find(req->route.resource));
}

static const sched_resource_t *sched_resource_find(const char *name)
{
    const sched_resource_t *const *res;
    for (res = sched_resources; *res; res++) {
        if (strcmp((*res)->name, name) == 0) {
            return *res;
        }
    }
    return NULL;
}

static const sched_action_t *sched_action_find(const sched_resource_t *res,
                                               const char *name)
{
    const sched_action_t *a;
    for (a = res->actions; a && a->name; a++) {
        if (strcmp(a->name, name) == 0) {
            return a;
        }
    }
    return NULL;
}

/* Fills m for the route; returns 0 when the path names nothing. */
static int sched_methods_for(const sched_route_t *route, sched_methods_t *m)
{
    const sched_resource_t *res;
    const sched_action_t *action;

    memset(m, 0, sizeof(*m));
    if (route->target == SCHED_TARGET_ROOT) {
        m->get = sched_res_root;
        return 1;
    }
    if (route->target == SCHED_TARGET_NONE
        || (res = sched_resource_find(route->resource)) == NULL) {
        return 0;
    }
    switch (route->target) {
    case SCHED_TARGET_COLLECTION:
        m->get = res->list;
        m->post = res->create;
        break;
    case SCHED_TARGET_ITEM:
        m->get = res->read;
        m->put = res->change;
        m->patch = res->change;
        m->delete = res->remove;
        break;
    case SCHED_TARGET_ME:
        m->get = res->me;
        break;
    case SCHED_TARGET_FILE:
        m->get = res->file;
        break;
    case SCHED_TARGET_ACTION:
        if (res->object && strcmp(route->action, SCHED_HISTORY) == 0) {
            m->get = sched_history_get;
            break;
        }
        action = sched_action_find(res, route->action);
        m->post = action ? action->post : NULL;
        m->get = action ? action->get : NULL;
        break;
    case SCHED_TARGET_ITEM_ACTION:
        action = sched_action_find(res, route->action);
        if (action && action->item_action
            && strcmp(action->item_action, route->sub_action) == 0) {
            m->post = action->item_post;
        }
        break;
    default:
        break;
    }
    return m->get || m->post || m->put || m->patch || m->delete;
}

static const char *sched_allow(request_rec *r, const sched_methods_t *m)
{
    return apr_pstrcat(r->pool, m->get ? "GET, HEAD, " : "", m->post ? "POST, " : "",
                       m->put ? "PUT, " : "", m->patch ? "PATCH, " : "",
                       m->delete ? "DELETE, " : "", "OPTIONS", NULL);
}

static sched_endpoint_fn sched_method_fn(request_rec *r, const sched_methods_t *m)
{
    switch (r->method_number) {
    case M_GET:    return m->get;      /* HEAD too: httpd drops the body */
    case M_POST:   return m->post;
    case M_PUT:    return m->put;
    case M_PATCH:  return m->patch;
    case M_DELETE: return m->delete;
    default:       return NULL;
    }
}

/* What SchedPublicAvailability opens to anonymous readers: the bookable slots and
 * what they follow from. */
static int sched_public_resource(const char *name)
{
    static const char *const names[] = {
        "available_slots", "schedules", "schedule_overrides", "time_off", NULL
    };
    const char *const *n;
    for (n = names; *n && strcmp(*n, name) != 0; n++) {
    }
    return *n != NULL;
}

/* Without an authenticated user (and without SchedOpenAccess) only the service
 * endpoints and the files of resources (a calendar feed, whose token is the
 * credential) answer, and reading slots when SchedPublicAvailability is on. */
static int sched_anonymous_ok(const sched_req_t *req)
{
    const sched_route_t *route = &req->route;
    if (req->r->user || req->conf->open_access || req->r->method_number == M_OPTIONS
        || route->target == SCHED_TARGET_ROOT || route->target == SCHED_TARGET_FILE) {
        return 1;
    }
    if (strcmp(route->resource, "health") == 0
        || strcmp(route->resource, "openapi.json") == 0) {
        return 1;
    }
    return req->conf->public_availability && req->r->method_number == M_GET
           && sched_public_resource(route->resource)
           && (route->target == SCHED_TARGET_COLLECTION
               || route->target == SCHED_TARGET_ITEM);
}

/* A write of one resource (PUT, PATCH, DELETE, or an action: confirm, cancel)
 * without If-Match, where SchedRequireIfMatch is On: 428. Creates are not such
 * writes (there is nothing to match yet). */
static int sched_needs_if_match(const sched_req_t *req)
{
    int m = req->r->method_number;
    return req->conf->require_if_match
           && (m == M_PUT || m == M_PATCH || m == M_DELETE
               || (m == M_POST && req->route.target == SCHED_TARGET_ACTION))
           && apr_table_get(req->r->headers_in, "If-Match") == NULL;
}

/* Where SchedSameOrigin is On (the mount a browser session uses), a write must come
 * from a page of this very origin, else a page of another site could make the
 * browser act for its logged-in user: Sec-Fetch-Site says so where the browser sends
 * it (every current one does), else Origin must be this server's own. A request with
 * neither is refused too: browsers send one of them with every write, and other
 * clients have the Basic mount. Reads are not checked: no CORS header lets another
 * site read the answer. */
static int sched_cross_site(const sched_req_t *req)
{
    request_rec *r = req->r;
    const char *site, *origin;
    int m = r->method_number;

    if (!req->conf->same_origin || m == M_GET || m == M_OPTIONS) {
        return 0;
    }
    if ((site = apr_table_get(r->headers_in, "Sec-Fetch-Site")) != NULL) {
        return strcmp(site, "same-origin") != 0;
    }
    origin = apr_table_get(r->headers_in, "Origin");
    return origin == NULL || strcasecmp(origin, ap_construct_url(r->pool, "", r)) != 0;
}

/* 401, with WWW-Authenticate when httpd has an AuthType for this location. */
static int sched_unauthorized(request_rec *r)
{
    if (ap_auth_type(r)) {
        ap_note_auth_failure(r);
    }
    return sched_problem(r, HTTP_UNAUTHORIZED, "authentication required", NULL);
}

int sched_dispatch(request_rec *r)
{
    sched_req_t *req = apr_pcalloc(r->pool, sizeof(*req));
    sched_methods_t m;
    sched_endpoint_fn fn;

    req->r = r;
    req->conf = sched_config_get(r);
    req->mount = sched_mount_of(r);
    if (req->mount == NULL) {
        req->mount = "";    /* SetHandler sched where sched_mount.h does not look */
    }
    req->base_url = ap_construct_url(r->pool, req->mount, r);
    if (sched_route_match(r->pool, req->mount, r->uri, &req->route) == SCHED_TARGET_NONE) {
        sched_route_file(r->pool, req->mount, r->uri, &req->route);
    }
    if (!sched_methods_for(&req->route, &m)) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    if (!sched_anonymous_ok(req)) {
        return sched_unauthorized(r);
    }
    if (r->method_number == M_OPTIONS) {
        ap_discard_request_body(r);
        apr_table_setn(r->headers_out, "Allow", sched_allow(r, &m));
        return sched_send_no_content(r);
    }
    if ((fn = sched_method_fn(r, &m)) == NULL) {
        apr_table_setn(r->err_headers_out, "Allow", sched_allow(r, &m));
        return sched_problem(r, HTTP_METHOD_NOT_ALLOWED,
                             apr_psprintf(r->pool, "%s is not allowed here", r->method),
                             NULL);
    }
    if (sched_cross_site(req)) {
        return sched_problem(r, HTTP_FORBIDDEN, "a write from another site (or with "
                             "neither Sec-Fetch-Site nor Origin) is refused here", NULL);
    }
    if (sched_needs_if_match(req)) {
        return sched_problem(r, HTTP_PRECONDITION_REQUIRED, "this server changes a resource "
                             "only with If-Match: GET it, then send its ETag", NULL);
    }
    if (r->method_number == M_GET || r->method_number == M_DELETE) {
        ap_discard_request_body(r);
    }
    req->query = sched_query_parse(r->pool, r->args);
    req->replace = r->method_number == M_PUT;
    return fn(req);
}
