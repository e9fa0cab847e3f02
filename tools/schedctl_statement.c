/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl statement NAME, and the statements' part of schedctl check. */
#include <stdio.h>
#include <string.h>

#include "schedctl.h"

int schedctl_statement(const char *name)
{
    int i;
    for (i = 0; i < SCHED_STMT_COUNT; i++) {
        if (strcmp(sched_stmts[i].name, name) == 0) {
            printf("%s\n", sched_stmts[i].sql);
            return SCHEDCTL_OK;
        }
    }
    fprintf(stderr, "%s: no statement named \"%s\"\n", schedctl_name, name);
    return SCHEDCTL_FAIL;
}

/* Prepares one statement as the unnamed statement (nothing is left behind) and
 * checks that it answers the columns its header names. Returns 0 when it does. */
static int schedctl_check_statement(PGconn *conn, const sched_stmt_t *stmt)
{
    char buf[256];
    const char *why;
    PGresult *res = PQprepare(conn, "", stmt->sql, 0, NULL);
    int bad = PQresultStatus(res) != PGRES_COMMAND_OK;

    if (bad) {
        fprintf(stderr, "%s: statement %s does not fit the schema: %s", schedctl_name,
                stmt->name, PQresultErrorMessage(res));
    }
    PQclear(res);
    if (bad) {
        return 1;
    }
    res = PQdescribePrepared(conn, "");
    why = PQresultStatus(res) == PGRES_COMMAND_OK
          ? sched_sql_verify(stmt, res, buf, sizeof(buf)) : PQresultErrorMessage(res);
    if (why) {
        fprintf(stderr, "%s: statement %s does not answer what the module reads: %s\n",
                schedctl_name, stmt->name, why);
    }
    PQclear(res);
    return why != NULL;
}

int schedctl_check_statements(PGconn *conn)
{
    int i, bad = 0, n = 0;

    for (i = 0; i < SCHED_STMT_COUNT; i++) {
        if (!(sched_stmts[i].flags & SCHED_STMT_UNPREPARED)) {
            bad += schedctl_check_statement(conn, &sched_stmts[i]);
            n++;
        }
    }
    if (!bad) {
        printf("statements: all %d of the module prepare and answer what it reads\n", n);
    }
    return bad;
}
