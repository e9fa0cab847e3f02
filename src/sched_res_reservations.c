/* /appointment_reservations/: a client holds a slot (pending, until it expires),
 * confirms it, cancels it or moves it. Who may hold what is decided by the
 * constraints of sql/002; this file reads requests and maps outcomes. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_json.h"
#include "sched_list.h"
#include "sched_parse.h"
#include "sched_res.h"

static const char *sched_seconds(request_rec *r, apr_int64_t seconds)
{
    return apr_psprintf(r->pool, "%" APR_INT64_T_FMT " seconds", seconds);
}

/* 400 or 409 naming one field. */
static int sched_reservation_refuse(sched_req_t *req, int status, const char *field,
                                    const char *message)
{
    json_t *errors = sched_json_object(req->r);
    sched_json_error_add(errors, field, message);
    return sched_problem(req->r, status, message, errors);
}

/* A booking or a move that made nothing: slot_count tells whether the slot exists;
 * if it does, it starts too soon. */
static int sched_slot_refused(sched_req_t *req, const char *slot_count)
{
    return strcmp(slot_count, "0") == 0
           ? sched_reservation_refuse(req, HTTP_BAD_REQUEST, "slot", "no such slot")
           : sched_reservation_refuse(req, HTTP_BAD_REQUEST, "slot",
                                      "the slot starts too soon to be booked");
}

/* The Idempotency-Key header: NULL when absent; 400 when malformed. */
static int sched_idempotency_key(sched_req_t *req, const char **key)
{
    const char *reason;

    *key = apr_table_get(req->r->headers_in, "Idempotency-Key");
    if (*key && (reason = sched_parse_idempotency_key(*key)) != NULL) {
        return sched_problem(req->r, HTTP_BAD_REQUEST, reason, NULL);
    }
    return OK;
}

/* Answers a request whose key was seen: the first answer again, or 422 when the
 * key came with another request. Returns OK when the key is new. */
static int sched_idempotency_replay(sched_req_t *req, const char *key, const char *request)
{
    const char *params[1] = { key };
    PGresult *res;
    int rv = sched_db_exec(req->r, SCHED_STMT_RESERVATIONS_KEY, 1, params, &res);

    if (rv != OK || PQntuples(res) == 0) {
        return rv;
    }
    if (strcmp(PQgetvalue(res, 0, 0), request) != 0) {
        return sched_problem(req->r, HTTP_UNPROCESSABLE_ENTITY, "this Idempotency-Key "
                             "was used with a different request", NULL);
    }
    return sched_send_created(req, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
}

static int sched_reservations_create(sched_req_t *req)
{
    sched_body_value_t v[SCHED_RESERVATION_FIELDS];
    const char *params[6], *key;
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_reservations, 1, v);

    if (rv != OK || (rv = sched_idempotency_key(req, &key)) != OK) {
        return rv;
    }
    params[0] = sched_i64(req->r, v[SCHED_RESERVATION_CLIENT].i);
    params[1] = sched_i64(req->r, v[SCHED_RESERVATION_SLOT].i);
    params[2] = sched_seconds(req->r, req->conf->hold_time);
    params[3] = sched_seconds(req->r, req->conf->min_notice);
    params[4] = key;
    params[5] = apr_pstrcat(req->r->pool, "client=", params[0], "&slot=", params[1],
                            "&user=", req->r->user ? req->r->user : "", NULL);
    if (key && (rv = sched_idempotency_replay(req, key, params[5])) != OK) {
        return rv;
    }
    rv = sched_db_exec_unless(req->r, SCHED_STMT_RESERVATIONS_CREATE, 6, params, &res,
                              "idempotency_keys_pkey");
    if (rv == SCHED_DB_CONSTRAINT) {
        /* The same key won a race a moment ago: answer as it did. */
        rv = sched_idempotency_replay(req, key, params[5]);
        return rv != OK ? rv : sched_problem(req->r, HTTP_CONFLICT, "a request with this "
                                             "Idempotency-Key is in progress", NULL);
    }
    if (rv != OK || (rv = sched_db_allowed(req->r, res)) != OK) {
        return rv;
    }
    if (PQgetisnull(res, 0, 1)) {
        return strcmp(PQgetvalue(res, 0, 4), "0") == 0
               ? sched_reservation_refuse(req, HTTP_BAD_REQUEST, "client", "no such client")
               : sched_slot_refused(req, PQgetvalue(res, 0, 3));
    }
    return sched_db_send_created(req, res);
}

static int sched_reservations_list(sched_req_t *req)
{
    static const char *const keep[] = { "client", "provider", "slot", "status", NULL };
    static const char *const statuses[] = {
        "pending", "confirmed", "expired", "cancelled", NULL
    };
    sched_page_t page;
    apr_int64_t client, provider, slot;
    int has_client, has_provider, has_slot, rv, i;
    const char *status, *params[6];
    PGresult *res;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK
        || (rv = sched_query_id(req, "client", &client, &has_client)) != OK
        || (rv = sched_query_id(req, "provider", &provider, &has_provider)) != OK
        || (rv = sched_query_id(req, "slot", &slot, &has_slot)) != OK
        || (rv = sched_query_get(req, "status", &status)) != OK) {
        return rv;
    }
    for (i = 0; status && statuses[i] && strcmp(statuses[i], status) != 0; i++) {
    }
    if (status && !statuses[i]) {
        return sched_problem(req->r, HTTP_BAD_REQUEST, "query parameter status must be "
                             "pending, confirmed, expired or cancelled", NULL);
    }
    params[0] = page.after;
    params[1] = has_client ? sched_i64(req->r, client) : NULL;
    params[2] = has_provider ? sched_i64(req->r, provider) : NULL;
    params[3] = has_slot ? sched_i64(req->r, slot) : NULL;
    params[4] = status;
    params[5] = page.fetch;
    if ((rv = sched_db_exec(req->r, SCHED_STMT_RESERVATIONS_LIST, 6, params, &res)) != OK) {
        return rv;
    }
    return sched_list_send(req, res, &page, keep);
}

static int sched_reservations_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_RESERVATIONS_GET, req->route.id);
}

/* PUT and PATCH: only the slot may change (a reschedule). */
static int sched_reservations_move(sched_req_t *req)
{
    sched_body_value_t v[SCHED_RESERVATION_FIELDS];
    const char *params[3];
    PGresult *res;
    int rv = sched_read_fields(req, &sched_body_reservations, 0, v);

    if (rv != OK) {
        return rv;
    }
    if (v[SCHED_RESERVATION_SLOT].got != SCHED_FIELD_OK) {
        return sched_reservations_read(req);
    }
    params[0] = sched_i64(req->r, req->route.id);
    params[1] = sched_i64(req->r, v[SCHED_RESERVATION_SLOT].i);
    params[2] = sched_seconds(req->r, req->conf->min_notice);
    if ((rv = sched_db_exec(req->r, SCHED_STMT_RESERVATIONS_MOVE, 3, params, &res)) != OK
        || (rv = sched_db_guard(req->r, res)) != OK) {
        return rv;
    }
    if (strcmp(PQgetvalue(res, 0, 3), "t") != 0) {
        return sched_problem(req->r, HTTP_CONFLICT, "only an active reservation can "
                             "move to another slot", NULL);
    }
    if (PQgetisnull(res, 0, 2)) {
        return sched_slot_refused(req, PQgetvalue(res, 0, 4));
    }
    return sched_db_send_guarded(req->r, res);
}

static int sched_reservations_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_RESERVATIONS_DELETE, req->route.id);
}

/* Confirm or cancel: stmt answers (visible, allowed, status, json). want is the
 * status that makes the answer 200; any other is a 409 that says what it is. */
static int sched_reservations_act(sched_req_t *req, sched_stmt_e stmt, const char *want)
{
    const char *params[1] = { sched_i64(req->r, req->route.id) };
    PGresult *res;
    int rv;

    ap_discard_request_body(req->r);
    if ((rv = sched_db_exec(req->r, stmt, 1, params, &res)) != OK
        || (rv = sched_db_guard(req->r, res)) != OK) {
        return rv;
    }
    if (strcmp(PQgetvalue(res, 0, 2), want) != 0) {
        return sched_problem(req->r, HTTP_CONFLICT, apr_pstrcat(req->r->pool,
                             "the reservation is ", PQgetvalue(res, 0, 2), NULL), NULL);
    }
    return sched_send_json(req->r, HTTP_OK, PQgetvalue(res, 0, 3),
                           (apr_size_t)PQgetlength(res, 0, 3));
}

static int sched_reservations_confirm(sched_req_t *req)
{
    return sched_reservations_act(req, SCHED_STMT_RESERVATIONS_CONFIRM, "confirmed");
}

static int sched_reservations_cancel(sched_req_t *req)
{
    return sched_reservations_act(req, SCHED_STMT_RESERVATIONS_CANCEL, "cancelled");
}

static const sched_action_t sched_reservation_actions[] = {
    { "confirm", sched_reservations_confirm },
    { "cancel", sched_reservations_cancel },
    { NULL, NULL }
};

const sched_resource_t sched_res_reservations = {
    .name = "appointment_reservations", .list = sched_reservations_list,
    .create = sched_reservations_create, .read = sched_reservations_read,
    .change = sched_reservations_move,
    .remove = sched_reservations_remove, .actions = sched_reservation_actions
};
