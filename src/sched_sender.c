/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The webhook sender, inside httpd: a callback of mod_watchdog (as mod_md drives ACME
 * with libcurl from one), in one child process of each httpd server at a time (a
 * singleton watchdog), every 100 ms. No cron, no daemon.
 *
 * It keeps a connection of its own to each database (DBDParams; not one of the
 * pool's, which requests need), which LISTENs on sched_webhooks: when it has nothing
 * to do it says so (webhook_senders), and the events' trigger notifies it when they
 * commit (sql/010); at work it is not notified (a NOTIFY serializes commits). A run
 * waits up to half a second for a notification; when one came, or a second has
 * passed since it last looked (the retries' times, a lost notification), it
 * 1. claims due deliveries with a lease, as many as there are free places among
 *    SchedWebhookParallel transfers, three quarters of them at most for one webhook
 *    (sched_webhooks_claim: FOR UPDATE SKIP LOCKED, so several servers never claim
 *    one attempt twice); when fewer are due than it has places, it first fans new
 *    events out into deliveries (sched_webhooks_fanout), 500 at a time, so
 *    that the deliveries are made at the pace they are sent; it signs each as the
 *    Standard Webhooks specification says and starts sending it, with no
 *    transaction open (sched_sender_http.c). Transfers run side by side: a slow receiver holds one
 *    place for at most SchedWebhookTimeout, not the others;
 * 2. records what came of the transfers that have finished, in one statement, and
 *    when the next attempt is due (sched_webhooks_record): a 2xx is delivered; 410
 *    Gone disables the webhook; anything else, a timeout or no connection is tried
 *    again after the next delay of SchedWebhookRetries (jittered, at least the
 *    receiver's Retry-After), until they are spent; then it claims more.
 * Transfers go on from one run to the next; when httpd stops, the sender finishes
 * those under way (SchedWebhookTimeout at most) and records them.
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
#include <ap_mpm.h>
#include <openssl/crypto.h>

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
#define SCHED_SENDER_FANOUT    "500"  /* events a fan-out reads at most */
#define SCHED_SENDER_KEY_MAX   64
#define SCHED_SENDER_APPLICATION "mod_sched webhook sender"
#define SCHED_SENDER_CONNECT_MAX apr_time_from_sec(10)

/* An attempt under way: what it sends, and the claim it records. */
typedef struct sched_flight_t {
    sched_send_t send;          /* first: the transfer's data is the flight */
    apr_int64_t delivery_id;
    apr_int64_t webhook_id;
    int attempt;
    int started;                /* in the transfers (else done: it could not start) */
    struct sched_flight_t *next;
} sched_flight_t;

/* The sender of one database. */
typedef struct sched_sender_t {
    server_rec *s;
    const char *conninfo;       /* DBDParams */
    PGconn *conn;               /* NULL: not connected */
    void *multi;                /* libcurl's transfers and their open connections */
    sched_flight_t *flights;    /* the attempts under way */
    int flying;                 /* how many */
    sched_flight_t *landed;     /* attempts that could not start: to record */
    apr_time_t reconnect_at;    /* after a failure, not before this */
    apr_time_t poll_at;         /* look for due deliveries by this time */
    int down;                   /* the database was unreachable (said once) */
    int asleep;                 /* what it told the database: 1 waiting, 0 at work,
                                   -1 nothing yet on this connection */
    int fan_more;               /* events may wait for the fan-out */
} sched_sender_t;

static apr_pool_t *sched_sender_pool;          /* the watchdog thread's, while it runs */
static volatile int sched_sender_closed;       /* its pool is gone: touch nothing */
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

/* Whether this child process is stopping (then the sender does not begin anything
 * that would keep its thread, which httpd is about to join). */
static int sched_sender_stopping(void)
{
    int state = AP_MPMQ_RUNNING;
    return sched_sender_closed
           || (ap_mpm_query(AP_MPMQ_MPM_STATE, &state) == APR_SUCCESS
               && state == AP_MPMQ_STOPPING);
}

/* A new connection of DBDParams, named so that the database's views show it
 * (pg_stat_activity), made step by step so that a child told to stop does not wait
 * for it: NULL then, or when it takes longer than SCHED_SENDER_CONNECT_MAX (libpq's
 * connect_timeout does not bound a connection made this way). A failed one is
 * answered, for its message. */
static PGconn *sched_sender_open(const char *conninfo)
{
    static const char *const keys[] = { "dbname", "application_name", NULL };
    const char *values[] = { conninfo, SCHED_SENDER_APPLICATION, NULL };
    apr_time_t until = apr_time_now() + SCHED_SENDER_CONNECT_MAX;
    PGconn *conn = PQconnectStartParams(keys, values, 1);
    PostgresPollingStatusType poll_status = PGRES_POLLING_WRITING;
    struct pollfd pfd;

    while (conn && PQstatus(conn) != CONNECTION_BAD && poll_status != PGRES_POLLING_OK
           && poll_status != PGRES_POLLING_FAILED) {
        if (sched_sender_stopping() || apr_time_now() > until) {
            PQfinish(conn);
            return NULL;
        }
        pfd.fd = PQsocket(conn);
        pfd.events = poll_status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        pfd.revents = 0;
        if (pfd.fd < 0 || poll(&pfd, 1, 100) > 0) {
            poll_status = PQconnectPoll(conn);
        }
    }
    return conn;
}

/* A connection that listens, made when there is none (not more often than every
 * SCHED_SENDER_RECONNECT after a failure). Returns whether there is one. */
static int sched_sender_connect(sched_sender_t *st)
{
    PGconn *conn;
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
    conn = sched_sender_open(st->conninfo);
    if (sched_sender_closed || (!conn && sched_sender_stopping())) {
        /* the process ended the senders' pool while this thread connected, or the
         * child stops: nothing to say, the next child connects again */
        PQfinish(conn);
        return 0;
    }
    st->conn = conn;
    if (st->conn && PQstatus(st->conn) == CONNECTION_OK
        && (res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_LISTEN, 0, NULL)) != NULL) {
        PQclear(res);
        ap_log_error(APLOG_MARK, st->down ? APLOG_NOTICE : APLOG_DEBUG, 0, st->s,
                     SCHED_LOGNO(00703) "webhook sender: connected, listening");
        st->down = 0;
        st->poll_at = 0;
        st->asleep = -1;
        return 1;
    }
    if (!st->down) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, st->s, SCHED_LOGNO(00702)
                     "webhook sender: the database cannot be reached (trying again every "
                     "%d s): %s", (int)apr_time_sec(SCHED_SENDER_RECONNECT),
                     st->conn ? PQerrorMessage(st->conn) : "it took too long");
        st->down = 1;
    }
    if (st->conn) {
        PQfinish(st->conn);
        st->conn = NULL;
    }
    return 0;
}

/* Whether a notification came (read from the connection, without waiting). */
static int sched_sender_notified(sched_sender_t *st)
{
    PGnotify *n;
    int got = 0;

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

/* Tells the database whether this sender waits for work (the events' trigger then
 * notifies it) or is at work (nothing notifies it: sql/010), when that changes. */
static void sched_sender_asleep(sched_sender_t *st, int asleep)
{
    const char *params[2];
    PGresult *res;

    if (st->conn == NULL || st->asleep == asleep) {
        return;
    }
    params[0] = asleep ? "t" : "f";
    params[1] = st->asleep < 0 ? "t" : "f";
    if ((res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_ASLEEP, 2, params)) != NULL) {
        st->asleep = asleep;
        PQclear(res);
    }
}

/* Up to SCHED_SENDER_FANOUT new events, into deliveries. Sets fan_more when there
 * may be more. */
static void sched_sender_fanout(sched_sender_t *st)
{
    const char *params[1] = { SCHED_SENDER_FANOUT };
    PGresult *res;

    st->fan_more = 0;
    if (st->conn && (res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_FANOUT, 1, params))) {
        st->fan_more = PQntuples(res) == 1
                       && sched_row_int(res, 0, SCHED_WEBHOOKS_FANOUT__EVENTS)
                          == apr_atoi64(SCHED_SENDER_FANOUT);
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

/* The request of row i of a claim: the body, signed, in send->pool. */
static void sched_sender_prepare(const PGresult *res, int i, sched_send_t *send)
{
    apr_pool_t *p = send->pool;
    unsigned char key[SCHED_SENDER_KEY_MAX];
    int keylen = sched_hook_unhex(sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__SECRET, NULL),
                                  key, sizeof(key));
    apr_size_t dlen, tlen;
    const char *data = sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__DATA, &dlen);
    const char *type = sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__TYPE, &tlen);
    apr_int64_t at = 0;
    sched_jsonw_t w;

    send->url = apr_pstrdup(p, sched_row_text(res, i, SCHED_WEBHOOKS_CLAIM__URL, NULL));
    send->id = apr_psprintf(p, "%" APR_INT64_T_FMT,
                            sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__EVENT_ID));
    send->timestamp = apr_psprintf(p, "%" APR_INT64_T_FMT, apr_time_sec(apr_time_now()));
    sched_row_time(res, i, SCHED_WEBHOOKS_CLAIM__AT, &at);
    sched_jsonw_init(&w, p, 512 + dlen);
    sched_jsonw_open(&w, NULL, '{');
    sched_jsonw_str(&w, "type", type, tlen);
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

/* Claims up to limit due deliveries and starts sending them. */
static void sched_sender_claim(sched_sender_t *st, int limit, apr_pool_t *ptemp)
{
    apr_int64_t timeout = sched_server_webhook_timeout(st->s);
    int parallel = sched_server_webhook_parallel(st->s), i, n;
    const char *params[3];
    PGresult *res;

    params[0] = apr_psprintf(ptemp, "%" APR_INT64_T_FMT " seconds", 2 * timeout + 5);
    params[1] = apr_itoa(ptemp, limit);
    params[2] = apr_itoa(ptemp, parallel > 1 ? parallel * 3 / 4 : 1);
    if ((res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_CLAIM, 3, params)) == NULL) {
        return;
    }
    n = PQntuples(res);
    for (i = 0; i < n; i++) {
        apr_pool_t *fp;
        sched_flight_t *f;

        apr_pool_create(&fp, sched_sender_pool);
        f = apr_pcalloc(fp, sizeof(*f));
        f->send.pool = fp;
        f->delivery_id = sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__DELIVERY_ID);
        f->webhook_id = sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__WEBHOOK_ID);
        f->attempt = (int)sched_row_int(res, i, SCHED_WEBHOOKS_CLAIM__ATTEMPT);
        sched_sender_prepare(res, i, &f->send);
        f->started = sched_sender_http_start(st->multi, &f->send, timeout,
                                             sched_server_webhook_allow(st->s));
        if (f->started) {
            f->next = st->flights;
            st->flights = f;
            st->flying++;
        }
        else {
            f->next = st->landed;
            st->landed = f;
        }
    }
    PQclear(res);
}

/* The parameters of sched_webhooks_record for the n finished attempts. */
static void sched_sender_outcome(sched_sender_t *st, apr_pool_t *p, sched_flight_t **done,
                                 int n, const char **params)
{
    const char **col[7];
    int i, c, ndelays;
    const apr_int64_t *delays = sched_server_webhook_retries(st->s, &ndelays);

    for (c = 0; c < 7; c++) {
        col[c] = apr_pcalloc(p, sizeof(char *) * (apr_size_t)n);
    }
    for (i = 0; i < n; i++) {
        const sched_send_t *send = &done[i]->send;
        int ok = send->status >= 200 && send->status <= 299;
        double delay = ok || send->status == 410
                       ? -1 : sched_hook_next_delay(delays, ndelays, done[i]->attempt,
                                                    send->retry_after,
                                                    sched_sender_jitter());
        col[0][i] = apr_psprintf(p, "%" APR_INT64_T_FMT, done[i]->delivery_id);
        col[1][i] = apr_itoa(p, done[i]->attempt);
        col[2][i] = sched_time_format_utc(p, send->at);
        col[3][i] = send->status ? apr_itoa(p, send->status) : NULL;
        col[4][i] = send->status ? NULL : (send->error ? send->error : "no answer");
        col[5][i] = delay >= 0 ? apr_psprintf(p, "%.3f", delay) : NULL;
        col[6][i] = send->status == 410 ? "t" : "f";
        if (send->status == 410) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, st->s, SCHED_LOGNO(00708)
                         "webhook %" APR_INT64_T_FMT " disabled: %s answered 410 Gone",
                         done[i]->webhook_id, send->url);
        }
    }
    for (c = 0; c < 7; c++) {
        params[c] = sched_hook_pg_array(p, col[c], n);
    }
}

/* Takes a finished transfer's flight out of the list of those under way. */
static void sched_sender_unlink(sched_sender_t *st, sched_flight_t *f)
{
    sched_flight_t **at = &st->flights;
    while (*at && *at != f) {
        at = &(*at)->next;
    }
    if (*at) {
        *at = f->next;
        st->flying--;
    }
}

/* Records the attempts that have finished (and those that could not start), then
 * lets their memory go. Returns how many there were. */
static int sched_sender_record(sched_sender_t *st, apr_pool_t *ptemp)
{
    sched_flight_t **done;
    sched_send_t *send;
    const char *params[7];
    PGresult *res;
    int n = 0, i, max = st->flying + 1;

    for (sched_flight_t *f = st->landed; f; f = f->next) {
        max++;
    }
    done = apr_palloc(ptemp, sizeof(*done) * (apr_size_t)max);
    while ((send = sched_sender_http_done(st->multi)) != NULL && n < max) {
        sched_flight_t *f = (sched_flight_t *)send;
        sched_sender_unlink(st, f);
        done[n++] = f;
    }
    while (st->landed && n < max) {
        done[n++] = st->landed;
        st->landed = st->landed->next;
    }
    if (n == 0) {
        return 0;
    }
    sched_sender_outcome(st, ptemp, done, n, params);
    if (st->conn || sched_sender_connect(st)) {
        if ((res = sched_sender_exec(st, SCHED_STMT_WEBHOOKS_RECORD, 7, params)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, st->s, SCHED_LOGNO(00707)
                         "webhook sender: %d attempts finished, %" APR_INT64_T_FMT
                         " recorded", n, PQntuples(res) == 1
                         ? sched_row_int(res, 0, SCHED_WEBHOOKS_RECORD__RECORDED) : 0);
            PQclear(res);
        }
    }
    /* Not recorded (the database went away): the claims lapse, and are sent again. */
    for (i = 0; i < n; i++) {
        apr_pool_destroy(done[i]->send.pool);
    }
    return n;
}

/* Claims what is due, as many as there are free places; when fewer are due, fans
 * out more events first (the deliveries are made at the pace they are sent, so that
 * a burst of events costs the database its inserts when the sender gets to them, not
 * all at once). Returns whether all it asked for came (then more may be due). */
static int sched_sender_fill(sched_sender_t *st, int parallel, apr_pool_t *ptemp)
{
    int round;

    for (round = 0; round < 50 && st->conn && st->flying < parallel; round++) {
        sched_sender_claim(st, parallel - st->flying, ptemp);
        if (st->flying < parallel && st->fan_more && st->conn) {
            sched_sender_fanout(st);
            continue;
        }
        return st->flying == parallel;
    }
    return st->conn != NULL;    /* full, or 50 rounds: more may be due */
}

/* One run for one database: up to SCHED_SENDER_BUSY of claiming, sending and
 * recording, or of waiting for something to do. */
static void sched_sender_run(sched_sender_t *st, apr_pool_t *ptemp)
{
    apr_time_t start = apr_time_now(), now;
    int parallel = sched_server_webhook_parallel(st->s);
    int woken = 0, more = 0, wait;

    if (sched_sender_stopping() || !sched_sender_connect(st)) {
        return;
    }
    do {
        now = apr_time_now();
        if (woken || now >= st->poll_at) {
            st->poll_at = now + SCHED_SENDER_POLL;
            st->fan_more = 1;
            more = 1;
        }
        if (more) {
            more = sched_sender_fill(st, parallel, ptemp);
        }
        if (st->flying > 0 || more) {
            sched_sender_asleep(st, 0);
        }
        else if (st->asleep != 1) {
            /* About to wait: say so, then look once more, for what committed before
             * the events' trigger could know (a notification would not come for it). */
            sched_sender_asleep(st, 1);
            st->fan_more = 1;
            more = sched_sender_fill(st, parallel, ptemp);
            if (st->flying > 0) {
                sched_sender_asleep(st, 0);
            }
        }
        wait = st->flying ? 100 : (int)apr_time_as_msec(st->poll_at - now);
        wait = wait < 0 ? 0 : wait > SCHED_SENDER_WAIT_MS ? SCHED_SENDER_WAIT_MS : wait;
        sched_sender_http_run(st->multi, wait, st->conn ? PQsocket(st->conn) : -1);
        woken = st->conn && sched_sender_notified(st);
        if (sched_sender_record(st, ptemp) > 0) {
            more = 1;       /* places came free */
        }
    } while (st->conn && apr_time_now() - start < SCHED_SENDER_BUSY
             && (st->flying > 0 || more || woken) && !sched_sender_stopping());
    if (more || woken) {
        st->poll_at = 0;    /* the next run goes on at once */
    }
}

/* When httpd stops: the transfers under way finish (or time out), and are recorded. */
static void sched_sender_land(sched_sender_t *st, apr_pool_t *p)
{
    apr_time_t until = apr_time_now()
                       + apr_time_from_sec(sched_server_webhook_timeout(st->s) + 1);

    while (st->flying > 0 && apr_time_now() < until) {
        sched_sender_http_run(st->multi, 100, -1);
        sched_sender_record(st, p);
    }
    sched_sender_record(st, p);
}

/* The senders of the databases: the main server's, and each virtual host's with a
 * pool of its own. */
/* The connections and transfers go with the senders' pool: when the sender stops,
 * and also when the process ends without stopping it (a child told to stop while its
 * threads were still starting). */
static apr_status_t sched_sender_cleanup(void *data)
{
    int i;
    (void)data;
    sched_sender_closed = 1;
    for (i = 0; sched_senders && i < sched_senders->nelts; i++) {
        sched_sender_t *st = &APR_ARRAY_IDX(sched_senders, i, sched_sender_t);
        if (st->conn) {
            PQfinish(st->conn);
            st->conn = NULL;
        }
        sched_sender_http_close(st->multi);
        st->multi = NULL;
    }
    sched_senders = NULL;
    sched_sender_pool = NULL;
    return APR_SUCCESS;
}

static void sched_sender_start(server_rec *main_server, apr_pool_t *ptemp)
{
    server_rec *s;
    const char *params;
    int own;

    sched_sender_closed = 0;
    apr_pool_create(&sched_sender_pool, apr_pool_parent_get(ptemp));
    apr_pool_cleanup_register(sched_sender_pool, NULL, sched_sender_cleanup,
                              apr_pool_cleanup_null);
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

static void sched_sender_stop(apr_pool_t *p)
{
    int i;
    for (i = 0; sched_senders && i < sched_senders->nelts; i++) {
        sched_sender_t *st = &APR_ARRAY_IDX(sched_senders, i, sched_sender_t);
        if (st->multi) {
            sched_sender_land(st, p);
        }
        sched_sender_asleep(st, 0);     /* nobody to notify here any more */
    }
    if (sched_sender_pool) {
        apr_pool_destroy(sched_sender_pool);    /* sched_sender_cleanup */
    }
    /* What OpenSSL keeps for this thread (the signatures' HMAC, libcurl's TLS): the
     * watchdog's thread ends now. */
    OPENSSL_thread_stop();
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
        sched_sender_stop(ptemp);
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
