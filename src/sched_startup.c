/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The statements checked against the database when httpd starts: see
 * sched_startup.h. */
#include <apr_strings.h>
#include <http_core.h>
#include <libpq-fe.h>

#include "sched_pool.h"
#include "sched_sql.h"
#include "sched_startup.h"

/* What one statement does on conn: 0 it prepares and answers what its header says,
 * 1 it does not prepare (logged), 2 it answers other columns (logged). */
static int sched_startup_statement(server_rec *s, PGconn *conn, const sched_stmt_t *stmt)
{
    PGresult *res = PQprepare(conn, "", stmt->sql, 0, NULL);
    char buf[256];
    const char *why = NULL;
    int bad = PQresultStatus(res) != PGRES_COMMAND_OK;

    if (bad) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SCHED_LOGNO(00502)
                     "statement %s does not prepare (SQLSTATE %s): is the schema current? "
                     "(schedctl migrate)", stmt->name,
                     PQresultErrorField(res, PG_DIAG_SQLSTATE));
    }
    PQclear(res);
    if (bad) {
        return 1;
    }
    res = PQdescribePrepared(conn, "");
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        why = sched_sql_verify(stmt, res, buf, sizeof(buf));
    }
    PQclear(res);
    if (why) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, SCHED_LOGNO(00503)
                     "statement does not answer what the module reads: %s", why);
        return 2;
    }
    return 0;
}

/* Every statement on the database of params. Returns OK or HTTP_INTERNAL_SERVER_ERROR. */
static int sched_startup_database(server_rec *s, const char *params)
{
    PGconn *conn = PQconnectdb(params);
    int i, outcome, mismatched = 0, unprepared = 0;

    if (PQstatus(conn) != CONNECTION_OK) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, SCHED_LOGNO(00501)
                     "cannot check the statements against the database now (cannot "
                     "connect): requests get 503 until it answers");
        PQfinish(conn);
        return OK;
    }
    for (i = 0; i < SCHED_STMT_COUNT; i++) {
        if (sched_stmts[i].flags & SCHED_STMT_UNPREPARED) {
            continue;   /* SET, ROLLBACK: run as they are, nothing to describe */
        }
        outcome = sched_startup_statement(s, conn, &sched_stmts[i]);
        unprepared += outcome == 1;
        mismatched += outcome == 2;
    }
    PQfinish(conn);
    if (!unprepared && !mismatched) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, SCHED_LOGNO(00504)
                     "every statement prepares and answers what the module reads");
    }
    return mismatched ? HTTP_INTERNAL_SERVER_ERROR : OK;
}

int sched_startup_check(apr_pool_t *ptemp, server_rec *main_server)
{
    server_rec *s;
    int own, rv = OK;
    (void)ptemp;

    for (s = main_server; s && rv == OK; s = s->next) {
        const char *params = sched_pool_params(s, &own);
        if (params && (s == main_server || own)) {
            rv = sched_startup_database(s, params);
        }
    }
    return rv;
}
