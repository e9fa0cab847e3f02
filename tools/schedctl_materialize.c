/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl materialize: the schedules' horizon moved now, by the statement httpd's
 * background task runs (sched_schedules_extend), a batch at a time until no schedule
 * is behind. */
#include <stdio.h>

#include <apr_strings.h>

#include "schedctl.h"

#define SCHEDCTL_BATCH  "100"
#define SCHEDCTL_ROUNDS 1000        /* batches at most */

int schedctl_materialize(schedctl_t *ctl)
{
    const char *params[1] = { SCHEDCTL_BATCH };
    apr_int64_t schedules = 0, slots = 0, n = 1;
    int round;
    PGconn *conn = schedctl_connect(ctl);
    PGresult *res;

    if (conn == NULL) {
        return SCHEDCTL_FAIL;
    }
    for (round = 0; round < SCHEDCTL_ROUNDS && n > 0; round++) {
        res = schedctl_run(conn, SCHED_STMT_SCHEDULES_EXTEND, 1, params,
                           "extending the schedules");
        if (res == NULL) {
            PQfinish(conn);
            return SCHEDCTL_FAIL;
        }
        n = apr_atoi64(PQgetvalue(res, 0, SCHED_SCHEDULES_EXTEND__SCHEDULES));
        schedules += n;
        slots += apr_atoi64(PQgetvalue(res, 0, SCHED_SCHEDULES_EXTEND__SLOTS));
        PQclear(res);
    }
    PQfinish(conn);
    printf("materialized: %" APR_INT64_T_FMT " schedules extended, %" APR_INT64_T_FMT
           " slots made\n", schedules, slots);
    return SCHEDCTL_OK;
}
