/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Routing: splits the path below the mount point into resource, id and action. */
#include <string.h>
#include <apr_strings.h>

#include "sched_route.h"
#include "sched_parse.h"

#define SCHED_ROUTE_MAX_SEGMENTS 5

/* Splits rel (no leading slash, trailing slash already removed) into at most
 * max segments. Returns the count, or -1 for an empty segment or too many. */
static int sched_route_split(const char *rel, const char **seg, apr_size_t *len, int max)
{
    int n = 0;
    while (1) {
        const char *slash = strchr(rel, '/');
        apr_size_t l = slash ? (apr_size_t)(slash - rel) : strlen(rel);
        if (l == 0 || n == max) {
            return -1;
        }
        seg[n] = rel;
        len[n] = l;
        n++;
        if (!slash) {
            return n;
        }
        rel = slash + 1;
    }
}

sched_target_e sched_route_match(apr_pool_t *p, const char *mount, const char *path,
                                 sched_route_t *out)
{
    apr_size_t mlen = strlen(mount);
    const char *seg[SCHED_ROUTE_MAX_SEGMENTS];
    apr_size_t len[SCHED_ROUTE_MAX_SEGMENTS];
    const char *rel;
    apr_size_t rlen;
    int n;

    memset(out, 0, sizeof(*out));
    if (strncmp(path, mount, mlen) != 0 || (path[mlen] != '\0' && path[mlen] != '/')) {
        return out->target = SCHED_TARGET_NONE;
    }
    rel = path + mlen;
    if (rel[0] == '\0' || strcmp(rel, "/") == 0) {
        return out->target = SCHED_TARGET_ROOT;
    }
    rel++;
    rlen = strlen(rel);
    if (rel[rlen - 1] == '/') {
        rel = apr_pstrmemdup(p, rel, rlen - 1);
    }
    n = sched_route_split(rel, seg, len, SCHED_ROUTE_MAX_SEGMENTS);
    if (n < 1) {
        return out->target = SCHED_TARGET_NONE;
    }
    out->resource = apr_pstrmemdup(p, seg[0], len[0]);
    if (n == 1) {
        return out->target = SCHED_TARGET_COLLECTION;
    }
    if (n == 2 && len[1] == 2 && strncmp(seg[1], "me", 2) == 0) {
        return out->target = SCHED_TARGET_ME;
    }
    if (!sched_parse_id_n(seg[1], len[1], &out->id)) {
        return out->target = SCHED_TARGET_NONE;
    }
    if (n == 2) {
        return out->target = SCHED_TARGET_ITEM;
    }
    out->action = apr_pstrmemdup(p, seg[2], len[2]);
    if (n == 3) {
        return out->target = SCHED_TARGET_ACTION;
    }
    if (n != 5 || !sched_parse_id_n(seg[3], len[3], &out->sub_id)) {
        return out->target = SCHED_TARGET_NONE;
    }
    out->sub_action = apr_pstrmemdup(p, seg[4], len[4]);
    return out->target = SCHED_TARGET_ITEM_ACTION;
}

sched_target_e sched_route_file(apr_pool_t *p, const char *mount, const char *path,
                                sched_route_t *out)
{
    apr_size_t mlen = strlen(mount);
    const char *rel, *slash;
    apr_int64_t id;

    memset(out, 0, sizeof(*out));
    if (strncmp(path, mount, mlen) != 0 || path[mlen] != '/') {
        return out->target = SCHED_TARGET_NONE;
    }
    rel = path + mlen + 1;
    slash = strchr(rel, '/');
    if (slash == NULL || slash == rel || slash[1] == '\0' || strchr(slash + 1, '/')
        || sched_parse_id(slash + 1, &id) || strcmp(slash + 1, "me") == 0) {
        return out->target = SCHED_TARGET_NONE;
    }
    out->resource = apr_pstrmemdup(p, rel, (apr_size_t)(slash - rel));
    out->file = apr_pstrdup(p, slash + 1);
    return out->target = SCHED_TARGET_FILE;
}
