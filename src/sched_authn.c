/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The "sched" authentication provider (AuthBasicProvider sched): checks a user name
 * and password against the users table, over mod_dbd's pooled connection with a
 * prepared statement.
 *
 * Basic auth sends the password with every request, and bcrypt costs tens of
 * milliseconds of CPU on purpose. So every request reads the user's current hash
 * (one indexed row), and a password that matched that very hash within
 * SchedAuthCacheTime is not checked again (sched_credcache.h). A changed password,
 * a deactivated or deleted user are refused at once, on every process and server:
 * the hash read is always the current one. Refusals are never cached. */
#include <http_request.h>
#include <mod_auth.h>
#include <http_core.h>
#include <http_protocol.h>
#include <util_filter.h>

#include "sched_private.h"
#include "sched_authn.h"
#include "sched_credcache.h"
#include "sched_crypt.h"
#include "sched_db.h"
#include "sched_row.h"

/* Passwords remembered per child process: 4096 entries of 28 bytes. */
#define SCHED_AUTHN_UNAVAILABLE "sched-authn-unavailable"
#define SCHED_AUTHN_FILTER      "SCHED_AUTHN_PROBLEM"
#define SCHED_AUTHN_PROBLEM \
    "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503," \
    "\"detail\":\"the database is unavailable, try again shortly\"}"

#define SCHED_AUTHN_ENTRIES 4096

static sched_credcache_t *sched_authn_cache = NULL;

static apr_int64_t sched_authn_ttl(request_rec *r)
{
    const sched_config_t *conf = ap_get_module_config(r->per_dir_config, &sched_module);
    if (sched_authn_cache == NULL || conf == NULL) {
        return 0;
    }
    return conf->auth_cache_time == -1 ? SCHED_DEFAULT_AUTH_CACHE : conf->auth_cache_time;
}

/* The stored hash of an active user: OK with *hash (NULL: no such user), or the
 * status of a database failure. */
static int sched_authn_lookup(request_rec *r, const char *user, const char **hash)
{
    const char *params[1] = { user };
    PGresult *res;
    int rv = sched_db_query(r, SCHED_STMT_AUTH_PASSWORD, 1, params, &res);
    if (rv != OK) {
        return rv;
    }
    *hash = PQntuples(res) > 0 ? sched_row_text(res, 0, SCHED_AUTH_PASSWORD__PASSWORD, NULL)
                               : NULL;
    return OK;
}

static authn_status sched_authn_check(request_rec *r, const char *user,
                                      const char *password)
{
    apr_int64_t ttl = sched_authn_ttl(r);
    unsigned char key[SCHED_CREDCACHE_KEY];
    apr_time_t now = apr_time_now();
    const char *hash = NULL;

    if (sched_authn_lookup(r, user, &hash) != OK) {
        apr_table_setn(r->notes, SCHED_AUTHN_UNAVAILABLE, "1");
        return AUTH_GENERAL_ERROR;
    }
    if (hash && ttl > 0) {
        sched_credcache_key(sched_authn_cache, user, password, hash, key);
        if (sched_credcache_hit(sched_authn_cache, key, now - apr_time_from_sec(ttl))) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, SCHED_LOGNO(00402)
                          "user %s: the password matched its hash before", user);
            return AUTH_GRANTED;
        }
    }
    if (sched_crypt_check(password, hash) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, SCHED_LOGNO(00403)
                      "user %s: %s", user, hash ? "bcrypt: wrong password" : "no such user");
        return hash ? AUTH_DENIED : AUTH_USER_NOT_FOUND;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, SCHED_LOGNO(00404)
                  "user %s: bcrypt: the password matches", user);
    if (ttl > 0) {
        sched_credcache_put(sched_authn_cache, key, now);
    }
    return AUTH_GRANTED;
}

/* A provider that fails can only make mod_auth_basic (or mod_auth_form) answer 500.
 * When the credentials could not be checked because the database cannot be reached
 * (sched_db_query has tried a fresh connection already), that error answer becomes
 * the 503 problem, with Retry-After, that every other path gives: the status is
 * changed before httpd writes its error page, which is replaced by the problem. */
static void sched_authn_insert_error_filter(request_rec *r)
{
    if (r->status != HTTP_INTERNAL_SERVER_ERROR
        || apr_table_get(r->notes, SCHED_AUTHN_UNAVAILABLE) == NULL) {
        return;
    }
    r->status = HTTP_SERVICE_UNAVAILABLE;
    apr_table_setn(r->err_headers_out, "Retry-After", SCHED_RETRY_AFTER);
    ap_custom_response(r, HTTP_INTERNAL_SERVER_ERROR, SCHED_AUTHN_PROBLEM);
    ap_add_output_filter(SCHED_AUTHN_FILTER, NULL, r, r->connection);
}

/* The error page's type, set as its body passes. */
static apr_status_t sched_authn_problem_type(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ap_set_content_type(f->r, "application/problem+json");
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static const authn_provider sched_authn_provider = {
    &sched_authn_check,
    NULL                        /* no digest auth: only bcrypt hashes are stored */
};

static void sched_authn_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv = sched_credcache_create(pchild, SCHED_AUTHN_ENTRIES,
                                             &sched_authn_cache);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, SCHED_LOGNO(00401)
                     "cannot create the password cache: every login runs bcrypt");
    }
}

void sched_authn_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, "sched", AUTHN_PROVIDER_VERSION,
                              &sched_authn_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_child_init(sched_authn_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(sched_authn_insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    ap_register_output_filter(SCHED_AUTHN_FILTER, sched_authn_problem_type, NULL,
                              AP_FTYPE_CONTENT_SET);
}
