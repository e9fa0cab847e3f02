/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl migrate and check: the numbered files of sql/ against the versions the
 * database records in sched_migrations.
 *
 * Each migration runs in its own transaction together with the row that records it,
 * under a transaction-scoped advisory lock (sched_ctl_lock): two migrate runs at
 * once apply every file exactly once. A migration file must therefore not contain
 * transaction control (BEGIN, COMMIT) or statements that cannot run inside a
 * transaction block (CREATE INDEX CONCURRENTLY, VACUUM). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "schedctl.h"

typedef struct schedctl_migration_t {
    int version;
    const char *name;           /* the file's name: 001_users.sql */
} schedctl_migration_t;

/* NNN_name.sql: the version NNN (1 to 999), or 0 when the name is not of that form. */
static int schedctl_version(const char *name)
{
    apr_size_t len = strlen(name);

    if (len < 3 + 1 + 1 + 4 || !apr_isdigit(name[0]) || !apr_isdigit(name[1])
        || !apr_isdigit(name[2]) || name[3] != '_' || strcmp(name + len - 4, ".sql") != 0) {
        return 0;
    }
    return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
}

/* The checkout's sql/ (for a binary in CHECKOUT/tools/), else the installed one. */
static const char *schedctl_sql_dir(apr_pool_t *p)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    apr_finfo_t info;
    char *dir;

    if (n > 0) {
        exe[n] = '\0';
        dir = apr_pstrdup(p, exe);
        *strrchr(dir, '/') = '\0';                  /* CHECKOUT/tools */
        if (strrchr(dir, '/')) {
            *strrchr(dir, '/') = '\0';              /* CHECKOUT */
            dir = apr_pstrcat(p, dir, "/sql", NULL);
            if (apr_stat(&info, dir, APR_FINFO_TYPE, p) == APR_SUCCESS
                && info.filetype == APR_DIR) {
                return dir;
            }
        }
    }
    return SCHEDCTL_INSTALLED_SQL_DIR;
}

static int schedctl_by_version(const void *a, const void *b)
{
    const schedctl_migration_t *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

/* The migrations of dir, sorted by version; NULL after saying why when the folder
 * cannot be read, holds none, or holds two of one version. */
static apr_array_header_t *schedctl_list(apr_pool_t *p, const char *dir)
{
    apr_array_header_t *list = apr_array_make(p, 16, sizeof(schedctl_migration_t));
    apr_dir_t *d;
    apr_finfo_t e;
    schedctl_migration_t *m;
    int i;

    if (apr_dir_open(&d, dir, p) != APR_SUCCESS) {
        fprintf(stderr, "%s: cannot read the migrations directory %s\n", schedctl_name, dir);
        return NULL;
    }
    while (apr_dir_read(&e, APR_FINFO_NAME, d) == APR_SUCCESS) {
        int version = schedctl_version(e.name);
        apr_size_t len = strlen(e.name);
        if (version == 0 && len > 4 && strcmp(e.name + len - 4, ".sql") == 0) {
            fprintf(stderr, "%s: ignoring %s/%s: migrations are named NNN_name.sql"
                    " (NNN from 001 to 999)\n", schedctl_name, dir, e.name);
        }
        if (version) {
            m = apr_array_push(list);
            m->version = version;
            m->name = apr_pstrdup(p, e.name);
        }
    }
    apr_dir_close(d);
    if (list->nelts == 0) {
        fprintf(stderr, "%s: no migrations (NNN_name.sql) in %s\n", schedctl_name, dir);
        return NULL;
    }
    qsort(list->elts, (size_t)list->nelts, sizeof(*m), schedctl_by_version);
    m = (schedctl_migration_t *)list->elts;
    for (i = 1; i < list->nelts; i++) {
        if (m[i].version == m[i - 1].version) {
            fprintf(stderr, "%s: two migrations with version %03d in %s: %s and %s\n",
                    schedctl_name, m[i].version, dir, m[i - 1].name, m[i].name);
            return NULL;
        }
    }
    return list;
}

/* A migration's text; NULL after saying why (unreadable, or with a NUL byte). */
static char *schedctl_read(apr_pool_t *p, const char *dir, const char *name)
{
    const char *path = apr_pstrcat(p, dir, "/", name, NULL);
    apr_file_t *f;
    apr_finfo_t info;
    apr_size_t got;
    char *text;

    if (apr_file_open(&f, path, APR_FOPEN_READ, 0, p) != APR_SUCCESS
        || apr_file_info_get(&info, APR_FINFO_SIZE, f) != APR_SUCCESS) {
        fprintf(stderr, "%s: cannot read %s\n", schedctl_name, path);
        return NULL;
    }
    text = apr_palloc(p, (apr_size_t)info.size + 1);
    if (apr_file_read_full(f, text, (apr_size_t)info.size, &got) != APR_SUCCESS
        && got != (apr_size_t)info.size) {
        fprintf(stderr, "%s: cannot read %s\n", schedctl_name, path);
        apr_file_close(f);
        return NULL;
    }
    apr_file_close(f);
    text[got] = '\0';
    if (strlen(text) != got) {
        fprintf(stderr, "%s: %s contains a NUL byte\n", schedctl_name, path);
        return NULL;
    }
    return text;
}

/* The versions recorded, ascending (0 rows when nothing was ever applied); NULL
 * after reporting a failure. */
static PGresult *schedctl_applied(PGconn *conn)
{
    PGresult *res = schedctl_run(conn, SCHED_STMT_CTL_MIGRATIONS_EXIST, 0, NULL,
                                 "reading the schema version");
    int present;

    if (res == NULL) {
        return NULL;
    }
    present = strcmp(PQgetvalue(res, 0, SCHED_CTL_MIGRATIONS_EXIST__PRESENT), "t") == 0;
    PQclear(res);
    if (!present) {
        return PQmakeEmptyPGresult(conn, PGRES_TUPLES_OK);
    }
    return schedctl_run(conn, SCHED_STMT_CTL_MIGRATIONS_LIST, 0, NULL,
                        "reading the schema version");
}

static int schedctl_recorded(const PGresult *applied, int version)
{
    int i;
    for (i = 0; i < PQntuples(applied); i++) {
        if (atoi(PQgetvalue(applied, i, SCHED_CTL_MIGRATIONS_LIST__VERSION)) == version) {
            return 1;
        }
    }
    return 0;
}

static int schedctl_newest(const PGresult *applied)
{
    int n = PQntuples(applied);
    return n ? atoi(PQgetvalue(applied, n - 1, SCHED_CTL_MIGRATIONS_LIST__VERSION)) : 0;
}

/* Says which recorded versions have no file; returns how many. */
static int schedctl_unknown(const PGresult *applied, const apr_array_header_t *files,
                            const char *dir, const char *severity)
{
    const schedctl_migration_t *m = (const schedctl_migration_t *)files->elts;
    int i, j, unknown = 0;

    for (i = 0; i < PQntuples(applied); i++) {
        int version = atoi(PQgetvalue(applied, i, SCHED_CTL_MIGRATIONS_LIST__VERSION));
        for (j = 0; j < files->nelts && m[j].version != version; j++) {
        }
        if (j == files->nelts) {
            fprintf(stderr, "%s: %s: the database has migration %03d (%s), which is not"
                    " in %s\n", schedctl_name, severity, version,
                    PQgetvalue(applied, i, SCHED_CTL_MIGRATIONS_LIST__NAME), dir);
            unknown++;
        }
    }
    return unknown;
}

/* A transaction holding the migration lock: 0, or -1 after reporting. */
static int schedctl_begin_locked(PGconn *conn)
{
    if (schedctl_run_ok(conn, SCHED_STMT_CTL_BEGIN, 0, NULL, "starting a transaction")
        || schedctl_run_ok(conn, SCHED_STMT_CTL_LOCK, 0, NULL,
                           "waiting for the migration lock")) {
        schedctl_rollback(conn);
        return -1;
    }
    return 0;
}

static int schedctl_ensure_table(PGconn *conn)
{
    const char *what = "creating the table sched_migrations";
    if (schedctl_begin_locked(conn) != 0) {
        return -1;
    }
    if (schedctl_run_ok(conn, SCHED_STMT_CTL_MIGRATIONS_CREATE, 0, NULL, what)
        || schedctl_run_ok(conn, SCHED_STMT_CTL_COMMIT, 0, NULL, what)) {
        schedctl_rollback(conn);
        return -1;
    }
    return 0;
}

/* Runs a migration's text in the open transaction: 0, or -1 after reporting. */
static int schedctl_run_text(PGconn *conn, const schedctl_migration_t *m, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        schedctl_report(m->name, conn, res, sql);
        PQclear(res);
        fprintf(stderr, "%s: %s was rolled back; nothing of it was applied\n",
                schedctl_name, m->name);
        return -1;
    }
    PQclear(res);
    if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
        fprintf(stderr, "%s: %s ended the migration's transaction: a migration must not"
                " contain BEGIN, COMMIT or ROLLBACK; what ran before that stays in the"
                " database and the migration is not recorded: repair by hand\n",
                schedctl_name, m->name);
        return -1;
    }
    return 0;
}

/* Applies one migration in its own transaction: 1 applied, 0 another run applied it
 * meanwhile, -1 failed (reported). */
static int schedctl_apply(apr_pool_t *p, PGconn *conn, const char *dir,
                          const schedctl_migration_t *m)
{
    const char *params[2] = { apr_itoa(p, m->version), m->name };
    PGresult *res;
    char *sql;
    int recorded;

    if (schedctl_begin_locked(conn) != 0) {
        return -1;
    }
    /* Read again under the lock: a concurrent run may have applied it. */
    res = schedctl_run(conn, SCHED_STMT_CTL_MIGRATION_RECORDED, 1, params,
                       "reading the schema version");
    recorded = res && PQntuples(res) > 0;
    PQclear(res);
    if (res == NULL || recorded) {
        schedctl_rollback(conn);
        return res ? 0 : -1;
    }
    if ((sql = schedctl_read(p, dir, m->name)) == NULL
        || schedctl_run_text(conn, m, sql) != 0
        || schedctl_run_ok(conn, SCHED_STMT_CTL_MIGRATION_RECORD, 2, params, m->name)
        || schedctl_run_ok(conn, SCHED_STMT_CTL_COMMIT, 0, NULL, m->name)) {
        schedctl_rollback(conn);
        return -1;
    }
    return 1;
}

/* Applies the files not recorded; returns how many, or -1. */
static int schedctl_apply_all(apr_pool_t *p, PGconn *conn, const char *dir,
                              const apr_array_header_t *files, const PGresult *applied)
{
    const schedctl_migration_t *m = (const schedctl_migration_t *)files->elts;
    int i, rc, count = 0;

    for (i = 0; i < files->nelts; i++) {
        if (schedctl_recorded(applied, m[i].version)) {
            continue;
        }
        if ((rc = schedctl_apply(p, conn, dir, &m[i])) < 0) {
            return -1;
        }
        if (rc > 0) {
            printf("applied %s\n", m[i].name);
            fflush(stdout);
            count++;
        }
    }
    return count;
}

static int schedctl_migrate_on(schedctl_t *ctl, PGconn *conn, const char *dir,
                               const apr_array_header_t *files)
{
    PGresult *applied;
    int count, version;

    if (schedctl_ensure_table(conn) != 0 || (applied = schedctl_applied(conn)) == NULL) {
        return SCHEDCTL_FAIL;
    }
    count = schedctl_apply_all(ctl->pool, conn, dir, files, applied);
    PQclear(applied);
    if (count < 0 || (applied = schedctl_applied(conn)) == NULL) {
        return SCHEDCTL_FAIL;
    }
    schedctl_unknown(applied, files, dir, "warning");
    version = schedctl_newest(applied);
    PQclear(applied);
    if (count == 0) {
        printf("schema is current (version %d)\n", version);
    }
    else {
        printf("schema is now at version %d (%d migration%s applied)\n", version, count,
               count == 1 ? "" : "s");
    }
    return SCHEDCTL_OK;
}

/* Says which files are not applied yet; returns how many. */
static int schedctl_pending(const PGresult *applied, const apr_array_header_t *files)
{
    const schedctl_migration_t *m = (const schedctl_migration_t *)files->elts;
    int i, pending = 0;

    for (i = 0; i < files->nelts; i++) {
        if (!schedctl_recorded(applied, m[i].version)) {
            printf("pending:    %s\n", m[i].name);
            pending++;
        }
    }
    return pending;
}

static int schedctl_check_on(PGconn *conn, const char *dir, const apr_array_header_t *files)
{
    const schedctl_migration_t *m = (const schedctl_migration_t *)files->elts;
    PGresult *applied = schedctl_applied(conn);
    int pending, unknown, version, bad;

    if (applied == NULL) {
        return SCHEDCTL_FAIL;
    }
    version = schedctl_newest(applied);
    if (PQntuples(applied)) {
        printf("database:   schema version %d\n", version);
    }
    else {
        printf("database:   no migrations applied yet\n");
    }
    printf("migrations: newest is version %d, in %s\n", m[files->nelts - 1].version, dir);
    pending = schedctl_pending(applied, files);
    unknown = schedctl_unknown(applied, files, dir, "error");
    PQclear(applied);
    if (pending) {
        fprintf(stderr, "%s: %d migration%s pending: run `%s migrate`\n", schedctl_name,
                pending, pending == 1 ? " is" : "s are", schedctl_name);
    }
    if (unknown) {
        fprintf(stderr, "%s: the database is newer than these migrations: use the"
                " migrations of the version that created it\n", schedctl_name);
    }
    bad = schedctl_check_statements(conn);
    if (pending || unknown || bad) {
        return SCHEDCTL_FAIL;
    }
    printf("ok: schema version %d\n", version);
    return SCHEDCTL_OK;
}

/* migrate or check: the files, then the database. */
static int schedctl_migrations(schedctl_t *ctl, int migrate)
{
    const char *dir = ctl->sql_dir ? ctl->sql_dir : schedctl_sql_dir(ctl->pool);
    apr_array_header_t *files = schedctl_list(ctl->pool, dir);
    PGconn *conn;
    int rc;

    if (files == NULL || (conn = schedctl_connect(ctl)) == NULL) {
        return SCHEDCTL_FAIL;
    }
    rc = migrate ? schedctl_migrate_on(ctl, conn, dir, files)
                 : schedctl_check_on(conn, dir, files);
    PQfinish(conn);
    return rc;
}

int schedctl_migrate(schedctl_t *ctl)
{
    return schedctl_migrations(ctl, 1);
}

int schedctl_check(schedctl_t *ctl)
{
    return schedctl_migrations(ctl, 0);
}
