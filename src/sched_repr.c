/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The JSON of each resource: see sched_repr.h. */
#include <string.h>

#include "sched_repr.h"
#include "sched_row.h"
#include "sched_time.h"

void sched_repr_time(sched_jsonw_t *w, const char *key, const PGresult *res, int row,
                     int col)
{
    apr_int64_t usec;
    if (sched_row_time(res, row, col, &usec)) {
        sched_jsonw_time(w, key, usec);
    }
    else {
        sched_jsonw_null(w, key);
    }
}

static void sched_repr_text(sched_jsonw_t *w, const char *key, const PGresult *res,
                            int row, int col)
{
    apr_size_t len;
    const char *s = sched_row_text(res, row, col, &len);
    if (s) {
        sched_jsonw_str(w, key, s, len);
    }
    else {
        sched_jsonw_null(w, key);
    }
}

void sched_repr_user(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_repr_text(w, "username", res, row, cols[1]);
    sched_repr_text(w, "email", res, row, cols[2]);
    sched_jsonw_bool(w, "is_superuser", sched_row_bool(res, row, cols[3]));
    sched_jsonw_bool(w, "is_active", sched_row_bool(res, row, cols[4]));
    sched_repr_time(w, "date_joined", res, row, cols[5]);
    sched_jsonw_close(w, '}');
}

void sched_repr_role(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_jsonw_int(w, "user", sched_row_int(res, row, cols[1]));
    sched_jsonw_close(w, '}');
}

static void sched_repr_slot_fields(sched_jsonw_t *w, const PGresult *res, int row,
                                   const int *cols)
{
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_jsonw_int(w, "provider", sched_row_int(res, row, cols[1]));
    sched_repr_time(w, "start_time", res, row, cols[2]);
    sched_repr_time(w, "end_time", res, row, cols[3]);
    sched_repr_text(w, "source", res, row, cols[4]);
}

void sched_repr_slot(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_repr_slot_fields(w, res, row, cols);
    sched_jsonw_close(w, '}');
}

void sched_repr_slot_detail(sched_jsonw_t *w, const PGresult *res, int row,
                            const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_repr_slot_fields(w, res, row, cols);
    sched_jsonw_bool(w, "available", sched_row_bool(res, row, cols[5]));
    sched_jsonw_close(w, '}');
}

/* An integer member (int4, int8), or null. */
static void sched_repr_int(sched_jsonw_t *w, const char *key, const PGresult *res,
                           int row, int col)
{
    if (sched_row_null(res, row, col)) {
        sched_jsonw_null(w, key);
    }
    else {
        sched_jsonw_int(w, key, sched_row_int(res, row, col));
    }
}

/* A json column (whose binary form is its text), as it is; null for NULL. */
static void sched_repr_json(sched_jsonw_t *w, const char *key, const PGresult *res,
                            int row, int col)
{
    apr_size_t len;
    const char *s = sched_row_text(res, row, col, &len);
    if (s) {
        sched_jsonw_raw(w, key, s, len);
    }
    else {
        sched_jsonw_null(w, key);
    }
}

/* "kept": the reserved slots a change had to leave, when col is an answer's. */
static void sched_repr_kept(sched_jsonw_t *w, const PGresult *res, int row, int col)
{
    int i, n;

    if (col < 0) {
        return;
    }
    n = sched_row_int_array(res, row, col);
    sched_jsonw_open(w, "kept", '[');
    for (i = 0; i < n; i++) {
        sched_jsonw_int(w, NULL, sched_row_int_array_at(res, row, col, i));
    }
    sched_jsonw_close(w, ']');
}

void sched_repr_schedule(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_jsonw_int(w, "provider", sched_row_int(res, row, cols[1]));
    sched_repr_text(w, "time_zone", res, row, cols[2]);
    sched_repr_int(w, "slot_minutes", res, row, cols[3]);
    sched_repr_int(w, "buffer_before_minutes", res, row, cols[4]);
    sched_repr_int(w, "buffer_after_minutes", res, row, cols[5]);
    sched_repr_int(w, "min_notice_minutes", res, row, cols[6]);
    sched_repr_int(w, "horizon_days", res, row, cols[7]);
    sched_repr_json(w, "weekly", res, row, cols[8]);
    sched_repr_time(w, "materialized_until", res, row, cols[9]);
    sched_repr_kept(w, res, row, cols[10]);
    sched_jsonw_close(w, '}');
}

void sched_repr_override(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    char date[SCHED_TIME_FORMAT_MAX];
    apr_int64_t days;

    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_jsonw_int(w, "provider", sched_row_int(res, row, cols[1]));
    if (sched_row_date(res, row, cols[2], &days)) {
        sched_jsonw_str(w, "date", date, sched_time_format_date_buf(date, days));
    }
    else {
        sched_jsonw_null(w, "date");
    }
    sched_repr_json(w, "intervals", res, row, cols[3]);
    sched_repr_kept(w, res, row, cols[4]);
    sched_jsonw_close(w, '}');
}

void sched_repr_time_off(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_jsonw_int(w, "provider", sched_row_int(res, row, cols[1]));
    sched_repr_time(w, "start_time", res, row, cols[2]);
    sched_repr_time(w, "end_time", res, row, cols[3]);
    sched_repr_text(w, "reason", res, row, cols[4]);
    sched_repr_kept(w, res, row, cols[5]);
    sched_jsonw_close(w, '}');
}

void sched_repr_reservation(sched_jsonw_t *w, const PGresult *res, int row,
                            const int *cols)
{
    apr_size_t len;
    const char *status = sched_row_text(res, row, cols[6], &len);

    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_jsonw_int(w, "client", sched_row_int(res, row, cols[1]));
    sched_jsonw_int(w, "slot", sched_row_int(res, row, cols[2]));
    sched_repr_time(w, "created_at", res, row, cols[3]);
    sched_jsonw_bool(w, "confirmed", status && strcmp(status, "confirmed") == 0);
    sched_repr_text(w, "status", res, row, cols[6]);
    sched_repr_time(w, "expires_at", res, row, cols[4]);
    sched_repr_time(w, "confirmed_at", res, row, cols[5]);
    sched_jsonw_close(w, '}');
    (void)len;
}

void sched_repr_calendar_feed_members(sched_jsonw_t *w, const PGresult *res, int row,
                                      const int *cols)
{
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_repr_int(w, "provider", res, row, cols[1]);
    sched_repr_int(w, "client", res, row, cols[2]);
    sched_repr_text(w, "name", res, row, cols[3]);
    sched_repr_time(w, "created_at", res, row, cols[4]);
}

void sched_repr_calendar_feed(sched_jsonw_t *w, const PGresult *res, int row,
                              const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_repr_calendar_feed_members(w, res, row, cols);
    sched_jsonw_close(w, '}');
}

void sched_repr_history(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_repr_time(w, "at", res, row, cols[1]);
    sched_repr_int(w, "actor", res, row, cols[2]);
    sched_repr_text(w, "action", res, row, cols[3]);
    sched_repr_json(w, "changes", res, row, cols[4]);
    sched_jsonw_close(w, '}');
}

void sched_repr_event(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    apr_size_t olen, alen;
    const char *object = sched_row_text(res, row, cols[4], &olen);
    const char *action = sched_row_text(res, row, cols[6], &alen);
    char type[64];

    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    if (object && action && olen + alen + 2 <= sizeof(type)) {
        memcpy(type, object, olen);
        type[olen] = '.';
        memcpy(type + olen + 1, action, alen);
        sched_jsonw_str(w, "type", type, olen + 1 + alen);
    }
    else {
        sched_jsonw_null(w, "type");
    }
    sched_repr_text(w, "object", res, row, cols[4]);
    sched_jsonw_int(w, "object_id", sched_row_int(res, row, cols[5]));
    sched_repr_time(w, "at", res, row, cols[2]);
    sched_repr_int(w, "actor", res, row, cols[3]);
    sched_repr_text(w, "action", res, row, cols[6]);
    sched_repr_json(w, "changes", res, row, cols[7]);
    sched_repr_json(w, "data", res, row, cols[8]);
    sched_jsonw_close(w, '}');
}

void sched_repr_webhook(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_repr_text(w, "url", res, row, cols[1]);
    sched_repr_json(w, "events", res, row, cols[2]);
    sched_jsonw_bool(w, "active", sched_row_bool(res, row, cols[3]));
    sched_repr_time(w, "created_at", res, row, cols[4]);
    if (cols[5] >= 0) {
        sched_repr_text(w, "secret", res, row, cols[5]);
    }
    sched_jsonw_close(w, '}');
}

void sched_repr_attempt(sched_jsonw_t *w, const PGresult *res, int row, const int *cols)
{
    sched_jsonw_open(w, NULL, '{');
    sched_jsonw_int(w, "id", sched_row_int(res, row, cols[0]));
    sched_jsonw_int(w, "event", sched_row_int(res, row, cols[1]));
    sched_jsonw_int(w, "attempt", sched_row_int(res, row, cols[2]));
    sched_repr_time(w, "at", res, row, cols[3]);
    sched_repr_int(w, "status", res, row, cols[4]);
    sched_repr_text(w, "error", res, row, cols[5]);
    sched_repr_time(w, "next_attempt_at", res, row, cols[6]);
    sched_jsonw_close(w, '}');
}
