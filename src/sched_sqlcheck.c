/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* What PostgreSQL says a prepared statement answers, against what its header in
 * sql/statements/ says (and so what the C code reads): used by the module on every
 * prepare and at start-up, and by schedctl check. And the statements that are not
 * prepared, run as they are. libpq only. */
#include <stdio.h>
#include <string.h>

#include "sched_sql.h"

PGresult *sched_sql_exec(PGconn *conn, sched_stmt_e stmt, int nparams,
                         const char *const *params)
{
    PGresult *res = PQexecParams(conn, sched_stmts[stmt].sql, nparams, NULL, params, NULL,
                                 NULL, 0);
    return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

const char *sched_sql_verify(const sched_stmt_t *stmt, const PGresult *described,
                             char *buf, size_t len)
{
    int i, n = PQnfields(described);

    if (n != stmt->ncols) {
        snprintf(buf, len, "%s answers %d columns, its header names %d", stmt->name, n,
                 stmt->ncols);
        return buf;
    }
    for (i = 0; i < n; i++) {
        const char *name = PQfname(described, i);
        if (strcmp(name, stmt->cols[i].name) != 0) {
            snprintf(buf, len, "%s: column %d is \"%s\", its header says \"%s\"",
                     stmt->name, i + 1, name, stmt->cols[i].name);
            return buf;
        }
        if (PQftype(described, i) != stmt->cols[i].type) {
            snprintf(buf, len, "%s: column %s has type oid %u, its header says %s",
                     stmt->name, name, (unsigned)PQftype(described, i),
                     stmt->cols[i].type_name);
            return buf;
        }
    }
    if (PQnparams(described) != stmt->nparams) {
        snprintf(buf, len, "%s takes %d parameters, its header names %d", stmt->name,
                 PQnparams(described), stmt->nparams);
        return buf;
    }
    return NULL;
}
