/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /available_slots/: a provider's windows of time, cut into slots. The list shows
 * bookable slots only; the detail shows any slot, with "available". */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_json.h"
#include "sched_limits.h"
#include "sched_list.h"
#include "sched_parse.h"
#include "sched_res.h"
#include "sched_row.h"
#include "sched_time.h"
#include "sched_timein.h"

#define SCHED_USEC             APR_INT64_C(1000000)

static const char *sched_notice(sched_req_t *req)
{
    return sched_seconds(req->r, req->conf->min_notice);
}

static const sched_repr_t sched_slots_create_repr = SCHED_REPR_SLOT(SLOTS_CREATE);
static const sched_repr_t sched_slots_list_repr = SCHED_REPR_SLOT(SLOTS_LIST);
static const sched_repr_t sched_slots_list_provider_repr =
    SCHED_REPR_SLOT(SLOTS_LIST_PROVIDER);
static const sched_repr_t sched_slots_get_repr = SCHED_REPR_SLOT_DETAIL(SLOTS_GET);
static const sched_repr_t sched_slots_update_repr = SCHED_REPR_SLOT(SLOTS_UPDATE);

static int sched_slots_invalid(sched_req_t *req, const char *field, const char *message)
{
    return sched_problem_field(req->r, HTTP_BAD_REQUEST, field, message);
}

/* Another slot of the provider is in the way. */
static int sched_slots_overlap(sched_req_t *req)
{
    return sched_problem_field(req->r, HTTP_CONFLICT, "start_time",
                               "overlaps another slot of this provider");
}

/* POST: a provider's window of time (sched_body_slots), cut into slots of
 * slot_minutes, or of SchedSlotLength. */
static int sched_slots_create(sched_req_t *req)
{
    sched_body_value_t w[SCHED_SLOT_FIELDS];
    apr_int64_t start, end, len, first, count;
    const char *params[4];
    PGresult *res;
    apr_size_t size;
    const char *body;
    int rv = sched_read_fields(req, &sched_body_slots, 1, w);

    if (rv != OK) {
        return rv;
    }
    start = w[SCHED_SLOT_START_TIME].i;
    end = w[SCHED_SLOT_END_TIME].i;
    if (end - start > SCHED_WINDOW_MAX_DAYS * 86400 * SCHED_USEC) {
        return sched_slots_invalid(req, "end_time", "the window is longer than "
                                   SCHED_STR(SCHED_WINDOW_MAX_DAYS) " days");
    }
    len = (w[SCHED_SLOT_MINUTES].got == SCHED_FIELD_OK ? w[SCHED_SLOT_MINUTES].i * 60
                                                        : req->conf->slot_length)
          * SCHED_USEC;
    count = sched_time_grid(start, end, len, &first);
    if (count == 0) {
        return sched_slots_invalid(req, "end_time", "the window makes no whole slot");
    }
    params[0] = sched_i64(req->r, w[SCHED_SLOT_PROVIDER].i);
    params[1] = sched_time_format_utc(req->r->pool, first);
    params[2] = sched_time_format_utc(req->r->pool, first + (count - 1) * len);
    params[3] = sched_seconds(req->r, len / SCHED_USEC);
    if ((rv = sched_db_exec(req->r, SCHED_STMT_SLOTS_CREATE, 4, params, &res)) != OK
        || (rv = sched_db_allowed(req->r, res)) != OK) {
        return rv;
    }
    if (!sched_row_bool(res, 0, SCHED_SLOTS_CREATE__PROVIDER_FOUND)) {
        return sched_slots_invalid(req, "provider", "no such provider");
    }
    if (sched_row_bool(res, 0, SCHED_SLOTS_CREATE__CONFLICT)) {
        return sched_slots_overlap(req);
    }
    /* A row per slot made; one row with no id when none was. */
    body = sched_list_array(req->r, res,
                            sched_row_null(res, 0, SCHED_SLOTS_CREATE__ID) ? 0
                                                                           : PQntuples(res),
                            &sched_slots_create_repr, &size);
    return sched_send_json(req->r, HTTP_CREATED, body, size);
}

/* Reads ?date= and ?tz= (the zone goes with a date only). */
static int sched_slots_date(sched_req_t *req, const char **date, const char **tz)
{
    int y, m, d, rv;
    const char *reason;

    if ((rv = sched_query_get(req, "date", date)) != OK
        || (rv = sched_query_get(req, "tz", tz)) != OK) {
        return rv;
    }
    if (*date && (reason = sched_time_parse_date(*date, &y, &m, &d)) != NULL) {
        return sched_problem(req->r, HTTP_BAD_REQUEST, apr_pstrcat(req->r->pool,
                             "query parameter date: ", reason, NULL), NULL);
    }
    if (*tz && !*date) {
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             "query parameter tz goes with date only", NULL);
    }
    if (*tz && (reason = sched_parse_zone_name(*tz)) != NULL) {
        return sched_problem(req->r, HTTP_BAD_REQUEST, apr_pstrcat(req->r->pool,
                             "query parameter tz: ", reason, NULL), NULL);
    }
    return OK;
}

static int sched_slots_list(sched_req_t *req)
{
    static const char *const keep[] = { "provider", "date", "tz", "from", "to", NULL };
    sched_page_t page;
    apr_int64_t provider, from, to;
    int has_provider, has_from, has_to, rv;
    const char *date, *tz, *params[10];
    PGresult *res;

    if ((rv = sched_list_page(req, SCHED_ORDER_TIME_ID, &page)) != OK
        || (rv = sched_query_id(req, "provider", &provider, &has_provider)) != OK
        || (rv = sched_timein_query(req, "from", &has_from, &from)) != OK
        || (rv = sched_timein_query(req, "to", &has_to, &to)) != OK
        || (rv = sched_slots_date(req, &date, &tz)) != OK) {
        return rv;
    }
    if (date && (has_from || has_to)) {
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             "query parameter date cannot go with from or to", NULL);
    }
    params[0] = has_provider ? sched_i64(req->r, provider) : NULL;
    params[1] = has_from ? sched_time_format_utc(req->r->pool, from) : NULL;
    params[2] = has_to ? sched_time_format_utc(req->r->pool, to) : NULL;
    params[3] = date;
    params[4] = tz;
    params[5] = sched_seconds(req->r, req->conf->window);
    params[6] = sched_notice(req);
    params[7] = page.after_time;
    params[8] = page.after_id;
    params[9] = page.fetch;
    if ((rv = sched_db_exec(req->r, has_provider ? SCHED_STMT_SLOTS_LIST_PROVIDER
                                                 : SCHED_STMT_SLOTS_LIST,
                            10, params, &res)) != OK) {
        return rv;
    }
    return sched_list_send(req, res, &page, keep, has_provider
                           ? &sched_slots_list_provider_repr : &sched_slots_list_repr);
}

static int sched_slots_read(sched_req_t *req)
{
    const char *params[2] = { sched_i64(req->r, req->route.id), sched_notice(req) };
    PGresult *res;
    int rv = sched_db_exec(req->r, SCHED_STMT_SLOTS_GET, 2, params, &res);
    return rv != OK ? rv : sched_db_send_one(req->r, HTTP_OK, res, &sched_slots_get_repr);
}

/* The id, provider and times of a slot (sched_body_slots) as statement parameters,
 * NULL for what the body leaves out. */
static void sched_slot_params(sched_req_t *req, const sched_body_value_t *w,
                              const char **params)
{
    params[0] = sched_i64(req->r, req->route.id);
    params[1] = w[SCHED_SLOT_PROVIDER].got == SCHED_FIELD_OK
                ? sched_i64(req->r, w[SCHED_SLOT_PROVIDER].i) : NULL;
    params[2] = w[SCHED_SLOT_START_TIME].got == SCHED_FIELD_OK
                ? sched_time_format_utc(req->r->pool, w[SCHED_SLOT_START_TIME].i) : NULL;
    params[3] = w[SCHED_SLOT_END_TIME].got == SCHED_FIELD_OK
                ? sched_time_format_utc(req->r->pool, w[SCHED_SLOT_END_TIME].i) : NULL;
}

static int sched_slots_change(sched_req_t *req)
{
    sched_body_value_t w[SCHED_SLOT_FIELDS];
    const char *params[5];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_slots, 0, w);

    if (rv != OK) {
        return rv;
    }
    sched_slot_params(req, w, params);
    params[4] = sched_notice(req);      /* the availability in the slot's ETag */
    if ((rv = sched_db_exec(req->r, SCHED_STMT_SLOTS_UPDATE, 5, params, &res)) != OK
        || (rv = sched_db_guard(req->r, res)) != OK) {
        return rv;
    }
    if (sched_row_bool(res, 0, SCHED_SLOTS_UPDATE__CONFLICT)) {
        return sched_slots_overlap(req);
    }
    return sched_db_send_one(req->r, HTTP_OK, res, &sched_slots_update_repr);
}

static int sched_slots_remove(sched_req_t *req)
{
    const char *params[2] = { sched_i64(req->r, req->route.id), sched_notice(req) };
    return sched_db_delete(req->r, SCHED_STMT_SLOTS_DELETE, 2, params);
}

const sched_resource_t sched_res_slots = {
    .name = "available_slots", .object = "slot",
    .list = sched_slots_list, .create = sched_slots_create,
    .read = sched_slots_read, .change = sched_slots_change,
    .remove = sched_slots_remove
};
