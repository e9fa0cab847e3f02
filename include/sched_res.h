/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Resources: what each path of the API does for each method. */
#ifndef SCHED_RES_H
#define SCHED_RES_H

#include "sched_http.h"

/* An endpoint answers the request and returns DONE (OK is never returned). */
typedef int (*sched_endpoint_fn)(sched_req_t *req);

typedef struct sched_action_t {
    const char *name;           /* POST /resource/{id}/name/ */
    sched_endpoint_fn post;
    sched_endpoint_fn get;      /* GET of it: a list below the resource; or NULL */
    const char *item_action;    /* POST /resource/{id}/name/{sub_id}/item_action/ */
    sched_endpoint_fn item_post;
} sched_action_t;

typedef struct sched_resource_t {
    const char *name;           /* first path segment */
    const char *object;         /* its objects' name in events ("slot"): GET
                                   /name/{id}/history/ reads them; NULL: no history */
    sched_endpoint_fn list;     /* GET /name/ */
    sched_endpoint_fn create;   /* POST /name/ */
    sched_endpoint_fn read;     /* GET /name/{id}/ */
    sched_endpoint_fn change;   /* PUT and PATCH /name/{id}/ (req->replace tells) */
    sched_endpoint_fn remove;   /* DELETE /name/{id}/ */
    sched_endpoint_fn me;       /* GET /name/me/ */
    sched_endpoint_fn file;     /* GET /name/<file>, the file in req->route.file; it
                                   answers anonymous requests too (its name is the
                                   credential: a calendar feed's token) */
    const sched_action_t *actions;  /* NULL-terminated, or NULL */
} sched_resource_t;

extern const sched_resource_t sched_res_health;
extern const sched_resource_t sched_res_users;
extern const sched_resource_t sched_res_clients;
extern const sched_resource_t sched_res_providers;
extern const sched_resource_t sched_res_slots;
extern const sched_resource_t sched_res_reservations;
extern const sched_resource_t sched_res_openapi;
extern const sched_resource_t sched_res_schedules;
extern const sched_resource_t sched_res_overrides;
extern const sched_resource_t sched_res_time_off;
extern const sched_resource_t sched_res_events;
extern const sched_resource_t sched_res_webhooks;
extern const sched_resource_t sched_res_calendar_feeds;
extern const sched_resource_t sched_res_calendar;

/* GET /name/{id}/history/ of a resource that has an object name. */
int sched_res_history(sched_req_t *req, const sched_resource_t *res);

/* GET / */
int sched_res_root(sched_req_t *req);

/* The handler's work once it has accepted the request. */
int sched_dispatch(request_rec *r);

#endif
