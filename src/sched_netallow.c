/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Which addresses webhooks may reach: see sched_netallow.h. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sched_netallow.h"

/* The special-purpose blocks (RFC 6890 and its updates): never "public". */
static const struct {
    int family;
    const char *net;
    int bits;
} sched_special[] = {
    { 4, "0.0.0.0", 8 },        /* this network */
    { 4, "10.0.0.0", 8 },       /* private */
    { 4, "100.64.0.0", 10 },    /* shared address space (carrier NAT) */
    { 4, "127.0.0.0", 8 },      /* loopback */
    { 4, "169.254.0.0", 16 },   /* link-local (cloud metadata services) */
    { 4, "172.16.0.0", 12 },    /* private */
    { 4, "192.0.0.0", 24 },     /* IETF protocol assignments */
    { 4, "192.0.2.0", 24 },     /* documentation */
    { 4, "192.88.99.0", 24 },   /* 6to4 relay anycast */
    { 4, "192.168.0.0", 16 },   /* private */
    { 4, "198.18.0.0", 15 },    /* benchmarking */
    { 4, "198.51.100.0", 24 },  /* documentation */
    { 4, "203.0.113.0", 24 },   /* documentation */
    { 4, "224.0.0.0", 4 },      /* multicast */
    { 4, "240.0.0.0", 4 },      /* reserved, and the broadcast address */
    { 6, "::", 128 },           /* unspecified */
    { 6, "::1", 128 },          /* loopback */
    { 6, "64:ff9b::", 96 },     /* IPv4/IPv6 translation: could reach any IPv4 */
    { 6, "64:ff9b:1::", 48 },   /* local-use translation */
    { 6, "100::", 64 },         /* discard-only */
    { 6, "2001::", 23 },        /* IETF protocol assignments (Teredo included) */
    { 6, "2001:db8::", 32 },    /* documentation */
    { 6, "2002::", 16 },        /* 6to4: embeds an IPv4 address */
    { 6, "fc00::", 7 },         /* unique local */
    { 6, "fe80::", 10 },        /* link-local */
    { 6, "fec0::", 10 },        /* site-local (deprecated) */
    { 6, "ff00::", 8 },         /* multicast */
};

#define SCHED_SPECIAL_COUNT ((int)(sizeof(sched_special) / sizeof(sched_special[0])))

/* Whether the first bits of a and b are the same. */
static int sched_prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    unsigned char mask;

    if (memcmp(a, b, (size_t)whole) != 0) {
        return 0;
    }
    if (rest == 0) {
        return 1;
    }
    mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

/* The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) carries, or NULL. */
static const unsigned char *sched_mapped_v4(const unsigned char *a6)
{
    static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a6, prefix, sizeof(prefix)) == 0 ? a6 + 12 : NULL;
}

/* Reads an address of either family: 4 or 6, or 0 for text that is none. */
static int sched_addr_parse(const char *text, unsigned char *addr)
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, text, addr) == 1) {
        return 4;
    }
    return inet_pton(AF_INET6, text, addr) == 1 ? 6 : 0;
}

int sched_netallow_special(int family, const unsigned char *addr)
{
    unsigned char net[16];
    const unsigned char *v4;
    int i;

    if (family == 6 && (v4 = sched_mapped_v4(addr)) != NULL) {
        return sched_netallow_special(4, v4);
    }
    for (i = 0; i < SCHED_SPECIAL_COUNT; i++) {
        if (sched_special[i].family == family) {
            sched_addr_parse(sched_special[i].net, net);
            if (sched_prefix_eq(addr, net, sched_special[i].bits)) {
                return 1;
            }
        }
    }
    return 0;
}

void sched_netallow_default(sched_netallow_t *allow)
{
    memset(allow, 0, sizeof(*allow));
    allow->public_ok = 1;
}

const char *sched_netallow_add(sched_netallow_t *allow, const char *word)
{
    sched_cidr_t c;
    char host[64];
    const char *slash = strchr(word, '/');
    size_t len = slash ? (size_t)(slash - word) : strlen(word);
    unsigned char net[16];
    char *end;
    long bits;

    if (strcmp(word, "public") == 0) {
        allow->public_ok = 1;
        return NULL;
    }
    if (len == 0 || len >= sizeof(host)) {
        return "is neither \"public\" nor a CIDR block such as 127.0.0.0/8 or ::1/128";
    }
    memcpy(host, word, len);
    host[len] = '\0';
    if ((c.family = sched_addr_parse(host, c.addr)) == 0) {
        return "is neither \"public\" nor a CIDR block such as 127.0.0.0/8 or ::1/128";
    }
    bits = c.family == 4 ? 32 : 128;
    if (slash) {
        if (!(slash[1] >= '0' && slash[1] <= '9') || (slash[1] == '0' && slash[2])) {
            return "has a prefix length that is not a number";
        }
        bits = strtol(slash + 1, &end, 10);
        if (*end != '\0' || bits > (c.family == 4 ? 32 : 128)) {
            return c.family == 4 ? "has a prefix length beyond 32"
                                 : "has a prefix length beyond 128";
        }
    }
    c.bits = (int)bits;
    memset(net, 0, sizeof(net));
    memcpy(net, c.addr, (size_t)c.bits / 8);
    if (c.bits % 8) {
        net[c.bits / 8] = (unsigned char)(c.addr[c.bits / 8] & (0xff << (8 - c.bits % 8)));
    }
    if (memcmp(net, c.addr, 16) != 0) {
        return "has bits set beyond its prefix length (write the network's address)";
    }
    if (allow->count == SCHED_NETALLOW_MAX) {
        return "is one block too many (at most 32 in all)";
    }
    allow->cidrs[allow->count++] = c;
    return NULL;
}

/* Whether one of the CIDR blocks holds the address. */
static int sched_netallow_listed(const sched_netallow_t *allow, int family,
                                 const unsigned char *addr)
{
    int i;
    for (i = 0; i < allow->count; i++) {
        if (allow->cidrs[i].family == family
            && sched_prefix_eq(addr, allow->cidrs[i].addr, allow->cidrs[i].bits)) {
            return 1;
        }
    }
    return 0;
}

int sched_netallow_check(const sched_netallow_t *allow, int family,
                         const unsigned char *addr)
{
    const unsigned char *v4;

    if (family != 4 && family != 6) {
        return 0;
    }
    if (sched_netallow_listed(allow, family, addr)) {
        return 1;
    }
    if (family == 6 && (v4 = sched_mapped_v4(addr)) != NULL) {
        return sched_netallow_check(allow, 4, v4);
    }
    return allow->public_ok && !sched_netallow_special(family, addr);
}

int sched_netallow_check_text(const sched_netallow_t *allow, const char *text)
{
    unsigned char addr[16];
    int family = sched_addr_parse(text, addr);
    return family != 0 && sched_netallow_check(allow, family, addr);
}
