/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Times from the client, in bodies and query strings. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_row.h"
#include "sched_time.h"
#include "sched_timein.h"

int sched_timein_resolve(void *ctx, const sched_time_t *t, apr_int64_t *usec)
{
    sched_req_t *req = ctx;
    const char *params[2];
    PGresult *res;
    int rv;

    params[0] = sched_time_format_naive(req->r->pool, t);
    params[1] = req->conf->naive_tz;
    if ((rv = sched_db_exec(req->r, SCHED_STMT_TIME_RESOLVE, 2, params, &res)) != OK) {
        return rv;
    }
    *usec = sched_row_int(res, 0, SCHED_TIME_RESOLVE__USEC);
    return OK;
}

/* Parses text; sets *reason when it is not a time. Returns OK or DONE. */
static int sched_timein_parse(sched_req_t *req, const char *text, const char **reason,
                              apr_int64_t *usec)
{
    sched_time_t t;

    *reason = sched_time_parse_rfc3339(text, req->conf->naive_tz != NULL, &t);
    if (*reason || t.has_offset) {
        *usec = t.epoch_usec;
        return OK;
    }
    return sched_timein_resolve(req, &t, usec);
}

int sched_timein_query(sched_req_t *req, const char *name, int *present,
                       apr_int64_t *usec)
{
    const char *text, *reason;
    int rv = sched_query_get(req, name, &text);

    *present = 0;
    if (rv != OK || text == NULL) {
        return rv;
    }
    if ((rv = sched_timein_parse(req, text, &reason, usec)) != OK) {
        return rv;
    }
    if (reason) {
        return sched_problem(req->r, HTTP_BAD_REQUEST,
                             apr_psprintf(req->r->pool, "query parameter %s: %s",
                                          name, reason), NULL);
    }
    *present = 1;
    return OK;
}
