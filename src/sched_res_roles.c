/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /clients/ and /providers/: the records that make a user a client or a provider.
 * Both are {"id", "user"}; one set of endpoints serves both, told apart by the
 * statements of their resource. */
#include <http_protocol.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_list.h"
#include "sched_res.h"

/* The statements of one role table, how their answers are read, and its body. */
typedef struct sched_role_t {
    sched_stmt_e list, get, create, update, remove;
    sched_repr_t list_repr, get_repr, create_repr, update_repr;
    const sched_body_t *body;
} sched_role_t;

#define SCHED_ROLE(T, body) { \
    SCHED_STMT_##T##_LIST, SCHED_STMT_##T##_GET, SCHED_STMT_##T##_CREATE, \
    SCHED_STMT_##T##_UPDATE, SCHED_STMT_##T##_DELETE, \
    SCHED_REPR_ROLE(T##_LIST), SCHED_REPR_ROLE(T##_GET), SCHED_REPR_ROLE(T##_CREATE), \
    SCHED_REPR_ROLE(T##_UPDATE), (body) }

static const sched_role_t sched_role_clients = SCHED_ROLE(CLIENTS, &sched_body_clients);
static const sched_role_t sched_role_providers =
    SCHED_ROLE(PROVIDERS, &sched_body_providers);

static const sched_role_t *sched_role_of(sched_req_t *req)
{
    return strcmp(req->route.resource, "clients") == 0 ? &sched_role_clients
                                                         : &sched_role_providers;
}

static int sched_role_list(sched_req_t *req)
{
    static const char *const keep[] = { "user", NULL };
    sched_page_t page;
    apr_int64_t user;
    int has_user, rv;
    const char *params[3];
    PGresult *res;

    if ((rv = sched_list_page(req, SCHED_ORDER_ID, &page)) != OK
        || (rv = sched_query_id(req, "user", &user, &has_user)) != OK) {
        return rv;
    }
    params[0] = page.after;
    params[1] = has_user ? sched_i64(req->r, user) : NULL;
    params[2] = page.fetch;
    if ((rv = sched_db_exec(req->r, sched_role_of(req)->list, 3, params, &res)) != OK) {
        return rv;
    }
    return sched_list_send(req, res, &page, keep, &sched_role_of(req)->list_repr);
}

static int sched_role_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, sched_role_of(req)->get, req->route.id,
                            &sched_role_of(req)->get_repr);
}

/* Reads {"user": id} (required in POST and PUT) into *user, NULL when absent. */
static int sched_role_body(sched_req_t *req, int create, const char **user)
{
    sched_body_value_t v[SCHED_ROLE_FIELDS];
    int rv = sched_read_fields(req, sched_role_of(req)->body, create, v);

    if (rv != OK) {
        return rv;
    }
    *user = v[SCHED_ROLE_USER].got == SCHED_FIELD_OK
            ? sched_i64(req->r, v[SCHED_ROLE_USER].i) : NULL;
    return OK;
}

static int sched_role_create(sched_req_t *req)
{
    const char *params[1];
    PGresult *res;
    int rv = sched_role_body(req, 1, &params[0]);
    if (rv != OK
        || (rv = sched_db_exec(req->r, sched_role_of(req)->create, 1, params, &res)) != OK) {
        return rv;
    }
    return sched_db_send_created(req, res, &sched_role_of(req)->create_repr);
}

static int sched_role_change(sched_req_t *req)
{
    const char *params[2] = { sched_i64(req->r, req->route.id), NULL };
    PGresult *res;
    int rv = sched_role_body(req, 0, &params[1]);
    if (rv != OK
        || (rv = sched_db_exec(req->r, sched_role_of(req)->update, 2, params, &res)) != OK) {
        return rv;
    }
    return sched_db_send_guarded(req->r, res, &sched_role_of(req)->update_repr);
}

static int sched_role_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, sched_role_of(req)->remove, req->route.id);
}

const sched_resource_t sched_res_clients = {
    .name = "clients", .object = "client",
    .list = sched_role_list, .create = sched_role_create,
    .read = sched_role_read, .change = sched_role_change,
    .remove = sched_role_remove
};

const sched_resource_t sched_res_providers = {
    .name = "providers", .object = "provider",
    .list = sched_role_list, .create = sched_role_create,
    .read = sched_role_read, .change = sched_role_change,
    .remove = sched_role_remove
};
