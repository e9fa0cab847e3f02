/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The JSON of each resource: see sched_repr.h. */
#include <string.h>

#include "sched_repr.h"
#include "sched_row.h"

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
    sched_jsonw_bool(w, "available", sched_row_bool(res, row, cols[4]));
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
