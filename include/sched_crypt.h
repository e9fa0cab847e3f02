/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Password hashes: bcrypt, the format httpd's mod_authn_dbd checks with
 * apr_password_validate. Pure: APR-util only. */
#ifndef SCHED_CRYPT_H
#define SCHED_CRYPT_H

#include <apr_pools.h>

#define SCHED_BCRYPT_COST 10

/* Hashes password with a random salt into *hash ("$2y$10$..."). */
apr_status_t sched_crypt_hash(apr_pool_t *p, const char *password, char **hash);

/* APR_SUCCESS when password matches hash (any format apr_password_validate knows).
 * hash NULL (no such user): checked against a hash of a password nobody knows, so
 * that an unknown user name takes as long to refuse as a wrong password. */
apr_status_t sched_crypt_check(const char *password, const char *hash);

#endif
