/* Password hashes: bcrypt, the format httpd's mod_authn_dbd checks with
 * apr_password_validate. Pure: APR-util only. */
#ifndef SCHED_CRYPT_H
#define SCHED_CRYPT_H

#include <apr_pools.h>

#define SCHED_BCRYPT_COST 10

/* Hashes password with a random salt into *hash ("$2y$10$..."). */
apr_status_t sched_crypt_hash(apr_pool_t *p, const char *password, char **hash);

#endif
