/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /time_off/: when a provider is away. None of the provider's slots there is listed
 * or bookable, and no schedule slot is made there. */
#include <http_protocol.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_list.h"
#include "sched_params.h"
#include "sched_res.h"

static const sched_repr_t sched_time_off_list_repr = SCHED_REPR_TIME_OFF(TIME_OFF_LIST);
static const sched_repr_t sched_time_off_get_repr = SCHED_REPR_TIME_OFF(TIME_OFF_GET);
static const sched_repr_t sched_time_off_create_repr =
    SCHED_REPR_TIME_OFF_KEPT(TIME_OFF_CREATE);
static const sched_repr_t sched_time_off_update_repr =
    SCHED_REPR_TIME_OFF_KEPT(TIME_OFF_UPDATE);

static const sched_db_conflict_t sched_time_off_conflicts[] = {
    { "time_off", "start_time", "overlaps other time off of the provider" },
    { NULL, "start_time", "covers an active reservation" }
};

static int sched_time_off_list(sched_req_t *req)
{
    static const char *const keep[] = { "provider", NULL };
    sched_page_t page;
    apr_int64_t provider;
    int has_provider, rv;
    const char *params[3];
    PGresult *res;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK
        || (rv = sched_query_id(req, "provider", &provider, &has_provider)) != OK) {
        return rv;
    }
    params[0] = page.after;
    params[1] = has_provider ? sched_i64(req->r, provider) : NULL;
    params[2] = page.fetch;
    rv = sched_db_exec(req->r, SCHED_STMT_TIME_OFF_LIST, 3, params, &res);
    return rv != OK ? rv : sched_list_send(req, res, &page, keep, &sched_time_off_list_repr);
}

static int sched_time_off_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_TIME_OFF_GET, req->route.id,
                            &sched_time_off_get_repr);
}

static int sched_time_off_create(sched_req_t *req)
{
    sched_body_value_t v[SCHED_TIME_OFF_FIELDS];
    const char *params[4];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_time_off, 1, v);

    if (rv != OK) {
        return rv;
    }
    params[0] = sched_param_int(req->r, &v[SCHED_TIME_OFF_PROVIDER]);
    params[1] = sched_param_time(req->r, &v[SCHED_TIME_OFF_START_TIME]);
    params[2] = sched_param_time(req->r, &v[SCHED_TIME_OFF_END_TIME]);
    params[3] = sched_param_text(&v[SCHED_TIME_OFF_REASON]);
    rv = sched_db_exec(req->r, SCHED_STMT_TIME_OFF_CREATE, 4, params, &res);
    return rv != OK ? rv : sched_db_send_owned(req, res, SCHED_TIME_OFF_CREATE__PROVIDER_FOUND,
                                               SCHED_TIME_OFF_CREATE__CONFLICT,
                                               sched_time_off_conflicts,
                                               &sched_time_off_create_repr);
}

static int sched_time_off_change(sched_req_t *req)
{
    sched_body_value_t v[SCHED_TIME_OFF_FIELDS];
    const char *params[4];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_time_off, 0, v);

    if (rv != OK) {
        return rv;
    }
    params[0] = sched_i64(req->r, req->route.id);
    params[1] = sched_param_time(req->r, &v[SCHED_TIME_OFF_START_TIME]);
    params[2] = sched_param_time(req->r, &v[SCHED_TIME_OFF_END_TIME]);
    params[3] = sched_param_text(&v[SCHED_TIME_OFF_REASON]);
    rv = sched_db_exec(req->r, SCHED_STMT_TIME_OFF_UPDATE, 4, params, &res);
    return rv != OK ? rv : sched_db_send_changed(req, res, SCHED_TIME_OFF_UPDATE__CONFLICT,
                                                 sched_time_off_conflicts,
                                                 &sched_time_off_update_repr);
}

static int sched_time_off_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_TIME_OFF_DELETE, req->route.id);
}

const sched_resource_t sched_res_time_off = {
    .name = "time_off", .object = "time_off",
    .list = sched_time_off_list, .create = sched_time_off_create,
    .read = sched_time_off_read, .change = sched_time_off_change,
    .remove = sched_time_off_remove
};
