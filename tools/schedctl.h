/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl: migrations, checks and superusers for mod_sched. One file per command
 * (schedctl_migrate.c, schedctl_superuser.c, schedctl_statement.c), the database and
 * the terminal in two more (schedctl_db.c, schedctl_prompt.c), and the command line
 * in schedctl_main.c. Everything lives in one APR pool; the SQL is the statement
 * files of sql/statements/ (sched_ctl_*), embedded as the module's are. */
#ifndef SCHEDCTL_H
#define SCHEDCTL_H

#include <apr_pools.h>
#include <libpq-fe.h>

#include "sched_sql.h"

#define SCHEDCTL_OK    0
#define SCHEDCTL_FAIL  1
#define SCHEDCTL_USAGE 2

/* The installed migrations: the Makefile passes $(SHAREDIR)/sql. */
#ifndef SCHEDCTL_INSTALLED_SQL_DIR
#define SCHEDCTL_INSTALLED_SQL_DIR "/usr/share/mod-sched/sql"
#endif

typedef struct schedctl_t {
    apr_pool_t *pool;
    const char *dsn;            /* libpq connection string; "" for libpq's defaults */
    const char *sql_dir;        /* NULL: the checkout's sql/, else the installed one */
    const char *command;
    const char *username;       /* createsuperuser's options */
    const char *email;
    int password_stdin;
    int update;
    const char *keep;           /* prune-events' --keep */
} schedctl_t;

extern const char *const schedctl_name;

/* ---- schedctl_db.c ---- */

/* A connection to ctl->dsn, quiet about notices; NULL after saying why. */
PGconn *schedctl_connect(schedctl_t *ctl);

/* Runs stmt (a sched_ctl_* or other unprepared statement); the result, or NULL after
 * reporting the failure as what. */
PGresult *schedctl_run(PGconn *conn, sched_stmt_e stmt, int nparams,
                       const char *const *params, const char *what);

/* The same, for a command: 0, or -1 after reporting. */
int schedctl_run_ok(PGconn *conn, sched_stmt_e stmt, int nparams,
                    const char *const *params, const char *what);

/* Reports a failed statement: SQLSTATE, message, detail, hint, and the line of the
 * error in sql_text when given. */
void schedctl_report(const char *what, PGconn *conn, const PGresult *res,
                     const char *sql_text);

/* Rolls back a transaction left open. */
void schedctl_rollback(PGconn *conn);

/* ---- the commands ---- */

int schedctl_migrate(schedctl_t *ctl);
int schedctl_check(schedctl_t *ctl);
int schedctl_createsuperuser(schedctl_t *ctl);
int schedctl_statement(const char *name);
int schedctl_materialize(schedctl_t *ctl);

/* ---- schedctl_prune.c ---- */

/* prune-events: delete the events older than --keep (default 90d). */
int schedctl_prune_events(schedctl_t *ctl);

/* Prepares every statement of the module that is prepared, and checks what each
 * answers; returns how many failed (schedctl_statement.c). */
int schedctl_check_statements(PGconn *conn);

/* ---- schedctl_prompt.c ---- */

/* One line of standard input into *line (without its line end), at most max bytes.
 * Returns 0, -1 at the end of the input, -2 when the line is longer. */
int schedctl_read_line(apr_pool_t *p, apr_size_t max, char **line);

/* Prints label on standard error and reads the answer; a secret one from the
 * terminal, not echoed. Returns as schedctl_read_line. */
int schedctl_prompt(apr_pool_t *p, const char *label, int secret, apr_size_t max,
                    char **line);

#endif
