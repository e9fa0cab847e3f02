/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* HTTP I/O: the request context, JSON and problem+json responses, JSON bodies in,
 * query parameters. Helpers return OK to go on, or DONE once they have answered. */
#ifndef SCHED_HTTP_H
#define SCHED_HTTP_H

#include <jansson.h>

#include "sched_private.h"
#include "sched_body.h"
#include "sched_route.h"
#include "sched_query.h"

/* Everything an endpoint needs about its request. */
typedef struct sched_req_t {
    request_rec *r;
    const sched_config_t *conf;
    sched_route_t route;
    const char *mount;          /* the mount point: "" or "/api" (sched_mount.h) */
    const char *base_url;       /* absolute URL of the mount point, no trailing slash */
    sched_query_t *query;       /* decoded query parameters */
    int replace;                /* PUT: the body is the whole resource, so its
                                   required fields are required (PATCH: any subset) */
} sched_req_t;

/* Writes an RFC 9457 problem (application/problem+json) with the reason phrase as
 * title; errors (field -> [messages]) may be NULL. Returns DONE. */
int sched_problem(request_rec *r, int status, const char *detail, json_t *errors);

/* status (400, 409) with message as the detail and as errors[field]. Returns DONE. */
int sched_problem_field(request_rec *r, int status, const char *field,
                        const char *message);

/* 400 with errors as the validation failures of the body. Returns DONE. */
int sched_problem_invalid(request_rec *r, json_t *errors);

/* Writes a JSON text as application/json; charset=utf-8. Returns DONE. */
int sched_send_json(request_rec *r, int status, const char *json, apr_size_t len);

/* 201 with Location: <base_url>/<resource>/<id>/ and the resource as body. */
int sched_send_created(sched_req_t *req, apr_int64_t id, const char *json, apr_size_t len);

/* 204 with no body. Returns DONE. */
int sched_send_no_content(request_rec *r);

/* Cache-Control: private, no-cache, when the request is authenticated: an answer
 * for one user, checked again before any reuse. Every answer of the API sets it. */
void sched_private_cache(request_rec *r);

/* ETag: "etag" (weak: W/"etag"); etag without its quotes. */
void sched_set_etag(request_rec *r, const char *etag, int weak);

/* A GET's answer, unless its conditions say otherwise (ap_meets_conditions on the
 * ETag set before): 304 for a matching If-None-Match, 412 for an If-Match that
 * names none of the ETags; else status with json. Returns DONE. */
int sched_send_if_changed(request_rec *r, int status, const char *json, apr_size_t len);

/* The same for a body of another media type (type: a Content-Type, "text/calendar;
 * charset=utf-8"). */
int sched_send_typed_if_changed(request_rec *r, int status, const char *type,
                                const char *body, apr_size_t len);

/* A list: 200 with a weak ETag (a hash of json), or 304 (sched_send_if_changed). */
int sched_send_list(request_rec *r, const char *json, apr_size_t len);

/* A new JSON object, released with r->pool. */
json_t *sched_json_object(request_rec *r);

/* Reads and parses the request body as a JSON object (415, 413, 400 otherwise).
 * The object is released with r->pool. */
int sched_read_json(sched_req_t *req, json_t **body);

/* Reads the request body as a JSON object and its fields as schema says, for a POST
 * when create is set, else for the PUT or PATCH that req->replace tells; times without
 * an offset are read in SchedNaiveTimeZone. values holds schema->count values. Answers
 * 400 with every field at fault, or as sched_read_json does. */
int sched_read_fields(sched_req_t *req, const sched_body_t *schema, int create,
                      sched_body_value_t *values);

/* A query parameter, or NULL. Answers 400 if it was given more than once or its
 * value cannot be decoded. */
int sched_query_get(sched_req_t *req, const char *name, const char **value);

/* An optional id filter (?user=3): *present says whether it was given. 400 if bad. */
int sched_query_id(sched_req_t *req, const char *name, apr_int64_t *id, int *present);

/* Decimal text of an int64, in r->pool. */
const char *sched_i64(request_rec *r, apr_int64_t v);

/* A duration as an interval parameter ("90 seconds"), in r->pool. */
const char *sched_seconds(request_rec *r, apr_int64_t seconds);

#endif
