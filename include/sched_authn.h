/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The "sched" authentication provider: Basic auth against the users table, with a
 * cache of passwords that matched (SchedAuthCacheTime). */
#ifndef SCHED_AUTHN_H
#define SCHED_AUTHN_H

#include <apr_pools.h>

/* Registers the provider and its child_init hook (from register_hooks). */
void sched_authn_register(apr_pool_t *p);

#endif
