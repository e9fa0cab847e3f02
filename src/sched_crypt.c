/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* bcrypt password hashes. */
#include <apr_general.h>
#include <apr_md5.h>

#include "sched_crypt.h"

#define SCHED_BCRYPT_SALT 16
#define SCHED_BCRYPT_LEN  64

/* Of 32 random bytes, thrown away, at SCHED_BCRYPT_COST. */
static const char sched_crypt_nobody[] =
    "$2y$10$7NndsrFQD9g5aEGMLcpXK.GZeSZhgTaiVX4tK2oUmQFCqHAwI2Uj6";

apr_status_t sched_crypt_hash(apr_pool_t *p, const char *password, char **hash)
{
    unsigned char salt[SCHED_BCRYPT_SALT];
    char *out = apr_palloc(p, SCHED_BCRYPT_LEN);
    apr_status_t rv = apr_generate_random_bytes(salt, sizeof(salt));
    if (rv == APR_SUCCESS) {
        rv = apr_bcrypt_encode(password, SCHED_BCRYPT_COST, salt, sizeof(salt),
                               out, SCHED_BCRYPT_LEN);
    }
    *hash = rv == APR_SUCCESS ? out : NULL;
    return rv;
}

apr_status_t sched_crypt_check(const char *password, const char *hash)
{
    if (hash == NULL) {
        (void)apr_password_validate(password, sched_crypt_nobody);
        return APR_EMISMATCH;
    }
    return apr_password_validate(password, hash);
}
