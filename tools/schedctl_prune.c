/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl prune-events: the events older than the retention deleted now, by the
 * statement httpd's background task runs (sched_events_prune), a batch at a time. */
#include <stdio.h>

#include <apr_strings.h>

#include "schedctl.h"
#include "sched_limits.h"
#include "sched_parse.h"

#define SCHEDCTL_PRUNE_BATCH  "10000"
#define SCHEDCTL_PRUNE_ROUNDS 100000    /* batches at most */

int schedctl_prune_events(schedctl_t *ctl)
{
    const char *params[2];
    apr_int64_t seconds, deleted = 0, n = 1;
    const char *err = sched_parse_duration(ctl->keep ? ctl->keep : "90d", 1,
                                           SCHED_RETENTION_MAX, &seconds);
    PGconn *conn;
    PGresult *res;
    int round;

    if (err) {
        fprintf(stderr, "%s: --keep %s\n", schedctl_name, err);
        return SCHEDCTL_USAGE;
    }
    if ((conn = schedctl_connect(ctl)) == NULL) {
        return SCHEDCTL_FAIL;
    }
    params[0] = apr_psprintf(ctl->pool, "%" APR_INT64_T_FMT " seconds", seconds);
    params[1] = SCHEDCTL_PRUNE_BATCH;
    for (round = 0; round < SCHEDCTL_PRUNE_ROUNDS && n > 0; round++) {
        res = schedctl_run(conn, SCHED_STMT_EVENTS_PRUNE, 2, params, "deleting old events");
        if (res == NULL) {
            PQfinish(conn);
            return SCHEDCTL_FAIL;
        }
        n = apr_atoi64(PQgetvalue(res, 0, SCHED_EVENTS_PRUNE__DELETED));
        deleted += n;
        PQclear(res);
    }
    PQfinish(conn);
    printf("events older than %s deleted: %" APR_INT64_T_FMT "\n", params[0], deleted);
    return SCHEDCTL_OK;
}
