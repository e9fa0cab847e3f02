/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Webhooks as the Standard Webhooks specification has them: what a webhook's URL and
 * event types may be, the signature of a message, and when a failed attempt is tried
 * again. Pure: no httpd header (OpenSSL for the HMAC). */
#ifndef SCHED_HOOK_H
#define SCHED_HOOK_H

#include <apr_pools.h>

#define SCHED_HOOK_URL_MAX      2048
#define SCHED_HOOK_HOST_MAX     253
#define SCHED_HOOK_TYPES_MAX    64
#define SCHED_HOOK_SECRET_BYTES 32      /* 24 to 64 as the specification allows */
#define SCHED_HOOK_RETRIES_MAX  20      /* delays in SchedWebhookRetries */
#define SCHED_HOOK_RETRY_AFTER_MAX 86400 /* seconds of Retry-After honoured */

/* An http or https URL with a host (a name, an IPv4 address or a bracketed IPv6
 * one), an optional port (1-65535), an optional path and query of visible ASCII, no
 * user name or password and no fragment, at most SCHED_HOOK_URL_MAX bytes. Returns
 * NULL and the host (brackets removed, in host of hostlen bytes), or why not. */
const char *sched_hook_url_check(const char *url, char *host, apr_size_t hostlen);

/* Whether an event type is one a webhook may subscribe to: "*" or
 * "<object>.<action>" of the events (sql/007: reservation.confirmed, ...). */
int sched_hook_type_ok(const char *type);

/* The webhook-signature header's value: "v1," + base64 of HMAC-SHA256 over
 * "<id>.<timestamp>.<body>" with key. In p. */
const char *sched_hook_signature(apr_pool_t *p, const unsigned char *key,
                                 apr_size_t keylen, const char *id, const char *timestamp,
                                 const char *body, apr_size_t bodylen);

/* Seconds until the attempt after attempt number `attempt` (1 the first) failed:
 * delays[attempt - 1] of the n delays, scaled by jitter (0.8 to 1.2, a factor the
 * caller draws at random), and never less than retry_after (the receiver's
 * Retry-After in seconds, 0 for none), which counts up to a day at most. -1: no
 * attempt is left. */
double sched_hook_next_delay(const apr_int64_t *delays, int n, int attempt,
                             apr_int64_t retry_after, double jitter);

/* A PostgreSQL array literal of n text elements (NULL elements are NULL), quoted and
 * escaped, for a statement's text[] (or int4[], float8[], ...) parameter. In p. */
const char *sched_hook_pg_array(apr_pool_t *p, const char *const *elems, int n);

/* The bytes of hex text into out (at most max): how many, or -1 for text that is not
 * an even number of hex digits, or too long. */
int sched_hook_unhex(const char *hex, unsigned char *out, apr_size_t max);

#endif
