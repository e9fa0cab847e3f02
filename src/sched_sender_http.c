/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The webhook sender's HTTP requests, with libcurl's multi interface: a batch of
 * POSTs at once, each bounded by SchedWebhookTimeout. TLS certificates and host
 * names are verified; redirects are not followed (a 3xx is a failed attempt); no
 * proxy is used (the address checked must be the address reached); only http and
 * https. Before curl connects anywhere, the address it is about to connect to (the
 * name resolved, on every attempt) is checked against SchedWebhookAllow. At most
 * SCHED_SEND_READ_MAX bytes of an answer are read: only its status matters. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <apr_date.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sched_sender.h"

#define SCHED_SEND_READ_MAX (64 * 1024)
#define SCHED_SEND_CONNECT_MAX 5000     /* ms: the connection's own bound */

/* Refuses to connect to an address that SchedWebhookAllow does not allow. */
static curl_socket_t sched_send_socket(void *data, curlsocktype purpose,
                                       struct curl_sockaddr *a)
{
    sched_send_t *send = data;
    const sched_netallow_t *allow = send->allow;
    const void *bytes = NULL;
    int family = 0;
    (void)purpose;

    if (a->family == AF_INET) {
        bytes = &((const struct sockaddr_in *)&a->addr)->sin_addr;
        family = 4;
    }
    else if (a->family == AF_INET6) {
        bytes = &((const struct sockaddr_in6 *)&a->addr)->sin6_addr;
        family = 6;
    }
    if (bytes == NULL || !sched_netallow_check(allow, family, bytes)) {
        if (bytes == NULL || !inet_ntop(a->family, bytes, send->refused,
                                        sizeof(send->refused))) {
            apr_cpystrn(send->refused, "an address of another family",
                        sizeof(send->refused));
        }
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* The answer's body: counted, dropped, and cut off past the limit. */
static size_t sched_send_body(char *data, size_t size, size_t n, void *arg)
{
    sched_send_t *send = arg;
    (void)data;
    send->read += size * n;
    return send->read > SCHED_SEND_READ_MAX ? 0 : size * n;
}

/* Retry-After: seconds, or an HTTP date. */
static apr_int64_t sched_send_retry_after(const char *v, apr_size_t len)
{
    char buf[64];
    apr_time_t t;
    apr_size_t i;

    while (len > 0 && apr_isspace(v[len - 1])) {
        len--;
    }
    if (len == 0 || len >= sizeof(buf)) {
        return 0;
    }
    memcpy(buf, v, len);
    buf[len] = '\0';
    for (i = 0; i < len && apr_isdigit(buf[i]); i++) {
    }
    if (i == len) {
        return len > 9 ? 999999999 : apr_atoi64(buf);
    }
    t = apr_date_parse_http(buf);
    return t > apr_time_now() ? apr_time_sec(t - apr_time_now()) + 1 : 0;
}

static size_t sched_send_header(char *line, size_t size, size_t n, void *arg)
{
    sched_send_t *send = arg;
    size_t len = size * n;
    static const char name[] = "retry-after:";

    if (len > sizeof(name) - 1 && strncasecmp(line, name, sizeof(name) - 1) == 0) {
        const char *v = line + sizeof(name) - 1;
        while (v < line + len && (*v == ' ' || *v == '\t')) {
            v++;
        }
        send->retry_after = sched_send_retry_after(v, (apr_size_t)(line + len - v));
    }
    return len;
}

/* A transfer for one request, added to multi. */
static CURL *sched_send_easy(apr_pool_t *p, sched_send_t *send, apr_int64_t timeout)
{
    CURL *easy = curl_easy_init();
    struct curl_slist *h = NULL;

    if (easy == NULL) {
        return NULL;
    }
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, apr_pstrcat(p, "webhook-id: ", send->id, NULL));
    h = curl_slist_append(h, apr_pstrcat(p, "webhook-timestamp: ", send->timestamp, NULL));
    h = curl_slist_append(h, apr_pstrcat(p, "webhook-signature: ", send->signature, NULL));
    h = curl_slist_append(h, "Expect:");
    send->headers = h;
    curl_easy_setopt(easy, CURLOPT_URL, send->url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(timeout * 1000 < SCHED_SEND_CONNECT_MAX ? timeout * 1000
                                                                    : SCHED_SEND_CONNECT_MAX));
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "mod_sched webhooks");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, send->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)send->len);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, sched_send_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, send);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sched_send_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, send);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, sched_send_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, send);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, send->errbuf);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, send);
    return easy;
}

/* What came of a finished transfer. */
static void sched_send_done(sched_send_t *send, CURLcode code)
{
    long status = 0;

    curl_easy_getinfo(send->easy, CURLINFO_RESPONSE_CODE, &status);
    if ((code == CURLE_OK || code == CURLE_WRITE_ERROR) && status >= 100 && status <= 599) {
        send->status = (int)status;
        return;
    }
    send->status = 0;
    if (send->refused[0]) {
        send->error = apr_psprintf(send->pool, "the address %s is not allowed by "
                                   "SchedWebhookAllow", send->refused);
    }
    else {
        send->error = apr_psprintf(send->pool, "%s%s%s", curl_easy_strerror(code),
                                   send->errbuf[0] ? ": " : "", send->errbuf);
    }
}

void *sched_sender_http_open(void)
{
    CURLM *multi = curl_multi_init();
    if (multi) {
        curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 64L);
    }
    return multi;
}

void sched_sender_http_close(void *multi)
{
    if (multi) {
        curl_multi_cleanup(multi);
    }
}

int sched_sender_http_start(void *multi, sched_send_t *send, apr_int64_t timeout,
                            const sched_netallow_t *allow)
{
    send->allow = allow;
    send->at = apr_time_now();
    send->easy = sched_send_easy(send->pool, send, timeout);
    if (send->easy && curl_multi_add_handle(multi, send->easy) == CURLM_OK) {
        return 1;
    }
    if (send->easy) {
        curl_easy_cleanup(send->easy);
        send->easy = NULL;
    }
    curl_slist_free_all(send->headers);
    send->headers = NULL;
    send->error = "cannot start the request (libcurl)";
    return 0;
}

void sched_sender_http_run(void *multi, int wait_ms, int fd)
{
    struct curl_waitfd extra;
    int running = 0;

    extra.fd = fd;
    extra.events = CURL_WAIT_POLLIN;
    extra.revents = 0;
    curl_multi_perform(multi, &running);
    curl_multi_poll(multi, fd >= 0 ? &extra : NULL, fd >= 0 ? 1 : 0, wait_ms, NULL);
    curl_multi_perform(multi, &running);
}

sched_send_t *sched_sender_http_done(void *multi)
{
    sched_send_t *send = NULL;
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&send);
        sched_send_done(send, msg->data.result);
        curl_multi_remove_handle(multi, send->easy);
        curl_easy_cleanup(send->easy);
        curl_slist_free_all(send->headers);
        send->easy = NULL;
        send->headers = NULL;
        return send;
    }
    return NULL;
}
