/* /users/: accounts. The password is write-only: stored as a bcrypt hash, never
 * returned (sched_user_json in sql/ leaves it out). */
#include <http_protocol.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_crypt.h"
#include "sched_db.h"
#include "sched_json.h"
#include "sched_list.h"
#include "sched_res.h"

#define SCHED_USERNAME_MAX  150
#define SCHED_PASSWORD_MIN  8
#define SCHED_PASSWORD_MAX  72      /* bcrypt reads no further */
#define SCHED_EMAIL_MAX     254

/* The writable fields of a user, as statement parameters (NULL: not given). */
typedef struct sched_user_fields_t {
    const char *username, *password, *email, *is_superuser, *is_active;
} sched_user_fields_t;

static int sched_username_ok(const char *s)
{
    for (; *s; s++) {
        if (!apr_isalnum(*s) && !strchr("@.+-_", *s)) {
            return 0;
        }
    }
    return 1;
}

static int sched_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    const char *c;
    if (*s == '\0') {
        return 1;
    }
    if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@')) {
        return 0;
    }
    for (c = s; *c; c++) {
        if (apr_isspace(*c) || apr_iscntrl(*c)) {
            return 0;
        }
    }
    return 1;
}

static const char *sched_bool_param(sched_field_e got, int value)
{
    return got == SCHED_FIELD_OK ? (value ? "true" : "false") : NULL;
}

/* Reads the body's user fields; with full (POST, PUT) username is required, and
 * with create the password too. Answers 4xx itself. */
static int sched_user_body(sched_req_t *req, int full, int create, sched_user_fields_t *f)
{
    json_t *body, *errors;
    const char *password = NULL;
    int su = 0, active = 0, rv = sched_read_json(req, &body);
    sched_field_e got_su, got_active;

    if (rv != OK) {
        return rv;
    }
    errors = sched_json_object(req->r);
    memset(f, 0, sizeof(*f));
    if (sched_json_get_string(body, "username", full, 1, SCHED_USERNAME_MAX,
                              &f->username, errors) == SCHED_FIELD_OK
        && !sched_username_ok(f->username)) {
        sched_json_error_add(errors, "username", "letters, digits and @.+-_ only");
    }
    if (sched_json_get_string(body, "email", 0, 0, SCHED_EMAIL_MAX, &f->email, errors)
        == SCHED_FIELD_OK && !sched_email_ok(f->email)) {
        sched_json_error_add(errors, "email", "not a valid email address");
    }
    sched_json_get_string(body, "password", create, SCHED_PASSWORD_MIN,
                          SCHED_PASSWORD_MAX, &password, errors);
    got_su = sched_json_get_bool(body, "is_superuser", 0, &su, errors);
    got_active = sched_json_get_bool(body, "is_active", 0, &active, errors);
    if (json_object_size(errors)) {
        return sched_problem_invalid(req->r, errors);
    }
    f->is_superuser = sched_bool_param(got_su, su);
    f->is_active = sched_bool_param(got_active, active);
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
    return sched_list_send(req, res, &page, NULL);
}

static int sched_users_read(sched_req_t *req)
{
    return sched_db_read_id(req->r, SCHED_STMT_USERS_GET, req->route.id);
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
    return rv != OK ? rv : sched_db_send_row(req->r, res, 0);
}

static int sched_users_create(sched_req_t *req)
{
    sched_user_fields_t f;
    const char *params[5];
    PGresult *res;
    int rv = sched_user_body(req, 1, 1, &f);

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
    return sched_db_send_created(req, res);
}

static int sched_users_change(sched_req_t *req)
{
    sched_user_fields_t f;
    const char *params[6];
    PGresult *res;
    int rv = sched_user_body(req, req->replace, 0, &f);

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
    return sched_db_send_guarded(req->r, res);
}

static int sched_users_remove(sched_req_t *req)
{
    return sched_db_delete_id(req->r, SCHED_STMT_USERS_DELETE, req->route.id);
}

const sched_resource_t sched_res_users = {
    .name = "users", .list = sched_users_list, .create = sched_users_create,
    .read = sched_users_read, .change = sched_users_change,
    .remove = sched_users_remove, .me = sched_users_me
};
