/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The secrets of the calendar feeds: the token of a feed's URL, made at random and
 * stored only as its SHA-256, and the strong ETag of a feed's calendar text. */
#ifndef SCHED_FEED_H
#define SCHED_FEED_H

#include "sched_private.h"

/* A new token, SCHED_FEED_TOKEN_PREFIX and SCHED_FEED_TOKEN_BYTES random bytes in
 * base64url without padding (sched_limits.h), in r->pool. NULL, logged, when the
 * system gives no random bytes. */
const char *sched_feed_token_new(request_rec *r);

/* SHA-256 of the len bytes of data, as 64 hex digits in r->pool: what the database
 * keeps of a token (decode(..., 'hex')). NULL, logged, when OpenSSL fails. */
const char *sched_feed_sha256_hex(request_rec *r, const char *data, apr_size_t len);

/* The strong ETag (without its quotes) of a calendar text: the first 128 bits of its
 * SHA-256, in hex. It changes whenever one byte of the text does. NULL, logged, when
 * OpenSSL fails. */
const char *sched_feed_etag(request_rec *r, const char *text, apr_size_t len);

#endif
