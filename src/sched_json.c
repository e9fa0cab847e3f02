/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Request bodies: JSON object parsing and typed field access. */
#include <stdio.h>
#include <string.h>

#include "sched_json.h"

json_t *sched_json_parse_object(const char *buf, apr_size_t len, const char **reason)
{
    json_error_t err;
    json_t *root;

    /* jansson stops at a raw NUL after a number or a literal and takes what came
     * before; in a string it refuses one (as it does the escape \u0000). No body may
     * come as NULL: memchr must not see that, even with a length of 0. */
    if (len > 0 && memchr(buf, '\0', len) != NULL) {
        *reason = "the body must not contain NUL bytes";
        return NULL;
    }
    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL) {
        *reason = "the body is not valid JSON";
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *reason = "the body must be a JSON object";
        return NULL;
    }
    return root;
}

void sched_json_error_add(json_t *errors, const char *field, const char *message)
{
    json_t *list = json_object_get(errors, field);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(errors, field, list);
    }
    json_array_append_new(list, json_string(message));
}

/* Looks field up; adds "this field is required" when required and absent. */
static json_t *sched_json_lookup(json_t *body, const char *field, int required,
                                 json_t *errors)
{
    json_t *v = json_object_get(body, field);
    if (v == NULL && required) {
        sched_json_error_add(errors, field, "this field is required");
    }
    return v;
}

sched_field_e sched_json_get_id(json_t *body, const char *field, int required,
                                apr_int64_t *out, json_t *errors)
{
    json_t *v = sched_json_lookup(body, field, required, errors);
    if (v == NULL) {
        return SCHED_FIELD_ABSENT;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        sched_json_error_add(errors, field, "must be an id (a positive integer)");
        return SCHED_FIELD_INVALID;
    }
    *out = (apr_int64_t)json_integer_value(v);
    return SCHED_FIELD_OK;
}

sched_field_e sched_json_get_string(json_t *body, const char *field, int required,
                                    apr_size_t min_len, apr_size_t max_len,
                                    const char **out, json_t *errors)
{
    json_t *v = sched_json_lookup(body, field, required, errors);
    apr_size_t len;
    if (v == NULL) {
        return SCHED_FIELD_ABSENT;
    }
    if (!json_is_string(v)) {
        sched_json_error_add(errors, field, "must be a string");
        return SCHED_FIELD_INVALID;
    }
    len = json_string_length(v);
    if (len < min_len) {
        sched_json_error_add(errors, field, min_len == 1 ? "must not be empty"
                                                         : "is too short");
        return SCHED_FIELD_INVALID;
    }
    if (len > max_len) {
        sched_json_error_add(errors, field, "is too long");
        return SCHED_FIELD_INVALID;
    }
    *out = json_string_value(v);
    return SCHED_FIELD_OK;
}

sched_field_e sched_json_get_bool(json_t *body, const char *field, int required,
                                  int *out, json_t *errors)
{
    json_t *v = sched_json_lookup(body, field, required, errors);
    if (v == NULL) {
        return SCHED_FIELD_ABSENT;
    }
    if (!json_is_boolean(v)) {
        sched_json_error_add(errors, field, "must be true or false");
        return SCHED_FIELD_INVALID;
    }
    *out = json_is_true(v);
    return SCHED_FIELD_OK;
}

sched_field_e sched_json_get_int(json_t *body, const char *field, int required,
                                 apr_int64_t min, apr_int64_t max, apr_int64_t *out,
                                 json_t *errors)
{
    json_t *v = sched_json_lookup(body, field, required, errors);
    if (v == NULL) {
        return SCHED_FIELD_ABSENT;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min
        || json_integer_value(v) > max) {
        char message[96];
        snprintf(message, sizeof(message), "must be an integer from %" APR_INT64_T_FMT
                 " to %" APR_INT64_T_FMT, min, max);
        sched_json_error_add(errors, field, message);
        return SCHED_FIELD_INVALID;
    }
    *out = (apr_int64_t)json_integer_value(v);
    return SCHED_FIELD_OK;
}
