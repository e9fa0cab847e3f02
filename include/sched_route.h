/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Routing: what a request path below the mount point names.
 * Pure: no httpd header. */
#ifndef SCHED_ROUTE_H
#define SCHED_ROUTE_H

#include <apr.h>

typedef enum sched_target_e {
    SCHED_TARGET_NONE = 0,      /* not below the mount, or not a path of the API: 404 */
    SCHED_TARGET_ROOT,          /* "" or "/" */
    SCHED_TARGET_COLLECTION,    /* "/name/" */
    SCHED_TARGET_ITEM,          /* "/name/{id}/" */
    SCHED_TARGET_ME,            /* "/name/me/" */
    SCHED_TARGET_ACTION,        /* "/name/{id}/action/" */
    SCHED_TARGET_ITEM_ACTION,   /* "/name/{id}/action/{sub_id}/sub_action/" */
    SCHED_TARGET_FILE           /* "/name/<file>" (sched_route_file) */
} sched_target_e;

typedef struct sched_route_t {
    sched_target_e target;
    const char *resource;       /* first segment, NUL-terminated copy; NULL for ROOT */
    apr_int64_t id;             /* ITEM and ACTION */
    const char *action;         /* ACTION, ITEM_ACTION */
    apr_int64_t sub_id;         /* ITEM_ACTION */
    const char *sub_action;     /* ITEM_ACTION */
    const char *file;           /* FILE */
} sched_route_t;

/* Matches a decoded request path against the mount point ("" for "/", else "/api"
 * with no trailing slash). The final slash is optional; an empty segment ("//"),
 * an id that is not [1-9][0-9]{0,18} within int64, four or more than five segments
 * give SCHED_TARGET_NONE. Strings are allocated in p. Returns out->target. */
sched_target_e sched_route_match(apr_pool_t *p, const char *mount, const char *path,
                                 sched_route_t *out);

/* A path where sched_route_match finds nothing, read as a file below a resource:
 * "/name/<file>" exactly (no final slash), both segments not empty, the file neither
 * an id nor "me" ("/calendar/<token>.ics"). Sets out->target to SCHED_TARGET_FILE,
 * out->resource and out->file (allocated in p); else SCHED_TARGET_NONE. Returns
 * out->target. */
sched_target_e sched_route_file(apr_pool_t *p, const char *mount, const char *path,
                                sched_route_t *out);

#endif
