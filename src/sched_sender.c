/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The webhook sender, inside httpd: a callback of mod_watchdog (as mod_md drives ACME
 * with libcurl from one), in one child process of each httpd server at a time (a
 * singleton watchdog), every 100 ms. No cron, no daemon.
 *
 * It keeps a connection of its own to each database (DBDParams; not one of the
 * pool's, which requests need), which LISTENs on sched_webhooks: the events' trigger
 * notifies it when they commit (sql/010). A run waits up to half a second for a
 * notification; when one came, or a second has passed since it last looked (the
 * retries' times, a lost notification), it
 * 1. fans the new events out into deliveries (sched_webhooks_fanout);
 * 2. claims the due deliveries, SchedWebhookParallel at a time, with a lease
 *    (sched_webhooks_claim: FOR UPDATE SKIP LOCKED, so several servers never claim
 *    one attempt twice), signs each as the Standard Webhooks specification says and
 *    sends them at once with no transaction open (sched_sender_http.c);
 * 3. records what came of each and when the next attempt is due
 *    (sched_webhooks_record): a 2xx is delivered; 410 Gone disables the webhook;
 *    anything else, a timeout or no connection is tried again after the next delay
 *    of SchedWebhookRetries (jittered, at least the receiver's Retry-After), until
 *    they are spent.
 * A sender that dies while sending (httpd killed) leaves its claims to lapse: the
 * lease is twice SchedWebhookTimeout and 5 seconds, after which any sender takes
 * them again. So each event reaches each webhook at least once; a receiver
 * recognises a repeat by its webhook-id. */
#include <apr_optional.h>
#include <apr_strings.h>
#include <mod_watchdog.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <poll.h>

#include "sched_hook.h"
#include "sched_jsonw.h"
#include "sched_pool.h"
#include "sched_row.h"
#include "sched_sender.h"
#include "sched_server.h"
#include "sched_sql.h"
#include "sched_time.h"

#define SCHED_SENDER_NAME      "_sched_webhooks_"
#define SCHED_SENDER_TICK      apr_time_from_msec(100)
#define SCHED_SENDER_WAIT_MS   500
#define SCHED_SENDER_POLL      apr_time_from_sec(1)
#define SCHED_SENDER_RECONNECT apr_time_from_sec(5)
#define SCHED_SENDER_BUSY      apr_time_from_sec(2)    /* longest run before it returns */
#define SCHED_SENDER_FANOUT    "1000"
#define SCHED_SENDER_KEY_MAX   64

/* The sender of one database. */
typedef struct sched_sender_t {
    server_rec *s;
    const char *conninfo;       /* DBDParams */
    PGconn *conn;               /* NULL: not connected */
    void *multi;                /* libcurl's transfers and their open connections */
    apr_time_t reconnect_at;    /* after a failure, not before this */
    apr_time_t poll_at;         /* look for due deliveries by this time */
    int down;                   /* the database was unreachable (said once) */
} sched_sender_t;

static apr_pool_t *sched_sender_pool;          /* the watchdog thread's, while it runs */
static apr_array_header_t *sched_senders;      /* sched_sender_t */

/* Runs a statement on the sender's connection, results in binary (sched_row.h).
 * NULL on failure (logged; the connection is dropped when it was lost). */
static PGresult *sched_sender_exec(sched_sender_t *st, sched_stmt_e stmt, int nparams,
                                   const char *const *params)
{
    PGresult *res = PQexecParams(st->conn, sched_stmts[stmt].sql, nparams, NULL, params,
                                 NULL, NULL, 1);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        return res;
    }
    ap_log_error(APLOG_MARK, PQstatus(st->conn) == CONNECTION_OK ? APLOG_WARNING : APLOG_INFO,
                 0, st->s, SCHED_LOGNO(00704) "webhook sender: %s failed: SQLSTATE %s",
                 sched_stmts[stmt].name,
                 res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "(none)");
    PQclear(res);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        PQfinish(st->conn);
        st->conn = NULL;
    }
    return NULL;
}

/* A connection that listens, made when there is none (not more often than every
 * SCHED_SENDER_RECONNECT after a failure). Returns whether there is one. */
static int sched_sender_connect(sched_sender_t *st)
{
    PGresult *res;
    apr_time_t now = apr_time_now();

    if (st->conn && PQstatus(st->conn) == CONNECTION_OK) {
        return 1;
    }
    if (st->conn) {
        PQfinish(st->conn);
        st->conn = NULL;
    }
    if (now < st->reconnect_at) {
        return 0;
    }
    st->reconnect_at = now + SCHED_SENDER_RECONNECT;
    st->conn = PQconnectdb(st->conninfo);
    if (PQstatus(st->conn) == CONNECTION_OK
        && (res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_LISTEN, 0, NULL)) != NULL) {
        PQclear(res);
        ap_log_error(APLOG_MARK, st->down ? APLOG_NOTICE : APLOG_DEBUG, 0, st->s,
                     SCHED_LOGNO(00703) "webhook sender: connected, listening");
        st->down = 0;
        st->poll_at = 0;
        return 1;
    }
    if (!st->down) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, st->s, SCHED_LOGNO(00702)
                     "webhook sender: the database cannot be reached (trying again every "
                     "%d s): %s", (int)apr_time_sec(SCHED_SENDER_RECONNECT),
                     st->conn ? PQerrorMessage(st->conn) : "out of memory");
        st->down = 1;
    }
    if (st->conn) {
        PQfinish(st->conn);
        st->conn = NULL;
    }
    return 0;
}

/* Whether a notification came, waiting for one up to ms milliseconds. */
static int sched_sender_wait(sched_sender_t *st, int ms)
{
    struct pollfd pfd;
    PGnotify *n;
    int got = 0;

    pfd.fd = PQsocket(st->conn);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (ms > 0 && pfd.fd >= 0) {
        poll(&pfd, 1, ms);
    }
    if (!PQconsumeInput(st->conn)) {
        PQfinish(st->conn);
        st->conn = NULL;
        return 0;
    }
    while ((n = PQnotifies(st->conn)) != NULL) {
        PQfreemem(n);
        got = 1;
    }
    return got;
}

/* The new events, into deliveries, until none is left (or this run has done its
 * share: the next run goes on). */
static void sched_sender_fanout(sched_sender_t *st)
{
    const char *params[1] = { SCHED_SENDER_FANOUT };
    apr_int64_t events = 1;
    int round;
    PGresult *res;

    for (round = 0; round < 10 && events > 0; round++) {
        if ((res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_FANOUT, 1, params)) == NULL) {
            return;
        }
        events = PQntuples(res) == 1 ? sched_row_int(res, 0, SCHED_WEBHOOKS_FANOUT__EVENTS) : 0;
        PQclear(res);
    }
}

/* A factor of 0.8 to 1.2, drawn at random. */
static double sched_sender_jitter(void)
{
    unsigned char b[2] = { 0, 0 };
    apr_generate_random_bytes(b, sizeof(b));
    return 0.8 + 0.4 * (double)(b[0] << 8 | b[1]) / 65535.0;
}

/* The request of row i of a claim: the body, signed. */
static void sched_sender_prepare(apr_pool_t *p, const PGresult *res, int i,
                                 sched_send_t *send)
{
    unsigned char key[SCHED_SENDER_KEY_MAX];
    int keylen = sched_hook_unhex(sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__SECRET, NULL),
                                  key, sizeof(key));
    apr_size_t dlen;
    const char *data = sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__DATA, &dlen);
    apr_int64_t at = 0;
    sched_jsonw_t w;

    send->url = sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__URL, NULL);
    send->id = apr_psprintf(p, "%" APR_INT64_T_FMT,
                            sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__EVENT_ID));
    send->timestamp = apr_psprintf(p, "%" APR_INT64_T_FMT, apr_time_sec(apr_time_now()));
    sched_row_time(res, i, SCHED_WEBHOOKS_CLAIM__AT, &at);
    sched_jsonw_init(&w, p, 512 + dlen);
    sched_jsonw_open(&w, NULL, '{');
    sched_jsonw_str(&w, "type", sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__TYPE, NULL),
                    strlen(sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__TYPE, NULL)));
    sched_jsonw_time(&w, "timestamp", at);
    if (data) {
        sched_jsonw_raw(&w, "data", data, dlen);
    }
    else {
        sched_jsonw_null(&w, "data");
    }
    sched_jsonw_close(&w, '}');
    send->body = sched_jsonw_text(&w, &send->len);
    send->signature = keylen > 0 ? sched_hook_signature(p, key, (apr_size_t)keylen, send->id,
                                                        send->timestamp, send->body,
                                                        send->len) : NULL;
    if (send->signature == NULL) {
        send->signature = "";
    }
}

/* What to record of the n attempts of a claim: the parameters of
 * sched_webhooks_record. */
static void sched_sender_outcome(sched_sender_t *st, apr_pool_t *p, const PGresult *res,
                                 const sched_send_t *sends, int n, const char **params)
{
    const char **ids = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    const char **attempts = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    const char **ats = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    const char **statuses = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    const char **errors = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    const char **next = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    const char **gone = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    int i, ndelays;
    const apr_int64_t *delays = sched_server_webhook_retries(st->s, &ndelays);

    for (i = 0; i < n; i++) {
        const sched_send_t *send = &sends[i];
        int attempt = (int)sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__ATTEMPT);
        int ok = send->status >= 200 && send->status <= 299;
        double delay = ok || send->status == 410
                       ? -1 : sched_hook_next_delay(delays, ndelays, attempt,
                                                    send->retry_after,
                                                    sched_sender_jitter());
        ids[i] = apr_psprintf(p, "%" APR_INT64_T_FMT,
                              sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__DELIVERY_ID));
        attempts[i] = apr_itoa(p, attempt);
        ats[i] = sched_time_format_utc(p, send->at);
        statuses[i] = send->status ? apr_itoa(p, send->status) : NULL;
        errors[i] = send->status ? NULL : (send->error ? send->error : "no answer");
        next[i] = delay >= 0 ? apr_psprintf(p, "%.3f", delay) : NULL;
        gone[i] = send->status == 410 ? "t" : "f";
        if (send->status == 410) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, st->s, SCHED_LOGNO(00708)
                         "webhook %" APR_INT64_T_FMT " disabled: %s answered 410 Gone",
                         sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__WEBHOOK_ID), send->url);
        }
    }
    params[0] = sched_hook_pg_array(p, ids, n);
    params[1] = sched_hook_pg_array(p, attempts, n);
    params[2] = sched_hook_pg_array(p, ats, n);
    params[3] = sched_hook_pg_array(p, statuses, n);
    params[4] = sched_hook_pg_array(p, errors, n);
    params[5] = sched_hook_pg_array(p, next, n);
    params[6] = sched_hook_pg_array(p, gone, n);
}

/* One batch: claimed, sent, recorded. Returns how many were claimed (-1: failed). */
static int sched_sender_batch(sched_sender_t *st, apr_pool_t *p)
{
    apr_int64_t timeout = sched_server_webhook_timeout(st->s);
    int parallel = sched_server_webhook_parallel(st->s), i, n;
    const char *claim[2], *record[7];
    sched_send_t *sends;
    PGresult *res, *rec;

    claim[0] = apr_psprintf(p, "%" APR_INT64_T_FMT " seconds", 2 * timeout + 5);
    claim[1] = apr_itoa(p, parallel);
    if ((res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_CLAIM, 2, claim)) == NULL) {
        return -1;
    }
    n = PQntuples(res);
    sends = apr_pcalloc(p, sizeof(*sends) * (apr_size_t)(n ? n : 1));
    for (i = 0; i < n; i++) {
        sched_sender_prepare(p, res, i, &sends[i]);
    }
    if (n > 0) {
        sched_sender_http(st->multi, p, sends, n, timeout,
                          sched_server_webhook_allow(st->s));
        sched_sender_outcome(st, p, res, sends, n, record);
        if (st->conn == NULL && !sched_sender_connect(st)) {
            PQclear(res);
            return -1;      /* the claims lapse, and are sent again */
        }
        if ((rec = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_RECORD, 7, record)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, st->s, SCHED_LOGNO(00707)
                         "webhook sender: %d attempts, %s recorded", n,
                         PQntuples(rec) == 1 ? apr_psprintf(p, "%" APR_INT64_T_FMT,
                             sched_row_int(rec, 0, SCHED_WEBHOOKS_RECORD__RECORDED)) : "none");
            PQclear(rec);
        }
    }
    PQclear(res);
    return n;
}

/* One run for one database. */
static void sched_sender_run(sched_sender_t *st, apr_pool_t *ptemp)
{
    apr_time_t start = apr_time_now(), wait = st->poll_at - start;
    apr_pool_t *p;
    int woken, n;

    if (!sched_sender_connect(st)) {
        return;
    }
    woken = sched_sender_wait(st, wait > 0 ? (int)(wait < apr_time_from_msec(SCHED_SENDER_WAIT_MS)
                                                   ? apr_time_as_msec(wait)
                                                   : SCHED_SENDER_WAIT_MS) : 0);
    if (st->conn == NULL || (!woken && apr_time_now() < st->poll_at)) {
        return;
    }
    st->poll_at = apr_time_now() + SCHED_SENDER_POLL;
    sched_sender_fanout(st);
    apr_pool_create(&p, ptemp);
    do {
        n = st->conn ? sched_sender_batch(st, p) : -1;
        apr_pool_clear(p);
    } while (n > 0 && apr_time_now() - start < SCHED_SENDER_BUSY);
    if (n > 0) {
        st->poll_at = 0;        /* more is due: the next run goes on at once */
    }
    apr_pool_destroy(p);
}

/* The senders of the databases: the main server's, and each virtual host's with a
 * pool of its own. */
static void sched_sender_start(server_rec *main_server, apr_pool_t *ptemp)
{
    server_rec *s;
    const char *params;
    int own;

    apr_pool_create(&sched_sender_pool, apr_pool_parent_get(ptemp));
    sched_senders = apr_array_make(sched_sender_pool, 2, sizeof(sched_sender_t));
    for (s = main_server; s; s = s->next) {
        if ((params = sched_pool_params(s, &own)) != NULL && (s == main_server || own)) {
            sched_sender_t *st = apr_array_push(sched_senders);
            memset(st, 0, sizeof(*st));
            st->s = s;
            st->conninfo = params;
            st->multi = sched_sender_http_open();
        }
    }
}

static void sched_sender_stop(void)
{
    int i;
    for (i = 0; sched_senders && i < sched_senders->nelts; i++) {
        sched_sender_t *st = &APR_ARRAY_IDX(sched_senders, i, sched_sender_t);
        if (st->conn) {
            PQfinish(st->conn);
        }
        sched_sender_http_close(st->multi);
    }
    if (sched_sender_pool) {
        apr_pool_destroy(sched_sender_pool);
    }
    sched_sender_pool = NULL;
    sched_senders = NULL;
}

static apr_status_t sched_sender_callback(int state, void *data, apr_pool_t *ptemp)
{
    int i;

    switch (state) {
    case AP_WATCHDOG_STATE_STARTING:
        sched_sender_start(data, ptemp);
        break;
    case AP_WATCHDOG_STATE_RUNNING:
        for (i = 0; sched_senders && i < sched_senders->nelts; i++) {
            sched_sender_t *st = &APR_ARRAY_IDX(sched_senders, i, sched_sender_t);
            if (st->multi) {
                sched_sender_run(st, ptemp);
            }
        }
        break;
    default:
        sched_sender_stop();
        break;
    }
    return APR_SUCCESS;
}

static apr_status_t sched_sender_curl_cleanup(void *data)
{
    (void)data;
    curl_global_cleanup();
    return APR_SUCCESS;
}

int sched_sender_init(apr_pool_t *pconf, server_rec *main_server)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *get_instance =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *register_callback =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    ap_watchdog_t *watchdog;
    apr_status_t rv;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, main_server, SCHED_LOGNO(00709)
                     "libcurl cannot start: webhooks cannot be sent");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, NULL, sched_sender_curl_cleanup,
                              apr_pool_cleanup_null);
    if (!get_instance || !register_callback) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, main_server, SCHED_LOGNO(00705)
                     "mod_watchdog is not loaded: webhooks are not sent (their deliveries "
                     "wait in the database until a server with mod_watchdog sends them)");
        return OK;
    }
    rv = get_instance(&watchdog, SCHED_SENDER_NAME, 0, 1, pconf);
    if (rv == APR_SUCCESS) {
        rv = register_callback(watchdog, SCHED_SENDER_TICK, main_server,
                               sched_sender_callback);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, main_server, SCHED_LOGNO(00706)
                     "cannot register the webhook sender with mod_watchdog");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
