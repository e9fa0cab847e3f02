/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /appointment_reservations/: a client holds a slot (pending, until it expires),
 * confirms it, cancels it or moves it. Who may hold what is decided in the database
 * (the constraints of sql/002 and the statements' checks under their row locks);
 * this file reads requests and maps outcomes. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_json.h"
#include "sched_list.h"
#include "sched_parse.h"
#include "sched_res.h"
#include "sched_row.h"

static const sched_repr_t sched_res_create_repr =
    SCHED_REPR_RESERVATION(RESERVATIONS_CREATE);
static const sched_repr_t sched_res_list_repr = SCHED_REPR_RESERVATION(RESERVATIONS_LIST);
static const sched_repr_t sched_res_get_repr = SCHED_REPR_RESERVATION(RESERVATIONS_GET);
static const sched_repr_t sched_res_move_repr = SCHED_REPR_RESERVATION(RESERVATIONS_MOVE);
static const sched_repr_t sched_res_confirm_repr =
    SCHED_REPR_RESERVATION(RESERVATIONS_CONFIRM);
static const sched_repr_t sched_res_cancel_repr =
    SCHED_REPR_RESERVATION(RESERVATIONS_CANCEL);

/* 400 or 409 naming one field. */
static int sched_reservation_refuse(sched_req_t *req, int status, const char *field,
                                    const char *message)
{
    return sched_problem_field(req->r, status, field, message);
}

/* What each reason a statement gives (its "conflict" column) answers. */
static const struct {
    const char *why;
    const char *message;
} sched_conflicts[] = {
    { "client", "the client already has an active reservation at that time" },
    { "time_off", "the provider is away then (time off)" },
    { "buffer", "too close to another booking of the provider (its buffers)" },
    { NULL, "the slot already has an active reservation" }
};

/* Columns of a booking or a move that say why it made nothing. */
typedef struct sched_refusal_t {
    int slot_found, soon, too_far, conflict;
} sched_refusal_t;

/* A booking or a move that made nothing: the slot does not exist, starts too soon or
 * beyond its provider's horizon (400), or a booking holds it, the client or the
 * provider's time then (409, a race lost to another request included). */
static int sched_slot_refused(sched_req_t *req, const PGresult *res,
                              const sched_refusal_t *c)
{
    const char *why = sched_row_text(res, 0, c->conflict, NULL);
    int i;

    if (!sched_row_bool(res, 0, c->slot_found)) {
        return sched_reservation_refuse(req, HTTP_BAD_REQUEST, "slot", "no such slot");
    }
    if (sched_row_bool(res, 0, c->soon)) {
        return sched_reservation_refuse(req, HTTP_BAD_REQUEST, "slot",
                                        "the slot starts too soon to be booked");
    }
    if (sched_row_bool(res, 0, c->too_far)) {
        return sched_reservation_refuse(req, HTTP_BAD_REQUEST, "slot", "the slot starts "
                                        "beyond the provider's booking horizon");
    }
    for (i = 0; sched_conflicts[i].why && !(why && strcmp(why, sched_conflicts[i].why) == 0);
         i++) {
    }
    return sched_reservation_refuse(req, HTTP_CONFLICT, "slot", sched_conflicts[i].message);
}

static const sched_refusal_t sched_create_refusal = {
    SCHED_RESERVATIONS_CREATE__SLOT_FOUND, SCHED_RESERVATIONS_CREATE__SOON,
    SCHED_RESERVATIONS_CREATE__TOO_FAR, SCHED_RESERVATIONS_CREATE__CONFLICT
};
static const sched_refusal_t sched_move_refusal = {
    SCHED_RESERVATIONS_MOVE__SLOT_FOUND, SCHED_RESERVATIONS_MOVE__SOON,
    SCHED_RESERVATIONS_MOVE__TOO_FAR, SCHED_RESERVATIONS_MOVE__CONFLICT
};

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

/* The first answer to a key: the reservation as it was made (pending). */
static int sched_idempotency_answer(sched_req_t *req, const PGresult *res)
{
    sched_jsonw_t w;
    apr_size_t len;
    const char *body = sched_row_text(res, 0, SCHED_RESERVATIONS_KEY__BODY, &len);
    apr_int64_t id = sched_row_int(res, 0, SCHED_RESERVATIONS_KEY__RESERVATION_ID);

    if (body == NULL) {
        sched_jsonw_init(&w, req->r->pool, 256);
        sched_jsonw_open(&w, NULL, '{');
        sched_jsonw_int(&w, "id", id);
        sched_jsonw_int(&w, "client", sched_row_int(res, 0, SCHED_RESERVATIONS_KEY__CLIENT_ID));
        sched_jsonw_int(&w, "slot", sched_row_int(res, 0, SCHED_RESERVATIONS_KEY__SLOT_ID));
        sched_repr_time(&w, "created_at", res, 0, SCHED_RESERVATIONS_KEY__RESERVED_AT);
        sched_jsonw_bool(&w, "confirmed", 0);
        sched_jsonw_str(&w, "status", "pending", 7);
        sched_repr_time(&w, "expires_at", res, 0, SCHED_RESERVATIONS_KEY__EXPIRES_AT);
        sched_jsonw_null(&w, "confirmed_at");
        sched_jsonw_close(&w, '}');
        body = sched_jsonw_text(&w, &len);
    }
    sched_set_etag(req->r, sched_row_text(res, 0, SCHED_RESERVATIONS_KEY__ETAG, NULL), 0);
    return sched_send_created(req, id, body, len);
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
    if (strcmp(sched_row_text(res, 0, SCHED_RESERVATIONS_KEY__REQUEST, NULL), request) != 0) {
        return sched_problem(req->r, HTTP_UNPROCESSABLE_ENTITY, "this Idempotency-Key "
                             "was used with a different request", NULL);
    }
    return sched_idempotency_answer(req, res);
}

/* The answer of a booking that made nothing (res: sched_reservations_create). */
static int sched_booking_refused(sched_req_t *req, const PGresult *res, const char *key,
                                 const char *request)
{
    int rv;

    if (!sched_row_bool(res, 0, SCHED_RESERVATIONS_CREATE__CLIENT_FOUND)) {
        return sched_reservation_refuse(req, HTTP_BAD_REQUEST, "client", "no such client");
    }
    /* A twin of this request, with its key, may have booked the slot meanwhile. */
    if (key && !sched_row_null(res, 0, SCHED_RESERVATIONS_CREATE__CONFLICT)
        && (rv = sched_idempotency_replay(req, key, request)) != OK) {
        return rv;
    }
    return sched_slot_refused(req, res, &sched_create_refusal);
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
    if (sched_row_null(res, 0, SCHED_RESERVATIONS_CREATE__ID)) {
        return sched_booking_refused(req, res, key, params[5]);
    }
    return sched_db_send_created(req, res, &sched_res_create_repr);
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
    return sched_list_send(req, res, &page, keep, &sched_res_list_repr);
}

static int sched_reservations_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_RESERVATIONS_GET, req->route.id,
                            &sched_res_get_repr);
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
    if (!sched_row_bool(res, 0, SCHED_RESERVATIONS_MOVE__ACTIVE)) {
        return sched_problem(req->r, HTTP_CONFLICT, "only an active reservation can "
                             "move to another slot", NULL);
    }
    if (sched_row_null(res, 0, SCHED_RESERVATIONS_MOVE__ID)) {
        return sched_slot_refused(req, res, &sched_move_refusal);
    }
    return sched_db_send_one(req->r, HTTP_OK, res, &sched_res_move_repr);
}

static int sched_reservations_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_RESERVATIONS_DELETE, req->route.id);
}

/* Confirm or cancel: stmt answers (visible, allowed, the reservation). want is the
 * status that makes the answer 200; any other is a 409 that says what it is. */
static int sched_reservations_act(sched_req_t *req, sched_stmt_e stmt,
                                  const sched_repr_t *repr, const char *want)
{
    const char *status;
    const char *params[1] = { sched_i64(req->r, req->route.id) };
    PGresult *res;
    int rv;

    ap_discard_request_body(req->r);
    if ((rv = sched_db_exec(req->r, stmt, 1, params, &res)) != OK
        || (rv = sched_db_guard(req->r, res)) != OK) {
        return rv;
    }
    status = sched_row_text(res, 0, repr->cols[6], NULL);
    if (status == NULL || strcmp(status, want) != 0) {
        return sched_problem(req->r, HTTP_CONFLICT, apr_pstrcat(req->r->pool,
                             "the reservation is ", status ? status : "gone", NULL), NULL);
    }
    return sched_db_send_one(req->r, HTTP_OK, res, repr);
}

static int sched_reservations_confirm(sched_req_t *req)
{
    return sched_reservations_act(req, SCHED_STMT_RESERVATIONS_CONFIRM,
                                  &sched_res_confirm_repr, "confirmed");
}

static int sched_reservations_cancel(sched_req_t *req)
{
    return sched_reservations_act(req, SCHED_STMT_RESERVATIONS_CANCEL,
                                  &sched_res_cancel_repr, "cancelled");
}

static const sched_action_t sched_reservation_actions[] = {
    { .name = "confirm", .post = sched_reservations_confirm },
    { .name = "cancel", .post = sched_reservations_cancel },
    { .name = NULL }
};

const sched_resource_t sched_res_reservations = {
    .name = "appointment_reservations", .object = "reservation",
    .list = sched_reservations_list,
    .create = sched_reservations_create, .read = sched_reservations_read,
    .change = sched_reservations_move,
    .remove = sched_reservations_remove, .actions = sched_reservation_actions
};
