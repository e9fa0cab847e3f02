/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Unit tests for sched_route.c: what a request path below the mount point names, and
 * the files below a resource (sched_route_file). */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "sched_route.h"
#include "tap.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static apr_pool_t *pool;

static const char *target_name(sched_target_e t)
{
    switch (t) {
    case SCHED_TARGET_NONE:       return "NONE";
    case SCHED_TARGET_ROOT:       return "ROOT";
    case SCHED_TARGET_COLLECTION: return "COLLECTION";
    case SCHED_TARGET_ITEM:       return "ITEM";
    case SCHED_TARGET_ME:         return "ME";
    case SCHED_TARGET_ACTION:     return "ACTION";
    case SCHED_TARGET_ITEM_ACTION: return "ITEM_ACTION";
    case SCHED_TARGET_FILE:       return "FILE";
    }
    return "?";
}

static const struct {
    const char *mount, *path;
    sched_target_e target;
    const char *resource;
    apr_int64_t id;
    const char *action;
} cases[] = {
    /* mounted at "/" */
    { "", "", SCHED_TARGET_ROOT, NULL, 0, NULL },
    { "", "/", SCHED_TARGET_ROOT, NULL, 0, NULL },
    { "", "/clients/", SCHED_TARGET_COLLECTION, "clients", 0, NULL },
    { "", "/clients", SCHED_TARGET_COLLECTION, "clients", 0, NULL },
    { "", "/openapi.json", SCHED_TARGET_COLLECTION, "openapi.json", 0, NULL },
    { "", "/health/", SCHED_TARGET_COLLECTION, "health", 0, NULL },
    { "", "/clients/7/", SCHED_TARGET_ITEM, "clients", 7, NULL },
    { "", "/clients/7", SCHED_TARGET_ITEM, "clients", 7, NULL },
    { "", "/available_slots/41/", SCHED_TARGET_ITEM, "available_slots", 41, NULL },
    { "", "/users/9223372036854775807/", SCHED_TARGET_ITEM, "users",
      APR_INT64_MAX, NULL },
    { "", "/users/me/", SCHED_TARGET_ME, "users", 0, NULL },
    { "", "/users/me", SCHED_TARGET_ME, "users", 0, NULL },
    { "", "/appointment_reservations/9/confirm/", SCHED_TARGET_ACTION,
      "appointment_reservations", 9, "confirm" },
    { "", "/appointment_reservations/9/cancel", SCHED_TARGET_ACTION,
      "appointment_reservations", 9, "cancel" },
    { "", "/clients/0/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/07/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/-7/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/+7/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/7x/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/x/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/1.0/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/9223372036854775808/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/12345678901234567890/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/ 7/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/users/me/confirm/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/7/confirm/x/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/a/1/b/c", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/webhooks/3/deliveries/5/retry/", SCHED_TARGET_ITEM_ACTION, "webhooks", 3,
      "deliveries" },
    { "", "/webhooks/3/deliveries/5/retry", SCHED_TARGET_ITEM_ACTION, "webhooks", 3,
      "deliveries" },
    { "", "/webhooks/3/deliveries/0/retry/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/webhooks/3/deliveries/x/retry/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/webhooks/3/deliveries/5/retry/x/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/webhooks/3/deliveries/5//", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/webhooks/me/deliveries/5/retry/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "//", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "//clients/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients//", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients//7/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/7//", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "/clients/7/confirm//", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "", "clients/", SCHED_TARGET_NONE, NULL, 0, NULL },
    /* mounted at "/api" */
    { "/api", "/api", SCHED_TARGET_ROOT, NULL, 0, NULL },
    { "/api", "/api/", SCHED_TARGET_ROOT, NULL, 0, NULL },
    { "/api", "/api/clients/", SCHED_TARGET_COLLECTION, "clients", 0, NULL },
    { "/api", "/api/clients/7/", SCHED_TARGET_ITEM, "clients", 7, NULL },
    { "/api", "/api/users/me/", SCHED_TARGET_ME, "users", 0, NULL },
    { "/api", "/api/appointment_reservations/9/confirm/", SCHED_TARGET_ACTION,
      "appointment_reservations", 9, "confirm" },
    { "/api", "/apix", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "/apix/clients/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "/ap", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "/clients/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "/API/clients/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "/api//", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/api", "/api//clients/", SCHED_TARGET_NONE, NULL, 0, NULL },
    { "/a/b", "/a/b/clients/3", SCHED_TARGET_ITEM, "clients", 3, NULL },
    { "/a/b", "/a/clients/3", SCHED_TARGET_NONE, NULL, 0, NULL },
};

static void test_cases(void)
{
    int i;
    for (i = 0; i < COUNT(cases); i++) {
        sched_route_t r;
        const char *name = apr_psprintf(pool, "mount \"%s\" path \"%s\"",
                                        cases[i].mount, cases[i].path);
        sched_target_e t = sched_route_match(pool, cases[i].mount, cases[i].path, &r);
        if (!is_str(target_name(t), target_name(cases[i].target),
                    apr_pstrcat(pool, name, ": target", NULL))) {
            continue;
        }
        is_str(target_name(r.target), target_name(t),
               apr_pstrcat(pool, name, ": out->target is the result", NULL));
        if (t == SCHED_TARGET_NONE) {
            continue;
        }
        is_str(r.resource, cases[i].resource, apr_pstrcat(pool, name, ": resource", NULL));
        is_int(r.id, cases[i].id, apr_pstrcat(pool, name, ": id", NULL));
        is_str(r.action, cases[i].action, apr_pstrcat(pool, name, ": action", NULL));
        if (t == SCHED_TARGET_ITEM_ACTION) {
            is_int(r.sub_id, 5, apr_pstrcat(pool, name, ": sub_id", NULL));
            is_str(r.sub_action, "retry", apr_pstrcat(pool, name, ": sub_action", NULL));
        }
    }
}

/* Strings in the result are copies: changing the path afterwards leaves them alone. */
static void test_copies(void)
{
    char path[] = "/appointment_reservations/9/confirm";
    char path2[] = "/clients/";
    sched_route_t r, r2;

    sched_route_match(pool, "", path, &r);
    sched_route_match(pool, "", path2, &r2);
    memset(path, 'x', sizeof(path) - 1);
    memset(path2, 'x', sizeof(path2) - 1);
    is_str(r.resource, "appointment_reservations", "resource is a copy");
    is_str(r.action, "confirm", "action is a copy");
    is_str(r2.resource, "clients", "resource is a copy (trailing slash)");
}

/* A reused out struct is reset. */
static void test_reset(void)
{
    sched_route_t r;
    sched_route_match(pool, "", "/appointment_reservations/9/confirm/", &r);
    sched_route_match(pool, "", "/clients/", &r);
    ok(r.target == SCHED_TARGET_COLLECTION && r.id == 0 && r.action == NULL,
       "a second match resets id and action");
    sched_route_match(pool, "", "/clients/0/", &r);
    ok(r.target == SCHED_TARGET_NONE && r.id == 0 && r.action == NULL,
       "a failed match leaves no id or action");
}

/* sched_route_file: "/name/<file>", where sched_route_match finds nothing. */
static const struct {
    const char *mount, *path;
    sched_target_e target;
    const char *resource, *file;
} files[] = {
    { "", "/calendar/cal_x.ics", SCHED_TARGET_FILE, "calendar", "cal_x.ics" },
    { "", "/calendar/x", SCHED_TARGET_FILE, "calendar", "x" },
    { "", "/clients/07", SCHED_TARGET_FILE, "clients", "07" },
    { "", "/clients/9223372036854775808", SCHED_TARGET_FILE, "clients",
      "9223372036854775808" },
    { "/api", "/api/calendar/a.ics", SCHED_TARGET_FILE, "calendar", "a.ics" },
    { "/a/b", "/a/b/calendar/a.ics", SCHED_TARGET_FILE, "calendar", "a.ics" },
    { "", "/calendar/x.ics/", SCHED_TARGET_NONE, NULL, NULL },      /* no final slash */
    { "", "/calendar/", SCHED_TARGET_NONE, NULL, NULL },
    { "", "/calendar", SCHED_TARGET_NONE, NULL, NULL },
    { "", "//x.ics", SCHED_TARGET_NONE, NULL, NULL },
    { "", "/calendar//x.ics", SCHED_TARGET_NONE, NULL, NULL },
    { "", "/calendar/x/y.ics", SCHED_TARGET_NONE, NULL, NULL },
    { "", "/clients/7", SCHED_TARGET_NONE, NULL, NULL },             /* an item */
    { "", "/users/me", SCHED_TARGET_NONE, NULL, NULL },              /* me */
    { "", "", SCHED_TARGET_NONE, NULL, NULL },
    { "", "/", SCHED_TARGET_NONE, NULL, NULL },
    { "/api", "/apix/calendar/a.ics", SCHED_TARGET_NONE, NULL, NULL },
    { "/api", "/calendar/a.ics", SCHED_TARGET_NONE, NULL, NULL },
    { "/api", "/api", SCHED_TARGET_NONE, NULL, NULL },
};

static void test_files(void)
{
    int i;
    for (i = 0; i < COUNT(files); i++) {
        sched_route_t r;
        const char *name = apr_psprintf(pool, "file: mount \"%s\" path \"%s\"",
                                        files[i].mount, files[i].path);
        sched_target_e t = sched_route_file(pool, files[i].mount, files[i].path, &r);
        is_str(target_name(t), target_name(files[i].target),
               apr_pstrcat(pool, name, ": target", NULL));
        ok(r.target == t, "%s: out->target is the result", name);
        is_str(r.resource, files[i].resource, apr_pstrcat(pool, name, ": resource", NULL));
        is_str(r.file, files[i].file, apr_pstrcat(pool, name, ": file", NULL));
        ok(r.id == 0 && r.action == NULL && r.sub_id == 0 && r.sub_action == NULL,
           "%s: no id, no action", name);
    }
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_cases();
    test_copies();
    test_reset();
    test_files();

    done_testing();
    return exit_status();
}
