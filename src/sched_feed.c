/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The secrets of the calendar feeds: see sched_feed.h. */
#include <apr_encode.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "sched_private.h"
#include "sched_feed.h"
#include "sched_limits.h"

#define SCHED_FEED_SHA256 32
#define SCHED_FEED_ETAG_BYTES 16

const char *sched_feed_token_new(request_rec *r)
{
    unsigned char random[SCHED_FEED_TOKEN_BYTES];
    apr_status_t rv = apr_generate_random_bytes(random, sizeof(random));
    const char *text;

    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, SCHED_LOGNO(00801)
                      "no random bytes for a calendar feed's token");
        return NULL;
    }
    text = apr_pencode_base64_binary(r->pool, random, sizeof(random),
                                     APR_ENCODE_BASE64URL, NULL);
    return text ? apr_pstrcat(r->pool, SCHED_FEED_TOKEN_PREFIX, text, NULL) : NULL;
}

/* SHA-256 of data into md; 0 (logged) when OpenSSL fails. */
static int sched_feed_sha256(request_rec *r, const char *data, apr_size_t len,
                             unsigned char md[SCHED_FEED_SHA256])
{
    unsigned int n = 0;

    if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1
        || n != SCHED_FEED_SHA256) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, SCHED_LOGNO(00802)
                      "OpenSSL could not compute a SHA-256");
        return 0;
    }
    return 1;
}

/* The first n bytes of md as hex, in r->pool (httpd's ap_bin2hex). */
static const char *sched_feed_hex(request_rec *r, const unsigned char *md, apr_size_t n)
{
    char *out = apr_palloc(r->pool, 2 * n + 1);
    ap_bin2hex(md, n, out);
    return out;
}

const char *sched_feed_sha256_hex(request_rec *r, const char *data, apr_size_t len)
{
    unsigned char md[SCHED_FEED_SHA256];
    return sched_feed_sha256(r, data, len, md) ? sched_feed_hex(r, md, sizeof(md)) : NULL;
}

const char *sched_feed_etag(request_rec *r, const char *text, apr_size_t len)
{
    unsigned char md[SCHED_FEED_SHA256];
    return sched_feed_sha256(r, text, len, md)
           ? sched_feed_hex(r, md, SCHED_FEED_ETAG_BYTES) : NULL;
}
