/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /schedule_overrides/: a provider's hours for one local date, instead of the weekly
 * ones ([] closes the day). */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_list.h"
#include "sched_params.h"
#include "sched_res.h"
#include "sched_time.h"

static const sched_repr_t sched_overrides_list_repr =
    SCHED_REPR_OVERRIDE(SCHEDULE_OVERRIDES_LIST);
static const sched_repr_t sched_overrides_get_repr =
    SCHED_REPR_OVERRIDE(SCHEDULE_OVERRIDES_GET);
static const sched_repr_t sched_overrides_create_repr =
    SCHED_REPR_OVERRIDE_KEPT(SCHEDULE_OVERRIDES_CREATE);
static const sched_repr_t sched_overrides_update_repr =
    SCHED_REPR_OVERRIDE_KEPT(SCHEDULE_OVERRIDES_UPDATE);

static const sched_db_conflict_t sched_override_conflicts[] = {
    { NULL, "date", "the provider has an override for that date already" }
};

/* ?name=YYYY-MM-DD, or NULL; 400 when it is not a date. */
static int sched_overrides_date(sched_req_t *req, const char *name, const char **date)
{
    const char *reason;
    int y, m, d, rv = sched_query_get(req, name, date);

    if (rv == OK && *date && (reason = sched_time_parse_date(*date, &y, &m, &d))) {
        return sched_problem(req->r, HTTP_BAD_REQUEST, apr_pstrcat(req->r->pool,
                             "query parameter ", name, ": ", reason, NULL), NULL);
    }
    return rv;
}

static int sched_overrides_list(sched_req_t *req)
{
    static const char *const keep[] = { "provider", "from", "to", NULL };
    sched_page_t page;
    apr_int64_t provider;
    int has_provider, rv;
    const char *params[5];
    PGresult *res;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK
        || (rv = sched_query_id(req, "provider", &provider, &has_provider)) != OK
        || (rv = sched_overrides_date(req, "from", &params[2])) != OK
        || (rv = sched_overrides_date(req, "to", &params[3])) != OK) {
        return rv;
    }
    params[0] = page.after;
    params[1] = has_provider ? sched_i64(req->r, provider) : NULL;
    params[4] = page.fetch;
    rv = sched_db_exec(req->r, SCHED_STMT_SCHEDULE_OVERRIDES_LIST, 5, params, &res);
    return rv != OK ? rv : sched_list_send(req, res, &page, keep, &sched_overrides_list_repr);
}

static int sched_overrides_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_SCHEDULE_OVERRIDES_GET, req->route.id,
                            &sched_overrides_get_repr);
}

static int sched_overrides_create(sched_req_t *req)
{
    sched_body_value_t v[SCHED_OVERRIDE_FIELDS];
    const char *params[3];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_overrides, 1, v);

    if (rv != OK) {
        return rv;
    }
    params[0] = sched_param_int(req->r, &v[SCHED_OVERRIDE_PROVIDER]);
    params[1] = sched_param_text(&v[SCHED_OVERRIDE_DATE]);
    params[2] = sched_param_json(req->r, &v[SCHED_OVERRIDE_INTERVALS]);
    rv = sched_db_exec(req->r, SCHED_STMT_SCHEDULE_OVERRIDES_CREATE, 3, params, &res);
    return rv != OK ? rv : sched_db_send_owned(req, res,
                                               SCHED_SCHEDULE_OVERRIDES_CREATE__PROVIDER_FOUND,
                                               SCHED_SCHEDULE_OVERRIDES_CREATE__CONFLICT,
                                               sched_override_conflicts,
                                               &sched_overrides_create_repr);
}

static int sched_overrides_change(sched_req_t *req)
{
    sched_body_value_t v[SCHED_OVERRIDE_FIELDS];
    const char *params[3];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_overrides, 0, v);

    if (rv != OK) {
        return rv;
    }
    params[0] = sched_i64(req->r, req->route.id);
    params[1] = sched_param_text(&v[SCHED_OVERRIDE_DATE]);
    params[2] = sched_param_json(req->r, &v[SCHED_OVERRIDE_INTERVALS]);
    rv = sched_db_exec(req->r, SCHED_STMT_SCHEDULE_OVERRIDES_UPDATE, 3, params, &res);
    return rv != OK ? rv : sched_db_send_changed(req, res,
                                                 SCHED_SCHEDULE_OVERRIDES_UPDATE__CONFLICT,
                                                 sched_override_conflicts,
                                                 &sched_overrides_update_repr);
}

static int sched_overrides_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_SCHEDULE_OVERRIDES_DELETE, req->route.id);
}

const sched_resource_t sched_res_overrides = {
    .name = "schedule_overrides", .object = "schedule_override",
    .list = sched_overrides_list,
    .create = sched_overrides_create, .read = sched_overrides_read,
    .change = sched_overrides_change, .remove = sched_overrides_remove
};
