/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Typed values of a result row in binary format (PQexecPrepared with resultFormat 1),
 * as the module's statements answer them. libpq only. */
#ifndef SCHED_ROW_H
#define SCHED_ROW_H

#include <apr.h>
#include <libpq-fe.h>

/* Whether the value is SQL NULL. */
int sched_row_null(const PGresult *res, int row, int col);

/* An int8, int4 or int2 (0 for NULL). */
apr_int64_t sched_row_int(const PGresult *res, int row, int col);

/* A bool (0 for NULL). */
int sched_row_bool(const PGresult *res, int row, int col);

/* A timestamptz in microseconds since 1970 UTC. Returns 0 for NULL and for infinity
 * (and for the instants after year 292277, which do not fit), else 1 with *usec. */
int sched_row_time(const PGresult *res, int row, int col, apr_int64_t *usec);

/* A date, in days since 1970-01-01. Returns 0 for NULL and for infinity, else 1. */
int sched_row_date(const PGresult *res, int row, int col, apr_int64_t *days);

/* A one-dimensional int8[] (no NULL element): returns how many elements it has, or -1
 * when the value is not such an array; an SQL NULL is an empty array. Read element i
 * (0 <= i < that count) with sched_row_int_array_at(). */
int sched_row_int_array(const PGresult *res, int row, int col);
apr_int64_t sched_row_int_array_at(const PGresult *res, int row, int col, int i);

/* A text value (NUL-terminated; NULL for SQL NULL), its length in *len if not NULL. */
const char *sched_row_text(const PGresult *res, int row, int col, apr_size_t *len);

#endif
