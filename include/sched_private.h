/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* mod_sched private header: the module record, logging and the per-directory
 * configuration. Included by every file that talks to httpd. */
#ifndef SCHED_PRIVATE_H
#define SCHED_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

/* mod_sched.c declares the module record (and with it the log index) itself. */
#if defined(APLOG_USE_MODULE) && !defined(SCHED_MODULE_RECORD)
APLOG_USE_MODULE(sched);
#endif

extern module AP_MODULE_DECLARE_DATA sched_module;

/* One stable id per log call site: SCHED_LOGNO(00042) "message". Never reuse one.
 *
 * The registry of ids: each file takes its ids from one block, and a new log call
 * takes the next free id of its file's block (then move "next" on). t/01-source.t
 * checks that every id is used once, lies in its file's block and below "next".
 *
 *   block  files                                                    next
 *   001    sched_config.c sched_http.c sched_dispatch.c             00103
 *   002    mod_sched.c sched_conn.c sched_db.c sched_pool.c          00214
 *   003    sched_res_*.c                                            00303
 *   004    sched_authn.c sched_credcache.c                          00405
 *   005    sched_startup.c                                          00505
 *   006    sched_watchdog.c                                         00609
 *   007    sched_sender.c                                           00710
 *   008    sched_feed.c                                             00803
 */
#define SCHED_LOGNO(n) "SCHED" #n ": "

/* Per-directory configuration. Every field starts unset (-1 or NULL); merge takes
 * the inner value when set; sched_config_get() applies the defaults. */
typedef struct sched_config_t {
    apr_int64_t slot_length;      /* seconds */
    apr_int64_t hold_time;        /* seconds */
    apr_int64_t min_notice;       /* seconds */
    apr_int64_t window;           /* seconds */
    apr_int64_t page_size;
    apr_int64_t max_body;         /* bytes */
    const char *naive_tz;         /* IANA zone, or NULL: times need an offset */
    int public_availability;      /* flag */
    int require_if_match;         /* flag: unconditional writes get 428 */
    int same_origin;              /* flag: writes only from the same origin */
    int open_access;              /* flag */
    apr_int64_t auth_cache_time;  /* seconds; 0: verified passwords not cached */
    apr_int64_t pool_wait;        /* seconds a request may wait for a connection */
} sched_config_t;

#define SCHED_DEFAULT_SLOT_LENGTH (15 * 60)
#define SCHED_DEFAULT_HOLD_TIME   (30 * 60)
#define SCHED_DEFAULT_MIN_NOTICE  (24 * 3600)
#define SCHED_DEFAULT_WINDOW      (7 * 86400)
#define SCHED_DEFAULT_PAGE_SIZE   100
#define SCHED_DEFAULT_MAX_BODY    (64 * 1024)
#define SCHED_DEFAULT_AUTH_CACHE  300
#define SCHED_DEFAULT_POOL_WAIT   3
#define SCHED_DEFAULT_MAINTENANCE 3600
#define SCHED_DEFAULT_RETENTION   (90 * 86400)
#define SCHED_DEFAULT_WEBHOOK_TIMEOUT  10
#define SCHED_DEFAULT_WEBHOOK_PARALLEL 8

#endif
