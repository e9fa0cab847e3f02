/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Request bodies of the resources. See sched_body.h. */
#include <stdio.h>
#include <string.h>
#include <apr_lib.h>

#include "sched_body.h"
#include "sched_limits.h"

#define SCHED_TIME_TEXT_MAX     64

#define SCHED_BODY_NEED_FULL    (SCHED_BODY_NEED_CREATE | SCHED_BODY_NEED_PUT)
#define SCHED_BODY_COUNT(a)     ((int)(sizeof(a) / sizeof((a)[0])))

static const sched_body_field_t sched_body_user_fields[] = {
    [SCHED_USER_USERNAME] = { "username", SCHED_BODY_STRING, SCHED_BODY_NEED_FULL,
                              1, SCHED_USERNAME_MAX, sched_rules_username_chars_ok,
                              "letters, digits and @.+-_ only", NULL },
    [SCHED_USER_EMAIL] = { "email", SCHED_BODY_STRING, 0, 0, SCHED_EMAIL_MAX,
                           sched_rules_email_ok, "not a valid email address", NULL },
    [SCHED_USER_PASSWORD] = { "password", SCHED_BODY_STRING, SCHED_BODY_NEED_CREATE,
                              SCHED_PASSWORD_MIN, SCHED_PASSWORD_MAX, NULL, NULL, NULL },
    [SCHED_USER_IS_SUPERUSER] = { "is_superuser", SCHED_BODY_BOOL, 0, 0, 0, NULL, NULL,
                                  NULL },
    [SCHED_USER_IS_ACTIVE] = { "is_active", SCHED_BODY_BOOL, 0, 0, 0, NULL, NULL, NULL },
};

static const sched_body_field_t sched_body_role_fields[] = {
    [SCHED_ROLE_USER] = { "user", SCHED_BODY_ID, SCHED_BODY_NEED_FULL, 0, 0, NULL, NULL,
                          NULL },
};

static const sched_body_field_t sched_body_slot_fields[] = {
    [SCHED_SLOT_PROVIDER] = { "provider", SCHED_BODY_ID, SCHED_BODY_NEED_FULL, 0, 0,
                              NULL, NULL, NULL },
    [SCHED_SLOT_START_TIME] = { "start_time", SCHED_BODY_TIME, SCHED_BODY_NEED_FULL,
                                0, 0, NULL, NULL, NULL },
    [SCHED_SLOT_END_TIME] = { "end_time", SCHED_BODY_TIME, SCHED_BODY_NEED_FULL, 0, 0,
                              NULL, NULL, "start_time" },
    [SCHED_SLOT_MINUTES] = { "slot_minutes", SCHED_BODY_INT, SCHED_BODY_CREATE_ONLY,
                             SCHED_SLOT_MINUTES_MIN, SCHED_SLOT_MINUTES_MAX, NULL, NULL,
                             NULL },
};

/* Only the slot of a reservation changes once it is made (a reschedule). */
static const sched_body_field_t sched_body_reservation_fields[] = {
    [SCHED_RESERVATION_CLIENT] = { "client", SCHED_BODY_ID,
                                   SCHED_BODY_NEED_CREATE | SCHED_BODY_CREATE_ONLY, 0, 0,
                                   NULL, NULL, NULL },
    [SCHED_RESERVATION_SLOT] = { "slot", SCHED_BODY_ID, SCHED_BODY_NEED_FULL, 0, 0, NULL,
                                 NULL, NULL },
};

#define SCHED_BODY_OF(resource, fields) \
    { resource, fields, SCHED_BODY_COUNT(fields) }

const sched_body_t sched_body_users = SCHED_BODY_OF("users", sched_body_user_fields);
const sched_body_t sched_body_clients = SCHED_BODY_OF("clients", sched_body_role_fields);
const sched_body_t sched_body_providers = SCHED_BODY_OF("providers",
                                                        sched_body_role_fields);
const sched_body_t sched_body_slots = SCHED_BODY_OF("available_slots",
                                                    sched_body_slot_fields);
const sched_body_t sched_body_reservations = SCHED_BODY_OF("appointment_reservations",
                                                           sched_body_reservation_fields);

const sched_body_t *const sched_body_all[] = {
    &sched_body_users, &sched_body_clients, &sched_body_providers, &sched_body_slots,
    &sched_body_reservations, NULL
};

int sched_body_reads(const sched_body_field_t *field, sched_body_mode_e mode)
{
    return mode == SCHED_BODY_CREATE || !(field->flags & SCHED_BODY_CREATE_ONLY);
}

int sched_body_requires(const sched_body_field_t *field, sched_body_mode_e mode)
{
    return (mode == SCHED_BODY_CREATE && (field->flags & SCHED_BODY_NEED_CREATE))
           || (mode == SCHED_BODY_REPLACE && (field->flags & SCHED_BODY_NEED_PUT));
}

/* A string, then what check says of it. */
static sched_field_e sched_body_string(const sched_body_field_t *f, int required,
                                       json_t *body, sched_body_value_t *v,
                                       json_t *errors)
{
    sched_field_e got = sched_json_get_string(body, f->name, required, (apr_size_t)f->min,
                                              (apr_size_t)f->max, &v->s, errors);
    if (got == SCHED_FIELD_OK && f->check && !f->check(v->s)) {
        sched_json_error_add(errors, f->name, f->refused);
        return SCHED_FIELD_INVALID;
    }
    return got;
}

/* A time: a string, parsed; one without an offset goes to resolve. Sets *stop to
 * what resolve returned when it failed. */
static sched_field_e sched_body_time(const sched_body_field_t *f, int required,
                                     json_t *body, sched_body_resolve_fn resolve,
                                     void *ctx, sched_body_value_t *v, json_t *errors,
                                     int *stop)
{
    sched_time_t t;
    const char *reason;
    sched_field_e got = sched_json_get_string(body, f->name, required, 1,
                                              SCHED_TIME_TEXT_MAX, &v->s, errors);
    if (got != SCHED_FIELD_OK) {
        return got;
    }
    if ((reason = sched_time_parse_rfc3339(v->s, resolve != NULL, &t)) != NULL) {
        sched_json_error_add(errors, f->name, reason);
        return SCHED_FIELD_INVALID;
    }
    v->i = t.epoch_usec;
    if (!t.has_offset) {
        *stop = resolve(ctx, &t, &v->i);
    }
    return SCHED_FIELD_OK;
}

/* Reads one field into v. Returns 0, or what resolve returned when it failed. */
static int sched_body_field(const sched_body_field_t *f, sched_body_mode_e mode,
                            json_t *body, sched_body_resolve_fn resolve, void *ctx,
                            sched_body_value_t *v, json_t *errors)
{
    int required = sched_body_requires(f, mode), b = 0, stop = 0;

    switch (f->kind) {
    case SCHED_BODY_ID:
        v->got = sched_json_get_id(body, f->name, required, &v->i, errors);
        break;
    case SCHED_BODY_STRING:
        v->got = sched_body_string(f, required, body, v, errors);
        break;
    case SCHED_BODY_INT:
        v->got = sched_json_get_int(body, f->name, required, f->min, f->max, &v->i,
                                    errors);
        break;
    case SCHED_BODY_BOOL:
        v->got = sched_json_get_bool(body, f->name, required, &b, errors);
        v->i = b;
        break;
    case SCHED_BODY_TIME:
        v->got = sched_body_time(f, required, body, resolve, ctx, v, errors, &stop);
        break;
    }
    return stop;
}

/* The index of the field called name, or -1. */
static int sched_body_index(const sched_body_t *schema, const char *name)
{
    int i;
    for (i = 0; i < schema->count; i++) {
        if (strcmp(schema->fields[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* A time must be after the one its field names, when both were read. */
static void sched_body_order(const sched_body_t *schema, sched_body_value_t *values,
                             json_t *errors)
{
    char message[96];
    int i, j;

    for (i = 0; i < schema->count; i++) {
        const sched_body_field_t *f = &schema->fields[i];
        if (f->after == NULL || (j = sched_body_index(schema, f->after)) < 0
            || values[i].got != SCHED_FIELD_OK || values[j].got != SCHED_FIELD_OK
            || values[i].i > values[j].i) {
            continue;
        }
        snprintf(message, sizeof(message), "must be after %s", f->after);
        sched_json_error_add(errors, f->name, message);
        values[i].got = SCHED_FIELD_INVALID;
    }
}

int sched_body_read(const sched_body_t *schema, sched_body_mode_e mode, json_t *body,
                    sched_body_resolve_fn resolve, void *ctx,
                    sched_body_value_t *values, json_t *errors)
{
    int i, stop;

    memset(values, 0, sizeof(*values) * (apr_size_t)schema->count);
    for (i = 0; i < schema->count; i++) {
        if (!sched_body_reads(&schema->fields[i], mode)) {
            continue;
        }
        stop = sched_body_field(&schema->fields[i], mode, body, resolve, ctx, &values[i],
                                errors);
        if (stop != 0) {
            return stop;
        }
    }
    sched_body_order(schema, values, errors);
    return 0;
}
