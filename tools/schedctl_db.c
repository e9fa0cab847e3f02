/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl's connection and statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedctl.h"

/* client_min_messages is warning (sched_ctl_quiet): notices stay quiet, a migration's
 * warnings are shown. */
static void schedctl_notice(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "%s: server says: %s", schedctl_name, message);
}

PGconn *schedctl_connect(schedctl_t *ctl)
{
    const char *keys[] = { "dbname", "fallback_application_name", NULL };
    const char *values[] = { ctl->dsn, "schedctl", NULL };
    PGconn *conn = PQconnectdbParams(keys, values, 1);

    if (conn == NULL) {
        fprintf(stderr, "%s: out of memory\n", schedctl_name);
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "%s: cannot connect to the database: %s", schedctl_name,
                PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, schedctl_notice, NULL);
    PQclear(sched_sql_exec(conn, SCHED_STMT_CTL_QUIET, 0, NULL));
    return conn;
}

/* The 1-based line of the 1-based character position pos in text (UTF-8). */
static int schedctl_line_of(const char *text, long pos)
{
    const unsigned char *p;
    long chars = 0;
    int line = 1;

    for (p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) != 0x80 && ++chars >= pos) {
            break;
        }
        line += *p == '\n';
    }
    return line;
}

void schedctl_report(const char *what, PGconn *conn, const PGresult *res,
                     const char *sql_text)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    const char *position = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;

    if (primary == NULL) {
        fprintf(stderr, "%s: %s failed: %s", schedctl_name, what, PQerrorMessage(conn));
        return;
    }
    fprintf(stderr, "%s: %s failed: SQLSTATE %s: %s", schedctl_name, what,
            state ? state : "?????", primary);
    if (position && sql_text) {
        fprintf(stderr, " (line %d)", schedctl_line_of(sql_text, atol(position)));
    }
    fputc('\n', stderr);
    if (detail) {
        fprintf(stderr, "  detail: %s\n", detail);
    }
    if (hint) {
        fprintf(stderr, "  hint: %s\n", hint);
    }
}

PGresult *schedctl_run(PGconn *conn, sched_stmt_e stmt, int nparams,
                       const char *const *params, const char *what)
{
    PGresult *res = sched_sql_exec(conn, stmt, nparams, params);
    ExecStatusType st = PQresultStatus(res);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        schedctl_report(what, conn, res, NULL);
        PQclear(res);
        return NULL;
    }
    return res;
}

int schedctl_run_ok(PGconn *conn, sched_stmt_e stmt, int nparams,
                    const char *const *params, const char *what)
{
    PGresult *res = schedctl_run(conn, stmt, nparams, params, what);
    PQclear(res);
    return res ? 0 : -1;
}

void schedctl_rollback(PGconn *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        PQclear(sched_sql_exec(conn, SCHED_STMT_ROLLBACK, 0, NULL));
    }
}
