/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /schedules/: a provider's weekly hours, in its time zone, with its buffers, notice
 * and horizon. The database turns them into slots (sql/006) in the same transaction
 * as every change; this file reads requests and maps outcomes. */
#include <http_protocol.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_list.h"
#include "sched_params.h"
#include "sched_res.h"

static const sched_repr_t sched_schedules_list_repr = SCHED_REPR_SCHEDULE(SCHEDULES_LIST);
static const sched_repr_t sched_schedules_get_repr = SCHED_REPR_SCHEDULE(SCHEDULES_GET);
static const sched_repr_t sched_schedules_create_repr =
    SCHED_REPR_SCHEDULE_KEPT(SCHEDULES_CREATE);
static const sched_repr_t sched_schedules_update_repr =
    SCHED_REPR_SCHEDULE_KEPT(SCHEDULES_UPDATE);

static const sched_db_conflict_t sched_schedule_conflicts[] = {
    { NULL, "provider", "the provider has a schedule already" }
};

static int sched_schedules_list(sched_req_t *req)
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
    if ((rv = sched_db_exec(req->r, SCHED_STMT_SCHEDULES_LIST, 3, params, &res)) != OK) {
        return rv;
    }
    return sched_list_send(req, res, &page, keep, &sched_schedules_list_repr);
}

static int sched_schedules_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_SCHEDULES_GET, req->route.id,
                            &sched_schedules_get_repr);
}

static int sched_schedules_create(sched_req_t *req)
{
    sched_body_value_t v[SCHED_SCHEDULE_FIELDS];
    const char *params[8];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_schedules, 1, v);

    if (rv != OK) {
        return rv;
    }
    params[0] = sched_param_int(req->r, &v[SCHED_SCHEDULE_PROVIDER]);
    params[1] = sched_param_text(&v[SCHED_SCHEDULE_TIME_ZONE]);
    params[2] = sched_param_given(&v[SCHED_SCHEDULE_SLOT_MINUTES])
                ? sched_param_int(req->r, &v[SCHED_SCHEDULE_SLOT_MINUTES])
                : sched_i64(req->r, req->conf->slot_length / 60);
    params[3] = sched_param_int(req->r, &v[SCHED_SCHEDULE_BUFFER_BEFORE]);
    params[4] = sched_param_int(req->r, &v[SCHED_SCHEDULE_BUFFER_AFTER]);
    params[5] = sched_param_int(req->r, &v[SCHED_SCHEDULE_MIN_NOTICE]);
    params[6] = sched_param_int(req->r, &v[SCHED_SCHEDULE_HORIZON_DAYS]);
    params[7] = sched_param_json(req->r, &v[SCHED_SCHEDULE_WEEKLY]);
    if ((rv = sched_db_exec(req->r, SCHED_STMT_SCHEDULES_CREATE, 8, params, &res)) != OK) {
        return rv;
    }
    return sched_db_send_owned(req, res, SCHED_SCHEDULES_CREATE__PROVIDER_FOUND,
                               SCHED_SCHEDULES_CREATE__CONFLICT, sched_schedule_conflicts,
                               &sched_schedules_create_repr);
}

static int sched_schedules_change(sched_req_t *req)
{
    sched_body_value_t v[SCHED_SCHEDULE_FIELDS];
    const char *params[9];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_schedules, 0, v);

    if (rv != OK) {
        return rv;
    }
    params[0] = sched_i64(req->r, req->route.id);
    params[1] = sched_param_text(&v[SCHED_SCHEDULE_TIME_ZONE]);
    params[2] = sched_param_int(req->r, &v[SCHED_SCHEDULE_SLOT_MINUTES]);
    params[3] = sched_param_int(req->r, &v[SCHED_SCHEDULE_BUFFER_BEFORE]);
    params[4] = sched_param_int(req->r, &v[SCHED_SCHEDULE_BUFFER_AFTER]);
    params[5] = sched_param_int(req->r, &v[SCHED_SCHEDULE_MIN_NOTICE]);
    params[6] = sched_param_given(&v[SCHED_SCHEDULE_MIN_NOTICE]) ? "true" : "false";
    params[7] = sched_param_int(req->r, &v[SCHED_SCHEDULE_HORIZON_DAYS]);
    params[8] = sched_param_json(req->r, &v[SCHED_SCHEDULE_WEEKLY]);
    if ((rv = sched_db_exec(req->r, SCHED_STMT_SCHEDULES_UPDATE, 9, params, &res)) != OK) {
        return rv;
    }
    return sched_db_send_changed(req, res, -1, NULL, &sched_schedules_update_repr);
}

static int sched_schedules_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_SCHEDULES_DELETE, req->route.id);
}

const sched_resource_t sched_res_schedules = {
    .name = "schedules", .object = "schedule",
    .list = sched_schedules_list, .create = sched_schedules_create,
    .read = sched_schedules_read, .change = sched_schedules_change,
    .remove = sched_schedules_remove
};
