/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /webhooks/ (superusers): where the events go. A webhook has a URL, the event types
 * it wants ("*": all), a signing secret answered once, when it is made, and whether
 * it is active. GET /webhooks/{id}/deliveries/ lists the attempts to deliver its
 * events, and POST /webhooks/{id}/deliveries/{attempt}/retry/ sends one again now.
 * The sender inside httpd delivers them (sched_sender.c). */
#include <http_protocol.h>
#include <apr_network_io.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_hook.h"
#include "sched_list.h"
#include "sched_netallow.h"
#include "sched_params.h"
#include "sched_res.h"
#include "sched_row.h"
#include "sched_server.h"

static const sched_repr_t sched_webhooks_list_repr = SCHED_REPR_WEBHOOK(WEBHOOKS_LIST);
static const sched_repr_t sched_webhooks_get_repr = SCHED_REPR_WEBHOOK(WEBHOOKS_GET);
static const sched_repr_t sched_webhooks_update_repr = SCHED_REPR_WEBHOOK(WEBHOOKS_UPDATE);
static const sched_repr_t sched_webhooks_create_repr =
    SCHED_REPR_WEBHOOK_SECRET(WEBHOOKS_CREATE);
static const sched_repr_t sched_attempts_repr = SCHED_REPR_ATTEMPT(WEBHOOK_DELIVERIES_LIST);

#define SCHED_WEBHOOKS_FORBIDDEN "only superusers manage webhooks"

/* What is wrong with the URL's host, for SchedWebhookAllow: an address it names (or
 * a name resolves to) that may not be reached. A name that does not resolve now is
 * let through: the sender checks every address it connects to, on every attempt.
 * NULL when it is fine. */
static const char *sched_webhook_target(request_rec *r, const char *host)
{
    const sched_netallow_t *allow = sched_server_webhook_allow(r->server);
    apr_sockaddr_t *sa, *a;
    char *ip;

    if (apr_sockaddr_info_get(&sa, host, APR_UNSPEC, 80, 0, r->pool) != APR_SUCCESS) {
        return NULL;
    }
    for (a = sa; a; a = a->next) {
        int family = a->family == APR_INET ? 4 : 6;
        if (!sched_netallow_check(allow, family, a->ipaddr_ptr)) {
            apr_sockaddr_ip_get(&ip, a);
            return apr_psprintf(r->pool, "reaches %s, an address that SchedWebhookAllow "
                                "does not allow", ip);
        }
    }
    return NULL;
}

/* The URL of a body that gives one: its shape, then where it leads. OK, or 400. */
static int sched_webhook_url(sched_req_t *req, const sched_body_value_t *url)
{
    char host[SCHED_HOOK_HOST_MAX + 1];
    const char *why;

    if (url->got != SCHED_FIELD_OK) {
        return OK;
    }
    if ((why = sched_hook_url_check(url->s, host, sizeof(host))) == NULL) {
        why = sched_webhook_target(req->r, host);
    }
    return why ? sched_problem_field(req->r, HTTP_BAD_REQUEST, "url", why) : OK;
}

static int sched_webhooks_list(sched_req_t *req)
{
    sched_page_t page;
    const char *params[2];
    PGresult *res;
    int rv;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK) {
        return rv;
    }
    params[0] = page.after;
    params[1] = page.fetch;
    if ((rv = sched_db_exec(req->r, SCHED_STMT_WEBHOOKS_LIST, 2, params, &res)) != OK) {
        return rv;
    }
    if (PQntuples(res) < 1 || !sched_row_bool(res, 0, SCHED_WEBHOOKS_LIST__ALLOWED)) {
        return sched_problem(req->r, HTTP_FORBIDDEN, SCHED_WEBHOOKS_FORBIDDEN, NULL);
    }
    return sched_list_send(req, res, &page, NULL, &sched_webhooks_list_repr);
}

static int sched_webhooks_create(sched_req_t *req)
{
    request_rec *r = req->r;
    sched_body_value_t v[SCHED_WEBHOOK_FIELDS];
    unsigned char key[SCHED_HOOK_SECRET_BYTES];
    char hex[2 * SCHED_HOOK_SECRET_BYTES + 1];
    const char *params[3];
    PGresult *res;
    apr_status_t st;
    int rv = sched_read_fields(req, &sched_body_webhooks, 1, v);

    if (rv != OK || (rv = sched_webhook_url(req, &v[SCHED_WEBHOOK_URL])) != OK) {
        return rv;
    }
    if ((st = apr_generate_random_bytes(key, sizeof(key))) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, st, r, SCHED_LOGNO(00302)
                      "cannot make a webhook's secret: no random bytes");
        return sched_problem(r, HTTP_SERVICE_UNAVAILABLE, "no randomness to make a secret "
                             "with; try again", NULL);
    }
    params[0] = sched_param_text(&v[SCHED_WEBHOOK_URL]);
    params[1] = sched_param_strings(r, &v[SCHED_WEBHOOK_EVENTS]);
    ap_bin2hex(key, sizeof(key), hex);
    params[2] = apr_pstrcat(r->pool, "\\x", hex, NULL);
    rv = sched_db_exec(r, SCHED_STMT_WEBHOOKS_CREATE, 3, params, &res);
    return rv != OK ? rv : sched_db_send_created(req, res, &sched_webhooks_create_repr);
}

static int sched_webhooks_read(sched_req_t *req)
{
    const char *params[1] = { sched_i64(req->r, req->route.id) };
    PGresult *res;
    int rv = sched_db_exec(req->r, SCHED_STMT_WEBHOOKS_GET, 1, params, &res);

    if (rv != OK) {
        return rv;
    }
    if (PQntuples(res) < 1 || !sched_row_bool(res, 0, SCHED_WEBHOOKS_GET__ALLOWED)) {
        return sched_problem(req->r, HTTP_FORBIDDEN, SCHED_WEBHOOKS_FORBIDDEN, NULL);
    }
    return sched_db_send_one(req->r, HTTP_OK, res, &sched_webhooks_get_repr);
}

static int sched_webhooks_change(sched_req_t *req)
{
    request_rec *r = req->r;
    sched_body_value_t v[SCHED_WEBHOOK_FIELDS];
    const char *params[4];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_webhooks, 0, v);

    if (rv != OK || (rv = sched_webhook_url(req, &v[SCHED_WEBHOOK_URL])) != OK) {
        return rv;
    }
    params[0] = sched_i64(r, req->route.id);
    params[1] = sched_param_text(&v[SCHED_WEBHOOK_URL]);
    params[2] = sched_param_strings(r, &v[SCHED_WEBHOOK_EVENTS]);
    params[3] = sched_param_bool(r, &v[SCHED_WEBHOOK_ACTIVE]);
    rv = sched_db_exec(r, SCHED_STMT_WEBHOOKS_UPDATE, 4, params, &res);
    return rv != OK ? rv : sched_db_send_guarded(r, res, &sched_webhooks_update_repr);
}

static int sched_webhooks_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_WEBHOOKS_DELETE, req->route.id);
}

/* GET /webhooks/{id}/deliveries/: the attempts, oldest first. */
static int sched_webhook_deliveries(sched_req_t *req)
{
    request_rec *r = req->r;
    sched_page_t page;
    const char *params[3];
    PGresult *res;
    int rv;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK) {
        return rv;
    }
    page.path = apr_psprintf(r->pool, "/webhooks/%" APR_INT64_T_FMT "/deliveries/",
                             req->route.id);
    params[0] = sched_i64(r, req->route.id);
    params[1] = page.after;
    params[2] = page.fetch;
    if ((rv = sched_db_exec(r, SCHED_STMT_WEBHOOK_DELIVERIES_LIST, 3, params, &res)) != OK) {
        return rv;
    }
    if (PQntuples(res) < 1 || !sched_row_bool(res, 0, SCHED_WEBHOOK_DELIVERIES_LIST__ALLOWED)) {
        return sched_problem(r, HTTP_FORBIDDEN, SCHED_WEBHOOKS_FORBIDDEN, NULL);
    }
    if (!sched_row_bool(res, 0, SCHED_WEBHOOK_DELIVERIES_LIST__FOUND)) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    return sched_list_send(req, res, &page, NULL, &sched_attempts_repr);
}

/* POST /webhooks/{id}/deliveries/{attempt}/retry/: 202, the event is due now. */
static int sched_webhook_retry(sched_req_t *req)
{
    request_rec *r = req->r;
    const char *params[2];
    sched_jsonw_t w;
    const char *json;
    apr_size_t len;
    PGresult *res;
    int rv;

    ap_discard_request_body(r);
    params[0] = sched_i64(r, req->route.id);
    params[1] = sched_i64(r, req->route.sub_id);
    if ((rv = sched_db_exec(r, SCHED_STMT_WEBHOOK_DELIVERIES_RETRY, 2, params, &res)) != OK) {
        return rv;
    }
    if (PQntuples(res) < 1 || !sched_row_bool(res, 0, SCHED_WEBHOOK_DELIVERIES_RETRY__VISIBLE)) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such resource", NULL);
    }
    if (!sched_row_bool(res, 0, SCHED_WEBHOOK_DELIVERIES_RETRY__ALLOWED)) {
        return sched_problem(r, HTTP_FORBIDDEN, SCHED_WEBHOOKS_FORBIDDEN, NULL);
    }
    if (sched_row_bool(res, 0, SCHED_WEBHOOK_DELIVERIES_RETRY__BUSY)) {
        return sched_problem(r, HTTP_CONFLICT, "an attempt of this delivery is under way; "
                             "ask again once it is recorded", NULL);
    }
    sched_jsonw_init(&w, r->pool, 128);
    sched_jsonw_open(&w, NULL, '{');
    sched_jsonw_int(&w, "id", sched_row_int(res, 0, SCHED_WEBHOOK_DELIVERIES_RETRY__ID));
    sched_jsonw_int(&w, "event", sched_row_int(res, 0, SCHED_WEBHOOK_DELIVERIES_RETRY__EVENT_ID));
    sched_repr_time(&w, "next_attempt_at", res, 0,
                    SCHED_WEBHOOK_DELIVERIES_RETRY__NEXT_ATTEMPT_AT);
    sched_jsonw_close(&w, '}');
    json = sched_jsonw_text(&w, &len);
    return sched_send_json(r, HTTP_ACCEPTED, json, len);
}

static const sched_action_t sched_webhook_actions[] = {
    { .name = "deliveries", .get = sched_webhook_deliveries, .item_action = "retry",
      .item_post = sched_webhook_retry },
    { .name = NULL }
};

const sched_resource_t sched_res_webhooks = {
    .name = "webhooks",
    .list = sched_webhooks_list, .create = sched_webhooks_create,
    .read = sched_webhooks_read, .change = sched_webhooks_change,
    .remove = sched_webhooks_remove, .actions = sched_webhook_actions
};
