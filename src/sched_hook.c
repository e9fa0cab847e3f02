/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Webhooks as the Standard Webhooks specification has them: see sched_hook.h. */
#include <string.h>
#include <strings.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sched_hook.h"

/* A host name: labels of letters, digits and hyphens, dot-separated. */
static int sched_hook_name_ok(const char *h, apr_size_t len)
{
    apr_size_t i, label = 0;

    if (len == 0 || len > SCHED_HOOK_HOST_MAX) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (h[i] == '.') {
            if (label == 0 || h[i - 1] == '-') {
                return 0;
            }
            label = 0;
        }
        else if (apr_isalnum(h[i]) || (h[i] == '-' && label > 0)) {
            if (++label > 63) {
                return 0;
            }
        }
        else {
            return 0;
        }
    }
    return h[len - 1] != '-';
}

/* An IPv6 address in brackets: hex digits, colons and dots (checked again when it is
 * read as an address). */
static int sched_hook_v6_ok(const char *h, apr_size_t len)
{
    apr_size_t i;
    if (len < 2 || len > 45) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!apr_isxdigit(h[i]) && h[i] != ':' && h[i] != '.') {
            return 0;
        }
    }
    return 1;
}

/* ":port" of 1 to 65535, or nothing. */
static int sched_hook_port_ok(const char *s, apr_size_t len)
{
    apr_size_t i;
    long port = 0;

    if (len == 0) {
        return 1;
    }
    if (s[0] != ':' || len < 2 || len > 6 || s[1] == '0') {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if (!apr_isdigit(s[i])) {
            return 0;
        }
        port = port * 10 + (s[i] - '0');
    }
    return port >= 1 && port <= 65535;
}

const char *sched_hook_url_check(const char *url, char *host, apr_size_t hostlen)
{
    const char *p, *auth, *end, *h, *hend;
    apr_size_t len = strlen(url);

    if (len > SCHED_HOOK_URL_MAX) {
        return "must be at most 2048 bytes";
    }
    if (strncasecmp(url, "https://", 8) == 0) {
        auth = url + 8;
    }
    else if (strncasecmp(url, "http://", 7) == 0) {
        auth = url + 7;
    }
    else {
        return "must be an http:// or https:// URL";
    }
    for (p = auth; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            return "must be ASCII without spaces (percent-encode the rest)";
        }
        if (*p == '#') {
            return "must not have a fragment (#)";
        }
    }
    end = auth + strcspn(auth, "/?");
    if (memchr(auth, '@', (size_t)(end - auth))) {
        return "must not carry a user name or password";
    }
    if (*auth == '[') {
        h = auth + 1;
        if ((hend = memchr(h, ']', (size_t)(end - h))) == NULL
            || !sched_hook_v6_ok(h, (size_t)(hend - h))
            || !sched_hook_port_ok(hend + 1, (size_t)(end - hend - 1))) {
            return "must have a valid host and port";
        }
    }
    else {
        h = auth;
        hend = memchr(h, ':', (size_t)(end - h));
        hend = hend ? hend : end;
        if (!sched_hook_name_ok(h, (size_t)(hend - h))
            || !sched_hook_port_ok(hend, (size_t)(end - hend))) {
            return "must have a valid host and port";
        }
    }
    if ((apr_size_t)(hend - h) >= hostlen) {
        return "must have a shorter host";
    }
    memcpy(host, h, (size_t)(hend - h));
    host[hend - h] = '\0';
    return NULL;
}

int sched_hook_type_ok(const char *type)
{
    static const char *const objects[] = {
        "user", "client", "provider", "slot", "reservation", "schedule",
        "schedule_override", "time_off", NULL
    };
    static const char *const actions[] = { "created", "updated", "deleted", NULL };
    static const char *const reservation_actions[] = {
        "confirmed", "cancelled", "rescheduled", NULL
    };
    const char *dot = strchr(type, '.');
    const char *const *o, *const *a;

    if (strcmp(type, "*") == 0) {
        return 1;
    }
    if (dot == NULL) {
        return 0;
    }
    for (o = objects; *o; o++) {
        if (strlen(*o) == (size_t)(dot - type) && strncmp(*o, type, (size_t)(dot - type)) == 0) {
            break;
        }
    }
    if (*o == NULL) {
        return 0;
    }
    for (a = actions; *a; a++) {
        if (strcmp(*a, dot + 1) == 0) {
            return 1;
        }
    }
    for (a = reservation_actions; strcmp(*o, "reservation") == 0 && *a; a++) {
        if (strcmp(*a, dot + 1) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Base64 (RFC 4648, padded, no line breaks) of len bytes, in p. */
static const char *sched_hook_base64(apr_pool_t *p, const unsigned char *in,
                                     apr_size_t len)
{
    unsigned char *out = apr_palloc(p, 4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock(out, in, (int)len);
    return (const char *)out;
}

const char *sched_hook_signature(apr_pool_t *p, const unsigned char *key,
                                 apr_size_t keylen, const char *id, const char *timestamp,
                                 const char *body, apr_size_t bodylen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    const char *head = apr_pstrcat(p, id, ".", timestamp, ".", NULL);
    char *msg = apr_palloc(p, strlen(head) + bodylen);

    memcpy(msg, head, strlen(head));
    memcpy(msg + strlen(head), body, bodylen);
    if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
             strlen(head) + bodylen, mac, &maclen) == NULL) {
        return NULL;
    }
    return apr_pstrcat(p, "v1,", sched_hook_base64(p, mac, maclen), NULL);
}

double sched_hook_next_delay(const apr_int64_t *delays, int n, int attempt,
                             apr_int64_t retry_after, double jitter)
{
    double delay;

    if (attempt < 1 || attempt > n) {
        return -1;
    }
    delay = (double)delays[attempt - 1] * jitter;
    if (retry_after > SCHED_HOOK_RETRY_AFTER_MAX) {
        retry_after = SCHED_HOOK_RETRY_AFTER_MAX;
    }
    return (double)retry_after > delay ? (double)retry_after : delay;
}

const char *sched_hook_pg_array(apr_pool_t *p, const char *const *elems, int n)
{
    apr_size_t need = 3;
    char *out, *o;
    const char *s;
    int i;

    for (i = 0; i < n; i++) {
        need += elems[i] ? 2 * strlen(elems[i]) + 3 : 5;
    }
    o = out = apr_palloc(p, need);
    *o++ = '{';
    for (i = 0; i < n; i++) {
        if (i > 0) {
            *o++ = ',';
        }
        if (elems[i] == NULL) {
            memcpy(o, "NULL", 4);
            o += 4;
            continue;
        }
        *o++ = '"';
        for (s = elems[i]; *s; s++) {
            if (*s == '"' || *s == '\\') {
                *o++ = '\\';
            }
            *o++ = *s;
        }
        *o++ = '"';
    }
    *o++ = '}';
    *o = '\0';
    return out;
}

/* The value of a hex digit, or -1. */
static int sched_hook_nibble(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int sched_hook_unhex(const char *hex, unsigned char *out, apr_size_t max)
{
    apr_size_t n = strlen(hex), i;

    if (n % 2 || n / 2 > max) {
        return -1;
    }
    for (i = 0; i < n / 2; i++) {
        int hi = sched_hook_nibble(hex[2 * i]), lo = sched_hook_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return (int)(n / 2);
}
