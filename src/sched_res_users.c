/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* /users/: accounts. The password is write-only: stored as a bcrypt hash, never
 * returned (no statement reads it back, but the login's). */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_crypt.h"
#include "sched_db.h"
#include "sched_list.h"
#include "sched_res.h"

static const sched_repr_t sched_users_list_repr = SCHED_REPR_USER(USERS_LIST);
static const sched_repr_t sched_users_get_repr = SCHED_REPR_USER(USERS_GET);
static const sched_repr_t sched_users_me_repr = SCHED_REPR_USER(USERS_ME);
static const sched_repr_t sched_users_create_repr = SCHED_REPR_USER(USERS_CREATE);
static const sched_repr_t sched_users_update_repr = SCHED_REPR_USER(USERS_UPDATE);

/* The writable fields of a user, as statement parameters (NULL: not given). */
typedef struct sched_user_fields_t {
    const char *username, *password, *email, *is_superuser, *is_active;
} sched_user_fields_t;

static const char *sched_text_param(const sched_body_value_t *v)
{
    return v->got == SCHED_FIELD_OK ? v->s : NULL;
}

static const char *sched_bool_param(const sched_body_value_t *v)
{
    return v->got == SCHED_FIELD_OK ? (v->i ? "true" : "false") : NULL;
}

/* Reads the body's user fields, as sched_body_users describes them, for a POST when
 * create is set (else PUT or PATCH). Answers 4xx itself. */
static int sched_user_body(sched_req_t *req, int create, sched_user_fields_t *f)
{
    sched_body_value_t v[SCHED_USER_FIELDS];
    const char *password;
    int rv = sched_read_fields(req, &sched_body_users, create, v);

    if (rv != OK) {
        return rv;
    }
    memset(f, 0, sizeof(*f));
    f->username = sched_text_param(&v[SCHED_USER_USERNAME]);
    f->email = sched_text_param(&v[SCHED_USER_EMAIL]);
    f->is_superuser = sched_bool_param(&v[SCHED_USER_IS_SUPERUSER]);
    f->is_active = sched_bool_param(&v[SCHED_USER_IS_ACTIVE]);
    password = sched_text_param(&v[SCHED_USER_PASSWORD]);
    if (password && sched_crypt_hash(req->r->pool, password, (char **)&f->password)
                    != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r, SCHED_LOGNO(00301)
                      "could not hash a password");
        return sched_problem(req->r, HTTP_INTERNAL_SERVER_ERROR,
                             "the password could not be stored", NULL);
    }
    return OK;
}

static int sched_users_list(sched_req_t *req)
{
    sched_page_t page;
    const char *params[2];
    PGresult *res;
    int rv = sched_list_page(req, SCHED_ORDER_ID, &page);

    if (rv != OK) {
        return rv;
    }
    params[0] = page.after;
    params[1] = page.fetch;
    if ((rv = sched_db_exec(req->r, SCHED_STMT_USERS_LIST, 2, params, &res)) != OK) {
        return rv;
    }
    return sched_list_send(req, res, &page, NULL, &sched_users_list_repr);
}

static int sched_users_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_USERS_GET, req->route.id,
                            &sched_users_get_repr);
}

static int sched_users_me(sched_req_t *req)
{
    PGresult *res;
    int rv;

    if (req->r->user == NULL) {
        return sched_problem(req->r, HTTP_UNAUTHORIZED,
                             "no authenticated user: configure httpd authentication "
                             "for this location", NULL);
    }
    rv = sched_db_exec(req->r, SCHED_STMT_USERS_ME, 0, NULL, &res);
    return rv != OK ? rv : sched_db_send_one(req->r, HTTP_OK, res, &sched_users_me_repr);
}

static int sched_users_create(sched_req_t *req)
{
    sched_user_fields_t f;
    const char *params[5];
    PGresult *res;
    int rv = sched_user_body(req, 1, &f);

    if (rv != OK) {
        return rv;
    }
    params[0] = f.username;
    params[1] = f.password;
    params[2] = f.email;
    params[3] = f.is_superuser;
    params[4] = f.is_active;
    if ((rv = sched_db_exec(req->r, SCHED_STMT_USERS_CREATE, 5, params, &res)) != OK) {
        return rv;
    }
    return sched_db_send_created(req, res, &sched_users_create_repr);
}

static int sched_users_change(sched_req_t *req)
{
    sched_user_fields_t f;
    const char *params[6];
    PGresult *res;
    int rv = sched_user_body(req, 0, &f);

    if (rv != OK) {
        return rv;
    }
    params[0] = sched_i64(req->r, req->route.id);
    params[1] = f.username;
    params[2] = f.password;
    params[3] = f.email;
    params[4] = f.is_superuser;
    params[5] = f.is_active;
    if ((rv = sched_db_exec(req->r, SCHED_STMT_USERS_UPDATE, 6, params, &res)) != OK) {
        return rv;
    }
    return sched_db_send_guarded(req->r, res, &sched_users_update_repr);
}

static int sched_users_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_USERS_DELETE, req->route.id);
}

const sched_resource_t sched_res_users = {
    .name = "users", .object = "user",
    .list = sched_users_list, .create = sched_users_create,
    .read = sched_users_read, .change = sched_users_change,
    .remove = sched_users_remove, .me = sched_users_me
};
