/* schedctl: schema migrations for mod_sched.
 *
 *   schedctl [--dsn DSN] [--sql-dir DIR] migrate   apply pending sql/NNN_name.sql files
 *   schedctl [--dsn DSN] [--sql-dir DIR] check     compare the database with the files,
 *                                                  and prepare every statement of the
 *                                                  module (src/sched_sql.c) against it
 *
 * DSN is a libpq connection string or URI; empty (the default) means libpq's own
 * defaults and environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, ...).
 *
 * The migrations directory defaults to the sql/ folder of the checkout the binary
 * was built in (tools/schedctl -> sql/), else /usr/share/mod_sched/sql.
 *
 * Each migration runs in its own transaction together with the row that records it
 * in sched_migrations, under a transaction-scoped advisory lock: two migrate runs
 * at once apply every file exactly once. A migration file must therefore not contain
 * transaction control (BEGIN, COMMIT) or statements that cannot run inside a
 * transaction block (CREATE INDEX CONCURRENTLY, VACUUM).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "sched_sql.h"

#define SCHED_INSTALLED_SQL_DIR "/usr/share/mod_sched/sql"

/* Key of the advisory lock that serializes migrations: "sched" in ASCII. */
#define SCHED_MIGRATION_LOCK "495874974052"

#define SCHED_EXIT_OK    0
#define SCHED_EXIT_FAIL  1
#define SCHED_EXIT_USAGE 2

typedef struct sched_migration_t {
    int version;
    char *name;                  /* file name, e.g. 001_users.sql */
} sched_migration_t;

typedef struct sched_migration_list_t {
    sched_migration_t *items;
    size_t count;
} sched_migration_list_t;

static const char *progname = "schedctl";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [--dsn DSN] [--sql-dir DIR] migrate|check\n"
            "\n"
            "  migrate        apply the migrations (DIR/NNN_name.sql) not yet applied\n"
            "  check          report the schema version and any pending migrations;\n"
            "                 exit 1 unless the database matches the files\n"
            "\n"
            "  --dsn DSN      libpq connection string or URI, e.g.\n"
            "                 \"host=127.0.0.1 port=5432 dbname=sched user=sched\";\n"
            "                 default: empty (PGHOST, PGPORT, PGDATABASE, PGUSER apply)\n"
            "  --sql-dir DIR  migrations directory; default: the checkout's sql/,\n"
            "                 else " SCHED_INSTALLED_SQL_DIR "\n",
            progname);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p) {
        fprintf(stderr, "%s: out of memory\n", progname);
        exit(SCHED_EXIT_FAIL);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(xmalloc(n), s, n);
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Strip the last path component in place ("/a/b/c" -> "/a/b"). */
static void strip_last(char *path)
{
    char *slash = strrchr(path, '/');

    if (slash == path) {
        path[1] = '\0';
    }
    else if (slash) {
        *slash = '\0';
    }
}

/* The checkout's sql/ (binary in CHECKOUT/tools/), else the installed directory. */
static char *default_sql_dir(void)
{
    char exe[PATH_MAX];
    char candidate[PATH_MAX + 8];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    if (n > 0) {
        exe[n] = '\0';
        strip_last(exe);            /* CHECKOUT/tools */
        strip_last(exe);            /* CHECKOUT */
        snprintf(candidate, sizeof(candidate), "%s%ssql",
                 exe, exe[strlen(exe) - 1] == '/' ? "" : "/");
        if (is_dir(candidate)) {
            return xstrdup(candidate);
        }
    }
    return xstrdup(SCHED_INSTALLED_SQL_DIR);
}

/* NNN_name.sql: three digits, an underscore, a non-empty name. Returns the version
 * or 0 when the name does not follow the pattern. */
static int migration_version(const char *name)
{
    size_t len = strlen(name);

    if (len < 3 + 1 + 1 + 4
        || !isdigit((unsigned char)name[0]) || !isdigit((unsigned char)name[1])
        || !isdigit((unsigned char)name[2]) || name[3] != '_'
        || strcmp(name + len - 4, ".sql") != 0) {
        return 0;
    }
    return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
}

static int compare_migrations(const void *a, const void *b)
{
    const sched_migration_t *x = a, *y = b;

    return (x->version > y->version) - (x->version < y->version);
}

/* Read DIR's migration files, sorted by version. Prints why and returns -1 when the
 * directory cannot be read, holds none, or holds two files of one version. */
static int list_migrations(const char *dir, sched_migration_list_t *list)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 16, i;

    if (!d) {
        fprintf(stderr, "%s: cannot read the migrations directory %s: %s\n",
                progname, dir, strerror(errno));
        return -1;
    }
    list->items = xmalloc(cap * sizeof(*list->items));
    list->count = 0;
    while ((e = readdir(d)) != NULL) {
        int version = migration_version(e->d_name);
        size_t len = strlen(e->d_name);

        if (version == 0) {
            if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0) {
                fprintf(stderr, "%s: ignoring %s/%s: migrations are named NNN_name.sql"
                        " (NNN from 001 to 999)\n", progname, dir, e->d_name);
            }
            continue;
        }
        if (list->count == cap) {
            sched_migration_t *bigger = xmalloc(2 * cap * sizeof(*bigger));

            memcpy(bigger, list->items, cap * sizeof(*bigger));
            free(list->items);
            list->items = bigger;
            cap *= 2;
        }
        list->items[list->count].version = version;
        list->items[list->count].name = xstrdup(e->d_name);
        list->count++;
    }
    closedir(d);
    if (list->count == 0) {
        fprintf(stderr, "%s: no migrations (NNN_name.sql) in %s\n", progname, dir);
        return -1;
    }
    qsort(list->items, list->count, sizeof(*list->items), compare_migrations);
    for (i = 1; i < list->count; i++) {
        if (list->items[i].version == list->items[i - 1].version) {
            fprintf(stderr, "%s: two migrations with version %03d in %s: %s and %s\n",
                    progname, list->items[i].version, dir,
                    list->items[i - 1].name, list->items[i].name);
            return -1;
        }
    }
    return 0;
}

static char *read_file(const char *dir, const char *name)
{
    char path[PATH_MAX * 2];
    FILE *f;
    char *buf;
    long size;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s: %s\n", progname, path, strerror(errno));
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "%s: cannot read %s: %s\n", progname, path, strerror(errno));
        fclose(f);
        return NULL;
    }
    buf = xmalloc((size_t)size + 1);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: cannot read %s\n", progname, path);
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    fclose(f);
    if (strlen(buf) != (size_t)size) {
        fprintf(stderr, "%s: %s contains a NUL byte\n", progname, path);
        free(buf);
        return NULL;
    }
    return buf;
}

/* client_min_messages is warning: notices such as "already exists, skipping" stay
 * quiet, warnings from a migration are shown. */
static void notice_processor(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "%s: server says: %s", progname, message);
}

static PGconn *connect_db(const char *dsn)
{
    const char *keys[] = { "dbname", "fallback_application_name", NULL };
    const char *values[] = { dsn, "schedctl", NULL };
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    PGresult *res;

    if (!conn) {
        fprintf(stderr, "%s: out of memory\n", progname);
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "%s: cannot connect to the database: %s", progname,
                PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, notice_processor, NULL);
    res = PQexec(conn, "SET client_min_messages = warning");
    PQclear(res);
    return conn;
}

/* 1-based line of the 1-based character position POS in TEXT (UTF-8). */
static int line_of_position(const char *text, long pos)
{
    int line = 1;
    long chars = 0;
    const unsigned char *p;

    for (p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) != 0x80 && ++chars >= pos) {
            break;
        }
        if (*p == '\n') {
            line++;
        }
    }
    return line;
}

/* Print a failed statement's SQLSTATE and message; SQL_TEXT (may be NULL) is the
 * text that ran, to turn the error position into a line number. */
static void report_error(const char *what, PGconn *conn, const PGresult *res,
                         const char *sql_text)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    const char *position = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;

    if (!primary) {
        fprintf(stderr, "%s: %s failed: %s", progname, what, PQerrorMessage(conn));
        return;
    }
    fprintf(stderr, "%s: %s failed: SQLSTATE %s: %s", progname, what,
            state ? state : "?????", primary);
    if (position && sql_text) {
        fprintf(stderr, " (line %d)", line_of_position(sql_text, atol(position)));
    }
    fputc('\n', stderr);
    if (detail) {
        fprintf(stderr, "  detail: %s\n", detail);
    }
    if (hint) {
        fprintf(stderr, "  hint: %s\n", hint);
    }
}

/* Run SQL expecting success (a command or rows). Returns the result or NULL after
 * reporting the failure as WHAT. */
static PGresult *run(PGconn *conn, const char *sql, const char *what)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        report_error(what, conn, res, NULL);
        PQclear(res);
        return NULL;
    }
    return res;
}

static int run_ok(PGconn *conn, const char *sql, const char *what)
{
    PGresult *res = run(conn, sql, what);

    PQclear(res);
    return res ? 0 : -1;
}

static void rollback(PGconn *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        PQclear(PQexec(conn, "ROLLBACK"));
    }
}

/* Begin a transaction holding the migration lock. */
static int begin_locked(PGconn *conn)
{
    if (run_ok(conn, "BEGIN", "starting a transaction") != 0) {
        return -1;
    }
    if (run_ok(conn, "SELECT pg_advisory_xact_lock(" SCHED_MIGRATION_LOCK ")",
               "waiting for the migration lock") != 0) {
        rollback(conn);
        return -1;
    }
    return 0;
}

static int ensure_migrations_table(PGconn *conn)
{
    if (begin_locked(conn) != 0) {
        return -1;
    }
    if (run_ok(conn,
               "CREATE TABLE IF NOT EXISTS sched_migrations ("
               " version integer PRIMARY KEY,"
               " name text NOT NULL,"
               " applied_at timestamptz NOT NULL DEFAULT now())",
               "creating the table sched_migrations") != 0
        || run_ok(conn, "COMMIT", "creating the table sched_migrations") != 0) {
        rollback(conn);
        return -1;
    }
    return 0;
}

/* The recorded versions, ascending; *out is NULL when the table does not exist yet. */
static int applied_versions(PGconn *conn, PGresult **out)
{
    PGresult *res;
    int exists;

    *out = NULL;
    res = run(conn, "SELECT to_regclass('sched_migrations') IS NOT NULL",
              "reading the schema version");
    if (!res) {
        return -1;
    }
    exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!exists) {
        return 0;
    }
    *out = run(conn, "SELECT version, name FROM sched_migrations ORDER BY version",
               "reading the schema version");
    return *out ? 0 : -1;
}

static int is_recorded(const PGresult *applied, int version)
{
    int i, n = applied ? PQntuples(applied) : 0;

    for (i = 0; i < n; i++) {
        if (atoi(PQgetvalue(applied, i, 0)) == version) {
            return 1;
        }
    }
    return 0;
}

static int has_file(const sched_migration_list_t *files, int version)
{
    size_t i;

    for (i = 0; i < files->count; i++) {
        if (files->items[i].version == version) {
            return 1;
        }
    }
    return 0;
}

static int newest_applied(const PGresult *applied)
{
    int n = applied ? PQntuples(applied) : 0;

    return n ? atoi(PQgetvalue(applied, n - 1, 0)) : 0;
}

/* Report recorded versions with no file. Returns how many there are. */
static int report_unknown(const PGresult *applied, const sched_migration_list_t *files,
                          const char *dir, const char *severity)
{
    int i, n = applied ? PQntuples(applied) : 0, unknown = 0;

    for (i = 0; i < n; i++) {
        int version = atoi(PQgetvalue(applied, i, 0));

        if (!has_file(files, version)) {
            fprintf(stderr, "%s: %s: the database has migration %03d (%s), which is not"
                    " in %s\n", progname, severity, version, PQgetvalue(applied, i, 1),
                    dir);
            unknown++;
        }
    }
    return unknown;
}

/* Apply one migration file in its own transaction. Returns 1 when applied, 0 when
 * another run applied it meanwhile, -1 on failure (reported). */
static int apply_one(PGconn *conn, const char *dir, const sched_migration_t *m)
{
    char version[16];
    const char *params[2];
    PGresult *res;
    char *sql;
    int recorded;

    if (begin_locked(conn) != 0) {
        return -1;
    }
    /* Re-read under the lock: a concurrent run may have applied it. */
    snprintf(version, sizeof(version), "%d", m->version);
    params[0] = version;
    params[1] = m->name;
    res = PQexecParams(conn, "SELECT 1 FROM sched_migrations WHERE version = $1::int4",
                       1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        report_error("reading the schema version", conn, res, NULL);
        PQclear(res);
        rollback(conn);
        return -1;
    }
    recorded = PQntuples(res) > 0;
    PQclear(res);
    if (recorded) {
        rollback(conn);
        return 0;
    }

    sql = read_file(dir, m->name);
    if (!sql) {
        rollback(conn);
        return -1;
    }
    res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK
        && PQresultStatus(res) != PGRES_EMPTY_QUERY) {
        report_error(m->name, conn, res, sql);
        PQclear(res);
        free(sql);
        rollback(conn);
        fprintf(stderr, "%s: %s was rolled back; nothing of it was applied\n",
                progname, m->name);
        return -1;
    }
    PQclear(res);
    free(sql);
    if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
        fprintf(stderr, "%s: %s ended the migration's transaction: a migration must not"
                " contain BEGIN, COMMIT or ROLLBACK; what ran before that stays in the"
                " database and the migration is not recorded: repair by hand\n",
                progname, m->name);
        rollback(conn);
        return -1;
    }

    res = PQexecParams(conn,
                       "INSERT INTO sched_migrations (version, name) VALUES ($1::int4, $2)",
                       2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        report_error(m->name, conn, res, NULL);
        PQclear(res);
        rollback(conn);
        return -1;
    }
    PQclear(res);
    res = PQexec(conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        report_error(m->name, conn, res, NULL);
        PQclear(res);
        rollback(conn);
        return -1;
    }
    PQclear(res);
    return 1;
}

static int cmd_migrate(PGconn *conn, const char *dir, const sched_migration_list_t *files)
{
    PGresult *applied;
    size_t i;
    int count = 0, version;

    if (ensure_migrations_table(conn) != 0 || applied_versions(conn, &applied) != 0) {
        return SCHED_EXIT_FAIL;
    }
    for (i = 0; i < files->count; i++) {
        const sched_migration_t *m = &files->items[i];
        int rc;

        if (is_recorded(applied, m->version)) {
            continue;
        }
        rc = apply_one(conn, dir, m);
        if (rc < 0) {
            PQclear(applied);
            return SCHED_EXIT_FAIL;
        }
        if (rc > 0) {
            printf("applied %s\n", m->name);
            fflush(stdout);
            count++;
        }
    }
    PQclear(applied);

    if (applied_versions(conn, &applied) != 0) {
        return SCHED_EXIT_FAIL;
    }
    report_unknown(applied, files, dir, "warning");
    version = newest_applied(applied);
    PQclear(applied);
    if (count == 0) {
        printf("schema is current (version %d)\n", version);
    }
    else {
        printf("schema is now at version %d (%d migration%s applied)\n",
               version, count, count == 1 ? "" : "s");
    }
    return SCHED_EXIT_OK;
}

/* Prepares every statement the module runs (as the unnamed statement, so nothing is
 * left behind): a statement that no longer fits the schema is found here rather than
 * by the first request that needs it. Returns the number that failed. */
static int check_statements(PGconn *conn)
{
    int i, bad = 0;
    for (i = 0; i < SCHED_STMT_COUNT; i++) {
        PGresult *res = PQprepare(conn, "", sched_stmts[i].sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            fprintf(stderr, "%s: statement %s does not fit the schema: %s", progname,
                    sched_stmts[i].name, PQresultErrorMessage(res));
            bad++;
        }
        PQclear(res);
    }
    if (!bad) {
        printf("statements: all %d of the module prepare\n", SCHED_STMT_COUNT);
    }
    return bad;
}

static int cmd_check(PGconn *conn, const char *dir, const sched_migration_list_t *files)
{
    PGresult *applied;
    size_t i;
    int pending = 0, unknown, version, bad;
    int newest_file = files->items[files->count - 1].version;

    if (applied_versions(conn, &applied) != 0) {
        return SCHED_EXIT_FAIL;
    }
    version = newest_applied(applied);
    if (applied) {
        printf("database:   schema version %d\n", version);
    }
    else {
        printf("database:   no migrations applied yet\n");
    }
    printf("migrations: newest is version %d, in %s\n", newest_file, dir);
    for (i = 0; i < files->count; i++) {
        if (!is_recorded(applied, files->items[i].version)) {
            printf("pending:    %s\n", files->items[i].name);
            pending++;
        }
    }
    unknown = report_unknown(applied, files, dir, "error");
    PQclear(applied);

    if (pending) {
        fprintf(stderr, "%s: %d migration%s pending: run `%s migrate`\n", progname,
                pending, pending == 1 ? " is" : "s are", progname);
    }
    if (unknown) {
        fprintf(stderr, "%s: the database is newer than these migrations: use the"
                " migrations of the version that created it\n", progname);
    }
    bad = check_statements(conn);
    if (pending || unknown || bad) {
        return SCHED_EXIT_FAIL;
    }
    printf("ok: schema version %d\n", version);
    return SCHED_EXIT_OK;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "dsn",     required_argument, NULL, 'd' },
        { "sql-dir", required_argument, NULL, 's' },
        { "help",    no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *dsn = "";
    char *sql_dir = NULL;
    const char *command;
    sched_migration_list_t files;
    PGconn *conn;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "d:s:h", options, NULL)) != -1) {
        switch (opt) {
        case 'd':
            dsn = optarg;
            break;
        case 's':
            free(sql_dir);
            sql_dir = xstrdup(optarg);
            break;
        case 'h':
            usage(stdout);
            return SCHED_EXIT_OK;
        default:
            usage(stderr);
            return SCHED_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return SCHED_EXIT_USAGE;
    }
    command = argv[optind];
    if (strcmp(command, "migrate") != 0 && strcmp(command, "check") != 0) {
        fprintf(stderr, "%s: unknown command \"%s\"\n", progname, command);
        usage(stderr);
        return SCHED_EXIT_USAGE;
    }
    if (!sql_dir) {
        sql_dir = default_sql_dir();
    }
    if (list_migrations(sql_dir, &files) != 0) {
        return SCHED_EXIT_FAIL;
    }
    conn = connect_db(dsn);
    if (!conn) {
        return SCHED_EXIT_FAIL;
    }
    if (strcmp(command, "migrate") == 0) {
        rc = cmd_migrate(conn, sql_dir, &files);
    }
    else {
        rc = cmd_check(conn, sql_dir, &files);
    }
    PQfinish(conn);
    return rc;
}
