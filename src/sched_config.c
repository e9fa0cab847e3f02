/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Directives of mod_sched: parsed and range-checked when httpd reads its
 * configuration, so a bad value stops start-up with a message naming the directive. */
#include <stddef.h>

#include <http_core.h>
#include <apr_strings.h>
#include <apr_file_info.h>

#include "sched_private.h"
#include "sched_config.h"
#include "sched_limits.h"
#include "sched_parse.h"
#include "sched_server.h"
#include "sched_hook.h"

#define SCHED_ZONEINFO_DIR "/usr/share/zoneinfo/"

void *sched_config_create(apr_pool_t *p, char *dir)
{
    sched_config_t *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;              /* where the API is mounted: sched_mount.h says why not */
    c->slot_length = -1;
    c->hold_time = -1;
    c->min_notice = -1;
    c->window = -1;
    c->page_size = -1;
    c->max_body = -1;
    c->naive_tz = NULL;
    c->public_availability = -1;
    c->require_if_match = -1;
    c->same_origin = -1;
    c->open_access = -1;
    c->auth_cache_time = -1;
    c->pool_wait = -1;
    return c;
}

#define SCHED_MERGE(field, unset) (add->field != (unset) ? add->field : base->field)

void *sched_config_merge(apr_pool_t *p, void *basev, void *addv)
{
    const sched_config_t *base = basev;
    const sched_config_t *add = addv;
    sched_config_t *c = apr_palloc(p, sizeof(*c));
    c->slot_length = SCHED_MERGE(slot_length, -1);
    c->hold_time = SCHED_MERGE(hold_time, -1);
    c->min_notice = SCHED_MERGE(min_notice, -1);
    c->window = SCHED_MERGE(window, -1);
    c->page_size = SCHED_MERGE(page_size, -1);
    c->max_body = SCHED_MERGE(max_body, -1);
    c->naive_tz = SCHED_MERGE(naive_tz, NULL);
    c->public_availability = SCHED_MERGE(public_availability, -1);
    c->require_if_match = SCHED_MERGE(require_if_match, -1);
    c->same_origin = SCHED_MERGE(same_origin, -1);
    c->open_access = SCHED_MERGE(open_access, -1);
    c->auth_cache_time = SCHED_MERGE(auth_cache_time, -1);
    c->pool_wait = SCHED_MERGE(pool_wait, -1);
    return c;
}

#define SCHED_DEFAULT(field, dflt) do { \
        if (c->field == -1) { c->field = (dflt); } } while (0)

const sched_config_t *sched_config_get(request_rec *r)
{
    const sched_config_t *dir = ap_get_module_config(r->per_dir_config, &sched_module);
    sched_config_t *c = apr_pmemdup(r->pool, dir, sizeof(*c));
    SCHED_DEFAULT(slot_length, SCHED_DEFAULT_SLOT_LENGTH);
    SCHED_DEFAULT(hold_time, SCHED_DEFAULT_HOLD_TIME);
    SCHED_DEFAULT(min_notice, SCHED_DEFAULT_MIN_NOTICE);
    SCHED_DEFAULT(window, SCHED_DEFAULT_WINDOW);
    SCHED_DEFAULT(page_size, SCHED_DEFAULT_PAGE_SIZE);
    SCHED_DEFAULT(max_body, SCHED_DEFAULT_MAX_BODY);
    SCHED_DEFAULT(public_availability, 0);
    SCHED_DEFAULT(require_if_match, 0);
    SCHED_DEFAULT(same_origin, 0);
    SCHED_DEFAULT(open_access, 0);
    SCHED_DEFAULT(auth_cache_time, SCHED_DEFAULT_AUTH_CACHE);
    SCHED_DEFAULT(pool_wait, SCHED_DEFAULT_POOL_WAIT);
    return c;
}

/* Every setter: refuse .htaccess, then parse; a reason becomes "Directive: reason". */
static const char *sched_cmd_fail(cmd_parms *cmd, const char *reason)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", reason, NULL);
}

/* The offset of an apr_int64_t field, and its [min, max] range, ride in cmd->info. */
typedef struct sched_duration_rule_t {
    apr_size_t offset;
    apr_int64_t min;
    apr_int64_t max;
    apr_int64_t multiple;       /* value must be a multiple of this (seconds) */
} sched_duration_rule_t;

static const sched_duration_rule_t sched_rule_slot_length =
    { offsetof(sched_config_t, slot_length), SCHED_SLOT_MINUTES_MIN * 60,
      SCHED_SLOT_MINUTES_MAX * 60, 60 };
static const sched_duration_rule_t sched_rule_hold_time =
    { offsetof(sched_config_t, hold_time), 1, SCHED_HOLD_TIME_MAX, 1 };
static const sched_duration_rule_t sched_rule_min_notice =
    { offsetof(sched_config_t, min_notice), 0, SCHED_MIN_NOTICE_MAX, 1 };
static const sched_duration_rule_t sched_rule_window =
    { offsetof(sched_config_t, window), SCHED_WINDOW_MIN, SCHED_WINDOW_MAX_DAYS * 86400, 1 };
static const sched_duration_rule_t sched_rule_auth_cache_time =
    { offsetof(sched_config_t, auth_cache_time), 0, SCHED_AUTH_CACHE_MAX, 1 };
static const sched_duration_rule_t sched_rule_pool_wait =
    { offsetof(sched_config_t, pool_wait), 0, SCHED_POOL_WAIT_MAX, 1 };

static const char *sched_cmd_duration(cmd_parms *cmd, void *dcfg, const char *arg)
{
    const sched_duration_rule_t *rule = cmd->info;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    apr_int64_t seconds;
    if (err) {
        return err;
    }
    err = sched_parse_duration(arg, rule->min, rule->max, &seconds);
    if (err) {
        return sched_cmd_fail(cmd, err);
    }
    if (seconds % rule->multiple) {
        return sched_cmd_fail(cmd, apr_psprintf(cmd->pool,
                              "\"%s\" is not a whole number of minutes", arg));
    }
    *(apr_int64_t *)((char *)dcfg + rule->offset) = seconds;
    return NULL;
}

static const char *sched_cmd_page_size(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_config_t *c = dcfg;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    if (err) {
        return err;
    }
    err = sched_parse_int(arg, 1, SCHED_MAX_PAGE_SIZE, &c->page_size);
    return err ? sched_cmd_fail(cmd, err) : NULL;
}

static const char *sched_cmd_max_body(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_config_t *c = dcfg;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    if (err) {
        return err;
    }
    err = sched_parse_size(arg, 2, SCHED_MAX_BODY_MAX, &c->max_body);
    return err ? sched_cmd_fail(cmd, err) : NULL;
}

static const char *sched_cmd_naive_tz(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_config_t *c = dcfg;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    apr_finfo_t finfo;
    if (err) {
        return err;
    }
    err = sched_parse_zone_name(arg);
    if (err) {
        return sched_cmd_fail(cmd, err);
    }
    if (apr_stat(&finfo, apr_pstrcat(cmd->temp_pool, SCHED_ZONEINFO_DIR, arg, NULL),
                 APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS
        || finfo.filetype != APR_REG) {
        return sched_cmd_fail(cmd, apr_psprintf(cmd->pool,
                              "\"%s\" is not a time zone of " SCHED_ZONEINFO_DIR, arg));
    }
    c->naive_tz = arg;
    return NULL;
}

static const char *sched_cmd_open_access(cmd_parms *cmd, void *dcfg, int on)
{
    sched_config_t *c = dcfg;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    if (err) {
        return err;
    }
    c->open_access = on;
    if (on) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server, SCHED_LOGNO(00101)
                     "SchedOpenAccess On in %s: authorization is off, anyone may "
                     "do anything (development only)",
                     cmd->path ? cmd->path : "the server config");
    }
    return NULL;
}

static const char *sched_cmd_public_availability(cmd_parms *cmd, void *dcfg, int on)
{
    sched_config_t *c = dcfg;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    if (err) {
        return err;
    }
    c->public_availability = on;
    return NULL;
}

static const char *sched_cmd_require_if_match(cmd_parms *cmd, void *dcfg, int on)
{
    sched_config_t *c = dcfg;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    if (err) {
        return err;
    }
    c->require_if_match = on;
    return NULL;
}

static const char *sched_cmd_same_origin(cmd_parms *cmd, void *dcfg, int on)
{
    sched_config_t *c = dcfg;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_HTACCESS);
    if (err) {
        return err;
    }
    c->same_origin = on;
    return NULL;
}

/* SchedMaintenanceInterval: the main server's, for every server (one background
 * task runs for all). */
static const char *sched_cmd_maintenance(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_server_t *conf = sched_server_get(cmd->server);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dcfg;
    if (err) {
        return err;
    }
    err = sched_parse_duration(arg, 1, SCHED_MAINTENANCE_MAX, &conf->maintenance_interval);
    return err ? sched_cmd_fail(cmd, err) : NULL;
}

/* SchedEventRetention: the main server's, as SchedMaintenanceInterval (the task that
 * prunes the events is the same). */
static const char *sched_cmd_retention(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_server_t *conf = sched_server_get(cmd->server);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dcfg;
    if (err) {
        return err;
    }
    err = sched_parse_duration(arg, 1, SCHED_RETENTION_MAX, &conf->event_retention);
    return err ? sched_cmd_fail(cmd, err) : NULL;
}

/* SchedWebhookAllow: words of "public" and CIDR blocks; the first line that names
 * any replaces the default (public addresses only), the next ones add to it. */
static const char *sched_cmd_webhook_allow(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_server_t *conf = sched_server_get(cmd->server);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dcfg;
    if (err) {
        return err;
    }
    if (conf->webhook_allow == NULL) {
        conf->webhook_allow = apr_pcalloc(cmd->pool, sizeof(*conf->webhook_allow));
    }
    err = sched_netallow_add(conf->webhook_allow, arg);
    return err ? sched_cmd_fail(cmd, apr_psprintf(cmd->pool, "\"%s\" %s", arg, err)) : NULL;
}

static const char *sched_cmd_webhook_timeout(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_server_t *conf = sched_server_get(cmd->server);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dcfg;
    if (err) {
        return err;
    }
    err = sched_parse_duration(arg, 1, SCHED_WEBHOOK_TIMEOUT_MAX, &conf->webhook_timeout);
    return err ? sched_cmd_fail(cmd, err) : NULL;
}

/* SchedWebhookRetries: the delays before the second, third... attempt. */
static const char *sched_cmd_webhook_retries(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_server_t *conf = sched_server_get(cmd->server);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    apr_int64_t seconds;
    (void)dcfg;
    if (err) {
        return err;
    }
    if (conf->webhook_retries == NULL) {
        conf->webhook_retries = apr_array_make(cmd->pool, 8, sizeof(apr_int64_t));
    }
    if (conf->webhook_retries->nelts == SCHED_HOOK_RETRIES_MAX) {
        return sched_cmd_fail(cmd, "at most " SCHED_STR(SCHED_HOOK_RETRIES_MAX) " delays");
    }
    if ((err = sched_parse_duration(arg, 1, SCHED_WEBHOOK_DELAY_MAX, &seconds)) != NULL) {
        return sched_cmd_fail(cmd, err);
    }
    APR_ARRAY_PUSH(conf->webhook_retries, apr_int64_t) = seconds;
    return NULL;
}

static const char *sched_cmd_webhook_parallel(cmd_parms *cmd, void *dcfg, const char *arg)
{
    sched_server_t *conf = sched_server_get(cmd->server);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dcfg;
    if (err) {
        return err;
    }
    err = sched_parse_int(arg, 1, SCHED_WEBHOOK_PARALLEL_MAX, &conf->webhook_parallel);
    return err ? sched_cmd_fail(cmd, err) : NULL;
}

#define SCHED_DURATION(name, rule, help) \
    AP_INIT_TAKE1(name, sched_cmd_duration, (void *)&(rule), RSRC_CONF | ACCESS_CONF, help)

const command_rec sched_cmds[] = {
    SCHED_DURATION("SchedSlotLength", sched_rule_slot_length,
                   "length of the slots a window is cut into (default 15m)"),
    SCHED_DURATION("SchedHoldTime", sched_rule_hold_time,
                   "how long a pending reservation holds its slot (default 30m)"),
    SCHED_DURATION("SchedMinNotice", sched_rule_min_notice,
                   "earliest a slot may start, counted from booking time (default 24h)"),
    SCHED_DURATION("SchedWindow", sched_rule_window,
                   "span of GET /available_slots/?date= (default 7d)"),
    SCHED_DURATION("SchedAuthCacheTime", sched_rule_auth_cache_time,
                   "how long the sched auth provider skips bcrypt for a password that "
                   "matched (0s: never; default 5m)"),
    SCHED_DURATION("SchedPoolWait", sched_rule_pool_wait,
                   "longest wait for a free database connection before 503 (default 3s)"),
    AP_INIT_TAKE1("SchedMaintenanceInterval", sched_cmd_maintenance, NULL, RSRC_CONF,
                  "how often the background task moves the schedules' horizon "
                  "(default 1h; the main server only)"),
    AP_INIT_TAKE1("SchedEventRetention", sched_cmd_retention, NULL, RSRC_CONF,
                  "how long the events (history, feed) are kept; the background task "
                  "deletes older ones (default 90d; the main server only)"),
    AP_INIT_ITERATE("SchedWebhookAllow", sched_cmd_webhook_allow, NULL, RSRC_CONF,
                    "CIDR blocks that webhooks may reach, and \"public\": every address "
                    "that is not special (default public; the main server only)"),
    AP_INIT_TAKE1("SchedWebhookTimeout", sched_cmd_webhook_timeout, NULL, RSRC_CONF,
                  "longest a webhook attempt may take (default 10s; the main server only)"),
    AP_INIT_ITERATE("SchedWebhookRetries", sched_cmd_webhook_retries, NULL, RSRC_CONF,
                    "delays before each next attempt of a failed webhook delivery "
                    "(default 5s 5m 30m 2h 5h 10h 10h; the main server only)"),
    AP_INIT_TAKE1("SchedWebhookParallel", sched_cmd_webhook_parallel, NULL, RSRC_CONF,
                  "webhook requests each server sends at once (default 8; 1 to "
                  SCHED_STR(SCHED_WEBHOOK_PARALLEL_MAX) "; the main server only)"),
    AP_INIT_TAKE1("SchedPageSize", sched_cmd_page_size, NULL, RSRC_CONF | ACCESS_CONF,
                  "default limit of lists (1 to " SCHED_STR(SCHED_MAX_PAGE_SIZE) "; default 100)"),
    AP_INIT_TAKE1("SchedMaxBody", sched_cmd_max_body, NULL, RSRC_CONF | ACCESS_CONF,
                  "larger request bodies get 413 (default 64k)"),
    AP_INIT_TAKE1("SchedNaiveTimeZone", sched_cmd_naive_tz, NULL, RSRC_CONF | ACCESS_CONF,
                  "zone for times sent without an offset (default: reject them)"),
    AP_INIT_FLAG("SchedPublicAvailability", sched_cmd_public_availability, NULL,
                 RSRC_CONF | ACCESS_CONF, "anonymous may list bookable slots (default Off)"),
    AP_INIT_FLAG("SchedRequireIfMatch", sched_cmd_require_if_match, NULL,
                 RSRC_CONF | ACCESS_CONF, "writes of one resource (PUT, PATCH, DELETE, "
                 "confirm, cancel) without If-Match get 428 (default Off)"),
    AP_INIT_FLAG("SchedSameOrigin", sched_cmd_same_origin, NULL, RSRC_CONF | ACCESS_CONF,
                 "writes must come from a page of this origin (Sec-Fetch-Site or Origin), "
                 "else 403: for the mount that browsers use (default Off)"),
    AP_INIT_FLAG("SchedOpenAccess", sched_cmd_open_access, NULL, RSRC_CONF | ACCESS_CONF,
                 "no authorization at all, for development (default Off)"),
    { 0 }
};
