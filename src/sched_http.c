/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* HTTP I/O for every endpoint: responses, request bodies, query parameters. */
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>
#include <stdlib.h>

#include "sched_private.h"
#include "sched_http.h"
#include "sched_json.h"
#include "sched_parse.h"
#include "sched_timein.h"

#define SCHED_CT_JSON    "application/json; charset=utf-8"
#define SCHED_CT_PROBLEM "application/problem+json"

const char *sched_i64(request_rec *r, apr_int64_t v)
{
    return apr_psprintf(r->pool, "%" APR_INT64_T_FMT, v);
}

const char *sched_seconds(request_rec *r, apr_int64_t seconds)
{
    return apr_psprintf(r->pool, "%" APR_INT64_T_FMT " seconds", seconds);
}

static apr_status_t sched_json_release(void *data)
{
    json_decref(data);
    return APR_SUCCESS;
}

/* Ties a new jansson reference to r->pool. */
static json_t *sched_json_own(request_rec *r, json_t *j)
{
    if (j) {
        apr_pool_cleanup_register(r->pool, j, sched_json_release, apr_pool_cleanup_null);
    }
    return j;
}

json_t *sched_json_object(request_rec *r)
{
    return sched_json_own(r, json_object());
}

static void sched_write(request_rec *r, int status, const char *type,
                        const char *body, apr_size_t len)
{
    sched_private_cache(r);
    r->status = status;
    ap_set_content_type(r, type);
    ap_set_content_length(r, len);
    if (!r->header_only && len) {
        ap_rwrite(body, (int)len, r);
    }
}

/* The body was not read: drop it if it is small, else close the connection after
 * answering rather than reading what the client insists on sending. */
static void sched_abandon_body(request_rec *r)
{
    const sched_config_t *conf = ap_get_module_config(r->per_dir_config, &sched_module);
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_int64_t max = conf->max_body > 0 ? conf->max_body : SCHED_DEFAULT_MAX_BODY;
    if (r->read_body != REQUEST_NO_BODY || r->remaining > 0 || r->read_chunked) {
        return;     /* reading started: httpd finishes or closes as it must */
    }
    if (cl && apr_atoi64(cl) <= max) {
        ap_discard_request_body(r);
    }
    else if (cl || apr_table_get(r->headers_in, "Transfer-Encoding")) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
}

int sched_problem(request_rec *r, int status, const char *detail, json_t *errors)
{
    json_t *p = sched_json_object(r);
    const char *line = ap_get_status_line(status);
    char *text;

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, SCHED_LOGNO(00102)
                  "answered %d: %s", status, detail);
    sched_abandon_body(r);
    json_object_set_new(p, "type", json_string("about:blank"));
    json_object_set_new(p, "title", json_string(line + 4));   /* "409 Conflict" */
    json_object_set_new(p, "status", json_integer(status));
    json_object_set_new(p, "detail", json_string(detail));
    if (errors && json_object_size(errors)) {
        json_object_set(p, "errors", errors);
    }
    text = json_dumps(p, JSON_COMPACT);
    sched_write(r, status, SCHED_CT_PROBLEM, apr_pstrdup(r->pool, text), strlen(text));
    free(text);
    return DONE;
}

int sched_problem_field(request_rec *r, int status, const char *field,
                        const char *message)
{
    json_t *errors = sched_json_object(r);
    sched_json_error_add(errors, field, message);
    return sched_problem(r, status, message, errors);
}

int sched_problem_invalid(request_rec *r, json_t *errors)
{
    return sched_problem(r, HTTP_BAD_REQUEST, "the request body is not valid", errors);
}

int sched_send_json(request_rec *r, int status, const char *json, apr_size_t len)
{
    sched_write(r, status, SCHED_CT_JSON, json, len);
    return DONE;
}

int sched_send_created(sched_req_t *req, apr_int64_t id, const char *json, apr_size_t len)
{
    apr_table_setn(req->r->headers_out, "Location",
                   apr_psprintf(req->r->pool, "%s/%s/%" APR_INT64_T_FMT "/", req->base_url,
                                req->route.resource, id));
    return sched_send_json(req->r, HTTP_CREATED, json, len);
}

int sched_send_no_content(request_rec *r)
{
    sched_private_cache(r);
    r->status = HTTP_NO_CONTENT;
    return DONE;
}

void sched_private_cache(request_rec *r)
{
    if (r->user) {
        apr_table_setn(r->headers_out, "Cache-Control", "private, no-cache");
    }
}

void sched_set_etag(request_rec *r, const char *etag, int weak)
{
    apr_table_setn(r->headers_out, "ETag",
                   apr_pstrcat(r->pool, weak ? "W/\"" : "\"", etag, "\"", NULL));
}

int sched_send_if_changed(request_rec *r, int status, const char *json, apr_size_t len)
{
    return sched_send_typed_if_changed(r, status, SCHED_CT_JSON, json, len);
}

int sched_send_typed_if_changed(request_rec *r, int status, const char *type,
                                const char *body, apr_size_t len)
{
    int rv;

    /* The answers have no modification date: RFC 9110 13.1.3 and 13.1.4 say to
     * ignore these two then, and ap_meets_conditions would take the time of the
     * request for one. The entity-tags decide. */
    apr_table_unset(r->headers_in, "If-Modified-Since");
    apr_table_unset(r->headers_in, "If-Unmodified-Since");
    rv = ap_meets_conditions(r);
    if (rv == HTTP_NOT_MODIFIED) {
        sched_private_cache(r);
        r->status = HTTP_NOT_MODIFIED;
        return DONE;
    }
    if (rv == HTTP_PRECONDITION_FAILED) {
        return sched_problem(r, HTTP_PRECONDITION_FAILED,
                             "If-Match names none of the resource's ETags", NULL);
    }
    sched_write(r, status, type, body, len);
    return DONE;
}

/* FNV-1a, 64 bits: the weak ETag of a list is the hash of its bytes. */
static apr_uint64_t sched_fnv1a(const char *s, apr_size_t len)
{
    apr_uint64_t h = APR_UINT64_C(14695981039346656037);
    apr_size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= APR_UINT64_C(1099511628211);
    }
    return h;
}

int sched_send_list(request_rec *r, const char *json, apr_size_t len)
{
    sched_set_etag(r, apr_psprintf(r->pool, "%016" APR_UINT64_T_HEX_FMT,
                                   sched_fnv1a(json, len)), 1);
    return sched_send_if_changed(r, HTTP_OK, json, len);
}

/* application/json, with no parameter but charset=utf-8. */
static int sched_is_json_type(request_rec *r)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    const char *semi;
    char *type;
    if (ct == NULL) {
        return 0;
    }
    semi = ap_strchr_c(ct, ';');
    type = apr_pstrmemdup(r->pool, ct, semi ? (apr_size_t)(semi - ct) : strlen(ct));
    apr_collapse_spaces(type, type);
    if (strcasecmp(type, "application/json") != 0) {
        return 0;
    }
    while (semi) {
        const char *param = semi + 1;
        char *p;
        semi = ap_strchr_c(param, ';');
        p = apr_pstrmemdup(r->pool, param,
                           semi ? (apr_size_t)(semi - param) : strlen(param));
        apr_collapse_spaces(p, p);
        if (*p && strcasecmp(p, "charset=utf-8") != 0
            && strcasecmp(p, "charset=\"utf-8\"") != 0) {
            return 0;
        }
    }
    return 1;
}

/* Reads the whole body into the pool, at most max bytes. */
static int sched_read_body(request_rec *r, apr_int64_t max, char **buf, apr_size_t *len)
{
    apr_size_t cap = 8192, used = 0;
    char *data = apr_palloc(r->pool, cap);
    long n;

    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        r->connection->keepalive = AP_CONN_CLOSE;
        return sched_problem(r, HTTP_BAD_REQUEST, "the request body could not be read",
                             NULL);
    }
    if (ap_should_client_block(r)) {
        while ((n = ap_get_client_block(r, data + used, cap - used)) > 0) {
            used += (apr_size_t)n;
            if ((apr_int64_t)used > max) {
                r->connection->keepalive = AP_CONN_CLOSE;
                return sched_problem(r, HTTP_REQUEST_ENTITY_TOO_LARGE,
                                     "the request body is too large", NULL);
            }
            if (used == cap) {
                char *bigger = apr_palloc(r->pool, cap * 2);
                memcpy(bigger, data, used);
                data = bigger;
                cap *= 2;
            }
        }
        if (n < 0) {
            r->connection->keepalive = AP_CONN_CLOSE;
            return sched_problem(r, HTTP_BAD_REQUEST,
                                 "the request body could not be read", NULL);
        }
    }
    *buf = data;
    *len = used;
    return OK;
}

int sched_read_json(sched_req_t *req, json_t **body)
{
    request_rec *r = req->r;
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    const char *reason;
    char *buf = NULL;
    apr_size_t len = 0;
    int rv;
    int has_body = (cl && strcmp(cl, "0") != 0)
                   || apr_table_get(r->headers_in, "Transfer-Encoding");

    if ((has_body || apr_table_get(r->headers_in, "Content-Type"))
        && !sched_is_json_type(r)) {
        return sched_problem(r, HTTP_UNSUPPORTED_MEDIA_TYPE,
                             "the request body must be application/json", NULL);
    }
    if (cl && apr_atoi64(cl) > req->conf->max_body) {
        return sched_problem(r, HTTP_REQUEST_ENTITY_TOO_LARGE,
                             "the request body is too large", NULL);
    }
    if ((rv = sched_read_body(r, req->conf->max_body, &buf, &len)) != OK) {
        return rv;
    }
    *body = sched_json_own(r, sched_json_parse_object(buf, len, &reason));
    if (*body == NULL) {
        return sched_problem(r, HTTP_BAD_REQUEST, reason, NULL);
    }
    return OK;
}

int sched_read_fields(sched_req_t *req, const sched_body_t *schema, int create,
                      sched_body_value_t *values)
{
    sched_body_mode_e mode = create ? SCHED_BODY_CREATE
                             : req->replace ? SCHED_BODY_REPLACE : SCHED_BODY_PATCH;
    json_t *body, *errors;
    int rv = sched_read_json(req, &body);

    if (rv != OK) {
        return rv;
    }
    errors = sched_json_object(req->r);
    rv = sched_body_read(schema, mode, body,
                         req->conf->naive_tz ? sched_timein_resolve : NULL, req, values,
                         errors);
    if (rv != OK) {
        return rv;
    }
    return json_object_size(errors) ? sched_problem_invalid(req->r, errors) : OK;
}

int sched_query_get(sched_req_t *req, const char *name, const char **value)
{
    switch (sched_query_lookup(req->query, name, value)) {
    case SCHED_QUERY_REPEATED:
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             apr_psprintf(req->r->pool, "query parameter %s is given "
                                          "more than once", name), NULL);
    case SCHED_QUERY_UNDECODABLE:
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             apr_psprintf(req->r->pool, "query parameter %s is not "
                                          "validly encoded (a bad %% escape, or %%00)",
                                          name), NULL);
    default:
        return OK;
    }
}

int sched_query_id(sched_req_t *req, const char *name, apr_int64_t *id, int *present)
{
    const char *v;
    int rv = sched_query_get(req, name, &v);
    *present = 0;
    if (rv != OK || v == NULL) {
        return rv;
    }
    if (!sched_parse_id(v, id)) {
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             apr_psprintf(req->r->pool, "query parameter %s must be an "
                                          "id (a positive integer)", name), NULL);
    }
    *present = 1;
    return OK;
}
