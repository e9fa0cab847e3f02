/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Which addresses webhooks may reach (SchedWebhookAllow): a list of CIDR blocks, and
 * the word "public" for every address that is not special (loopback, private,
 * link-local, shared, documentation, benchmarking, multicast, reserved: RFC 6890's
 * registries). The sender checks the address it is about to connect to, after the
 * name was resolved, on every attempt; the API checks the addresses a URL's host
 * names when a webhook is made or changed. So a webhook cannot be turned against the
 * operator's own network, by its URL or by DNS.
 * Pure: no httpd header. */
#ifndef SCHED_NETALLOW_H
#define SCHED_NETALLOW_H

#include <apr_pools.h>

#define SCHED_NETALLOW_MAX 32   /* CIDR blocks in one list */

typedef struct sched_cidr_t {
    int family;                 /* 4 or 6 */
    unsigned char addr[16];     /* the network (IPv4 in the first 4 bytes) */
    int bits;                   /* prefix length */
} sched_cidr_t;

typedef struct sched_netallow_t {
    int public_ok;              /* "public": addresses that are not special */
    int count;
    sched_cidr_t cidrs[SCHED_NETALLOW_MAX];
} sched_netallow_t;

/* The default: public addresses only. */
void sched_netallow_default(sched_netallow_t *allow);

/* Adds one word of the directive: "public", or a CIDR block ("127.0.0.0/8",
 * "::1/128"; an address alone is a block of one). Returns NULL, or the reason it is
 * refused (host bits set, a prefix beyond the family's, junk, too many). */
const char *sched_netallow_add(sched_netallow_t *allow, const char *word);

/* Whether an address may be reached: family 4 (4 bytes) or 6 (16 bytes): a block
 * holds it, or "public" is there and it is not special. An IPv4-mapped address
 * (::ffff:a.b.c.d) not held by an IPv6 block is judged as the IPv4 address it maps. */
int sched_netallow_check(const sched_netallow_t *allow, int family,
                         const unsigned char *addr);

/* The same for an address in text ("10.0.0.1", "fe80::1"); 0 for text that is no
 * address. */
int sched_netallow_check_text(const sched_netallow_t *allow, const char *text);

/* Whether an address is special (not public), as "public" judges it. */
int sched_netallow_special(int family, const unsigned char *addr);

#endif
