/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The webhook sender: a background task of httpd (mod_watchdog) that delivers the
 * events to the webhooks (sql/010): see sched_sender.c. The HTTP side, with libcurl,
 * is sched_sender_http.c. */
#ifndef SCHED_SENDER_H
#define SCHED_SENDER_H

#include "sched_private.h"
#include "sched_netallow.h"

/* post_config: libcurl's global state (once, before any thread), and the task
 * registered with mod_watchdog. Without mod_watchdog it says so and httpd starts
 * all the same: the deliveries wait in the database. */
int sched_sender_init(apr_pool_t *pconf, server_rec *main_server);

/* One HTTP request of a delivery attempt. */
typedef struct sched_send_t {
    apr_pool_t *pool;           /* the attempt's own: its strings */
    /* what to send */
    const char *url;
    const char *id;             /* webhook-id */
    const char *timestamp;      /* webhook-timestamp */
    const char *signature;      /* webhook-signature */
    const char *body;
    apr_size_t len;
    /* what came of it */
    apr_time_t at;              /* when it started */
    int status;                 /* the receiver's HTTP status; 0: none (error says why) */
    const char *error;
    apr_int64_t retry_after;    /* the receiver's Retry-After, seconds; 0: none */
    /* the transfer's own */
    const sched_netallow_t *allow;
    void *easy;
    void *headers;
    apr_size_t read;
    char refused[64];           /* the address SchedWebhookAllow refused */
    char errbuf[256];
} sched_send_t;

/* The transfers under way, which keep their connections to the receivers open for
 * the next ones (libcurl's multi handle); NULL when libcurl cannot make one. */
void *sched_sender_http_open(void);
void sched_sender_http_close(void *multi);

/* Starts sending one request, within timeout seconds, connecting only to addresses
 * that allow lets through. 0 when it cannot start (send->error says why: it is done
 * already). */
int sched_sender_http_start(void *multi, sched_send_t *send, apr_int64_t timeout,
                            const sched_netallow_t *allow);

/* Moves the transfers on, waiting up to wait_ms for any of them, or for fd (-1: none)
 * to be readable. */
void sched_sender_http_run(void *multi, int wait_ms, int fd);

/* A transfer that has finished, with what came of it filled in, taken out of multi;
 * NULL when none has. */
sched_send_t *sched_sender_http_done(void *multi);

#endif
