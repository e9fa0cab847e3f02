/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Routing: sched_route_match on the decoded path (r->uri) below a mount point.
 * Input: "<mount>\n<path>"; the mount is "" (the API at /) or "/a[/b...]" with no
 * trailing slash and no empty segment, as the <Location> gives it.
 *
 * Properties: the answer equals a reference router written here (target, resource,
 * id, action, and the sub-item's id and action); ids are in 1..INT64_MAX and print
 * back as their segment; the route rebuilt from its parts is the path, with or
 * without its final slash; a path not below the mount is NONE. Where it finds
 * nothing, sched_route_file answers as the reference does ("/name/<file>", the file
 * neither an id nor "me"), and the route it finds rebuilt is the path. */
#include "fuzz.h"
#include "sched_route.h"

/* The reference: an id is [1-9][0-9]{0,18} and at most INT64_MAX. */
static int ref_id(const char *s, apr_size_t len, apr_int64_t *id)
{
    apr_size_t i;
    __int128 v;

    if (len == 0 || len > 19 || s[0] < '1' || s[0] > '9') {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    v = fuzz_decimal(s, len);
    if (v > APR_INT64_MAX) {
        return 0;
    }
    *id = (apr_int64_t)v;
    return 1;
}

/* Splits rel at each '/' into seg (in place). Returns how many segments, or 0 for
 * an empty one or more than five. */
static int ref_split(char *rel, char **seg)
{
    char *p, *slash;
    int n = 0, i;

    for (p = rel; ; p = slash + 1) {
        if (n == 5) {
            return 0;               /* a sixth segment */
        }
        seg[n++] = p;
        if ((slash = strchr(p, '/')) == NULL) {
            break;
        }
        *slash = '\0';
    }
    for (i = 0; i < n; i++) {
        if (*seg[i] == '\0') {
            return 0;
        }
    }
    return n;
}

/* The reference router: fills want as sched_route_match must. */
static void ref_route(const char *mount, const char *path, sched_route_t *want)
{
    apr_size_t mlen = strlen(mount);
    char *rel, *seg[5];
    int n;

    memset(want, 0, sizeof(*want));
    if (strncmp(path, mount, mlen) != 0 || (path[mlen] != '\0' && path[mlen] != '/')) {
        return;
    }
    if (path[mlen] == '\0' || strcmp(path + mlen, "/") == 0) {
        want->target = SCHED_TARGET_ROOT;
        return;
    }
    rel = apr_pstrdup(fuzz_pool, path + mlen + 1);
    if (rel[strlen(rel) - 1] == '/') {
        rel[strlen(rel) - 1] = '\0';
    }
    if ((n = ref_split(rel, seg)) == 0) {
        return;
    }
    if (n == 1) {
        want->target = SCHED_TARGET_COLLECTION;
    }
    else if (n == 2 && strcmp(seg[1], "me") == 0) {
        want->target = SCHED_TARGET_ME;
    }
    else if (n <= 3 && ref_id(seg[1], strlen(seg[1]), &want->id)) {
        want->target = n == 2 ? SCHED_TARGET_ITEM : SCHED_TARGET_ACTION;
        want->action = n == 3 ? seg[2] : NULL;
    }
    else if (n == 5 && ref_id(seg[1], strlen(seg[1]), &want->id)
             && ref_id(seg[3], strlen(seg[3]), &want->sub_id)) {
        want->target = SCHED_TARGET_ITEM_ACTION;
        want->action = seg[2];
        want->sub_action = seg[4];
    }
    if (want->target == SCHED_TARGET_NONE) {
        want->id = want->sub_id = 0;
    }
    want->resource = want->target != SCHED_TARGET_NONE ? seg[0] : NULL;
}

/* The reference of sched_route_file, for a path the router found nothing at. */
static void ref_file(const char *mount, const char *path, sched_route_t *want)
{
    apr_size_t mlen = strlen(mount);
    char *rel, *seg[5];
    apr_int64_t id;

    memset(want, 0, sizeof(*want));
    if (strncmp(path, mount, mlen) != 0 || path[mlen] != '/') {
        return;
    }
    rel = apr_pstrdup(fuzz_pool, path + mlen + 1);
    if (ref_split(rel, seg) != 2 || strcmp(seg[1], "me") == 0
        || ref_id(seg[1], strlen(seg[1]), &id)) {
        return;
    }
    want->target = SCHED_TARGET_FILE;
    want->resource = seg[0];
    want->file = seg[1];
}

static int same_text(const char *a, const char *b)
{
    return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* The path the route names, without a final slash. */
static const char *rebuild(const char *mount, const sched_route_t *r)
{
    switch (r->target) {
    case SCHED_TARGET_COLLECTION:
        return apr_pstrcat(fuzz_pool, mount, "/", r->resource, NULL);
    case SCHED_TARGET_ME:
        return apr_pstrcat(fuzz_pool, mount, "/", r->resource, "/me", NULL);
    case SCHED_TARGET_ITEM:
        return apr_psprintf(fuzz_pool, "%s/%s/%" APR_INT64_T_FMT, mount, r->resource,
                            r->id);
    case SCHED_TARGET_ACTION:
        return apr_psprintf(fuzz_pool, "%s/%s/%" APR_INT64_T_FMT "/%s", mount,
                            r->resource, r->id, r->action);
    case SCHED_TARGET_ITEM_ACTION:
        return apr_psprintf(fuzz_pool, "%s/%s/%" APR_INT64_T_FMT "/%s/%" APR_INT64_T_FMT
                            "/%s", mount, r->resource, r->id, r->action, r->sub_id,
                            r->sub_action);
    case SCHED_TARGET_FILE:
        return apr_pstrcat(fuzz_pool, mount, "/", r->resource, "/", r->file, NULL);
    default:
        return mount;
    }
}

static int mount_ok(const char *mount)
{
    apr_size_t len = strlen(mount);
    return len == 0 || (mount[0] == '/' && mount[len - 1] != '/' && !strstr(mount, "//"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *mount;
    const uint8_t *rest;
    size_t rest_size;
    const char *path, *back;
    sched_route_t got, want;

    if (fuzz_has_nul(data, size) || !fuzz_split_line(data, size, &mount, &rest, &rest_size)
        || !mount_ok(mount)) {
        return 0;
    }
    path = fuzz_text(rest, rest_size);
    sched_route_match(fuzz_pool, mount, path, &got);
    ref_route(mount, path, &want);
    FUZZ_CHECK(got.target == want.target, "\"%s\" below \"%s\": target %d, not %d", path,
               mount, got.target, want.target);
    if (got.target == SCHED_TARGET_NONE) {
        sched_route_file(fuzz_pool, mount, path, &got);
        ref_file(mount, path, &want);
        FUZZ_CHECK(got.target == want.target && same_text(got.resource, want.resource)
                   && same_text(got.file, want.file) && got.id == 0 && got.action == NULL
                   && got.sub_id == 0 && got.sub_action == NULL,
                   "\"%s\" below \"%s\": file %d %s %s, not %d %s %s", path, mount,
                   got.target, got.resource, got.file, want.target, want.resource,
                   want.file);
        FUZZ_CHECK(got.target == SCHED_TARGET_NONE
                   || strcmp(rebuild(mount, &got), path) == 0,
                   "\"%s\" rebuilt as \"%s\"", path, rebuild(mount, &got));
        apr_pool_clear(fuzz_pool);
        return 0;
    }
    FUZZ_CHECK(same_text(got.resource, want.resource) && same_text(got.action, want.action)
               && got.id == want.id && got.sub_id == want.sub_id
               && same_text(got.sub_action, want.sub_action),
               "\"%s\": %s %" APR_INT64_T_FMT " %s", path, got.resource, got.id, got.action);
    FUZZ_CHECK(got.target == SCHED_TARGET_ITEM || got.target == SCHED_TARGET_ACTION
               || got.target == SCHED_TARGET_ITEM_ACTION
               ? got.id >= 1 : got.id == 0, "\"%s\": id %" APR_INT64_T_FMT, path, got.id);
    back = rebuild(mount, &got);
    FUZZ_CHECK(strcmp(back, path) == 0
               || strcmp(apr_pstrcat(fuzz_pool, back, "/", NULL), path) == 0,
               "\"%s\" rebuilt as \"%s\"", path, back);
    apr_pool_clear(fuzz_pool);
    return 0;
}
