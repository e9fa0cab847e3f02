/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Request bodies: parsing a JSON object and reading typed fields from it, with
 * validation messages collected per field ({"field": ["message", ...]}).
 * Pure: jansson and APR only. */
#ifndef SCHED_JSON_H
#define SCHED_JSON_H

#include <apr.h>
#include <jansson.h>

/* Field lookups answer one of these. */
typedef enum sched_field_e {
    SCHED_FIELD_ABSENT = 0,     /* not in the body (an error was added if required) */
    SCHED_FIELD_OK = 1,         /* present and valid: the out value is set */
    SCHED_FIELD_INVALID = -1    /* present but wrong: an error was added */
} sched_field_e;

/* Parses buf as one JSON object (duplicate keys rejected). Returns a new reference,
 * or NULL with *reason set to a message for the client. */
json_t *sched_json_parse_object(const char *buf, apr_size_t len, const char **reason);

/* Adds message to errors[field] (a JSON array, created on first use). */
void sched_json_error_add(json_t *errors, const char *field, const char *message);

/* An id: a JSON integer in 1..INT64_MAX (not a string, float, bool or null). */
sched_field_e sched_json_get_id(json_t *body, const char *field, int required,
                                apr_int64_t *out, json_t *errors);

/* A string of max_len bytes at most (min_len at least). */
sched_field_e sched_json_get_string(json_t *body, const char *field, int required,
                                    apr_size_t min_len, apr_size_t max_len,
                                    const char **out, json_t *errors);

/* A JSON integer within [min, max]. */
sched_field_e sched_json_get_int(json_t *body, const char *field, int required,
                                 apr_int64_t min, apr_int64_t max, apr_int64_t *out,
                                 json_t *errors);

/* A JSON true or false. */
sched_field_e sched_json_get_bool(json_t *body, const char *field, int required,
                                  int *out, json_t *errors);

#endif
