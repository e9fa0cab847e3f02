/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Values of binary result rows: see sched_row.h. PostgreSQL sends integers in
 * network byte order, a timestamptz as int8 microseconds since 2000-01-01 (with
 * int8 minimum and maximum for -infinity and infinity), a bool as one byte. */
#include <string.h>

#include "sched_row.h"

/* Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define SCHED_PG_EPOCH_USEC APR_INT64_C(946684800000000)
#define SCHED_PG_EPOCH_DAYS 10957

int sched_row_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col);
}

static apr_uint64_t sched_row_be(const unsigned char *p, int n)
{
    apr_uint64_t v = 0;
    int i;
    for (i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

apr_int64_t sched_row_int(const PGresult *res, int row, int col)
{
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);
    int n = PQgetlength(res, row, col);

    if (PQgetisnull(res, row, col)) {
        return 0;
    }
    switch (n) {
    case 8: return (apr_int64_t)sched_row_be(p, 8);
    case 4: return (apr_int32_t)(apr_uint32_t)sched_row_be(p, 4);
    case 2: return (apr_int16_t)(apr_uint16_t)sched_row_be(p, 2);
    default: return 0;
    }
}

int sched_row_bool(const PGresult *res, int row, int col)
{
    return !PQgetisnull(res, row, col) && PQgetlength(res, row, col) == 1
           && PQgetvalue(res, row, col)[0] != 0;
}

int sched_row_time(const PGresult *res, int row, int col, apr_int64_t *usec)
{
    apr_int64_t v;

    if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 8) {
        return 0;
    }
    v = sched_row_int(res, row, col);
    if (v == APR_INT64_MAX || v == APR_INT64_MIN || v > APR_INT64_MAX - SCHED_PG_EPOCH_USEC) {
        return 0;
    }
    *usec = v + SCHED_PG_EPOCH_USEC;
    return 1;
}

int sched_row_date(const PGresult *res, int row, int col, apr_int64_t *days)
{
    apr_int64_t v;

    if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 4) {
        return 0;
    }
    v = sched_row_int(res, row, col);
    if (v == APR_INT32_MAX || v == APR_INT32_MIN) {
        return 0;
    }
    *days = v + SCHED_PG_EPOCH_DAYS;
    return 1;
}

/* Array of int8 in binary: ndim, has-nulls, element type, then per dimension its
 * size and lower bound, then each element as length and value. */
int sched_row_int_array(const PGresult *res, int row, int col)
{
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);
    int len = PQgetlength(res, row, col), n;

    if (PQgetisnull(res, row, col)) {
        return 0;
    }
    if (len >= 12 && sched_row_be(p, 4) == 0) {
        return 0;                   /* no dimension: an empty array */
    }
    if (len < 20 || sched_row_be(p, 4) != 1 || sched_row_be(p + 4, 4) != 0
        || sched_row_be(p + 8, 4) != 20) {
        return -1;                  /* not one dimension of int8 without NULL */
    }
    n = (int)sched_row_be(p + 12, 4);
    if (n < 0 || n > (len - 20) / 12 || len != 20 + n * 12) {
        return -1;
    }
    return n;
}

apr_int64_t sched_row_int_array_at(const PGresult *res, int row, int col, int i)
{
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);

    return (apr_int64_t)sched_row_be(p + 20 + (apr_size_t)i * 12 + 4, 8);
}

const char *sched_row_text(const PGresult *res, int row, int col, apr_size_t *len)
{
    if (PQgetisnull(res, row, col)) {
        if (len) {
            *len = 0;
        }
        return NULL;
    }
    if (len) {
        *len = (apr_size_t)PQgetlength(res, row, col);
    }
    return PQgetvalue(res, row, col);
}
