/* schedctl: schema migrations and superusers for mod_sched.
 *
 *   schedctl [--dsn DSN] [--sql-dir DIR] migrate   apply pending sql/NNN_name.sql files
 *   schedctl [--dsn DSN] [--sql-dir DIR] check     compare the database with the files,
 *                                                  and prepare every statement of the
 *                                                  module (src/sched_sql.c) against it
 *   schedctl [--dsn DSN] createsuperuser [--username NAME] [--email EMAIL]
 *            [--password-stdin] [--update]         create a superuser (or, with --update,
 *                                                  make an existing user one)
 *   schedctl statement NAME                        print the SQL text of the module's
 *                                                  statement NAME (src/sched_sql.c);
 *                                                  no database needed
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
 *
 * createsuperuser asks on the terminal for what the options do not give: the user
 * name, the email (may be empty) and the password, twice and not echoed. For scripts,
 * --password-stdin reads the password as one line of standard input instead, and
 * --username is then required. The values are checked as the API checks them, and the
 * password is stored as a bcrypt hash (src/sched_crypt.c), the form mod_authn_dbd
 * verifies. A user of that name makes it fail, unless --update is given: then that
 * user gets the new password and becomes an active superuser (its email changes only
 * when --email is given).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <libpq-fe.h>

#include "sched_crypt.h"
#include "sched_sql.h"

#define SCHED_INSTALLED_SQL_DIR "/usr/share/mod_sched/sql"

/* Key of the advisory lock that serializes migrations: "sched" in ASCII. */
#define SCHED_MIGRATION_LOCK "495874974052"

#define SCHED_EXIT_OK    0
#define SCHED_EXIT_FAIL  1
#define SCHED_EXIT_USAGE 2

/* Limits of the API (POST /users/) and of the users table. */
#define SCHED_USERNAME_MAX 150
#define SCHED_PASSWORD_MIN 8
#define SCHED_PASSWORD_MAX 72       /* bytes: bcrypt reads no further */
#define SCHED_EMAIL_MAX    254

#define SCHED_LINE_MAX     1024     /* longest answer read, line end included */
#define SCHED_PROMPT_TRIES 3

typedef struct sched_args_t {
    const char *dsn;
    const char *sql_dir;
    const char *command;
    const char *username;        /* createsuperuser's options */
    const char *email;
    int password_stdin;
    int update;
} sched_args_t;

/* What createsuperuser stores. */
typedef struct sched_superuser_t {
    char username[SCHED_LINE_MAX];
    char email[SCHED_LINE_MAX];
    char password[SCHED_LINE_MAX];
    int set_email;               /* given or typed: an update changes it too */
    int exists;                  /* the user is there already (--update) */
} sched_superuser_t;

/* NULL when the value is fine, else what is wrong with it ("is too long"). */
typedef const char *(*sched_check_fn)(const char *value);

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
            "       %s [--dsn DSN] createsuperuser [--username NAME] [--email EMAIL]\n"
            "                [--password-stdin] [--update]\n"
            "       %s statement NAME\n"
            "\n"
            "  migrate           apply the migrations (DIR/NNN_name.sql) not yet applied\n"
            "  check             report the schema version and any pending migrations;\n"
            "                    exit 1 unless the database matches the files\n"
            "  createsuperuser   create a superuser; asks on the terminal for the name,\n"
            "                    email (may be empty) and password not given below\n"
            "  statement NAME    print the SQL text of the module's statement NAME\n"
            "                    (sched_slots_list, ...); exit 1 when there is none\n"
            "\n"
            "  --dsn DSN         libpq connection string or URI, e.g.\n"
            "                    \"host=127.0.0.1 port=5432 dbname=sched user=sched\";\n"
            "                    default: empty (PGHOST, PGPORT, PGDATABASE, PGUSER apply)\n"
            "  --sql-dir DIR     migrations directory; default: the checkout's sql/,\n"
            "                    else " SCHED_INSTALLED_SQL_DIR "\n"
            "  --username NAME   1 to 150 ASCII letters, digits and @.+-_\n"
            "  --email EMAIL     empty, or local@domain (254 characters at most)\n"
            "  --password-stdin  read the password (8 to 72 bytes) as one line of\n"
            "                    standard input, without asking; needs --username\n"
            "  --update          when the user exists: give it the password and make it\n"
            "                    an active superuser, instead of failing\n",
            progname, progname, progname);
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
static const char *default_sql_dir(apr_pool_t *pool)
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
            return apr_pstrdup(pool, candidate);
        }
    }
    return SCHED_INSTALLED_SQL_DIR;
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

/* Read DIR's migration files, sorted by version, into POOL. Prints why and returns -1
 * when the directory cannot be read, holds none, or holds two files of one version. */
static int list_migrations(apr_pool_t *pool, const char *dir,
                           sched_migration_list_t *list)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    apr_array_header_t *found;
    size_t i;

    if (!d) {
        fprintf(stderr, "%s: cannot read the migrations directory %s: %s\n",
                progname, dir, strerror(errno));
        return -1;
    }
    found = apr_array_make(pool, 16, sizeof(sched_migration_t));
    while ((e = readdir(d)) != NULL) {
        int version = migration_version(e->d_name);
        size_t len = strlen(e->d_name);
        sched_migration_t *m;

        if (version == 0) {
            if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0) {
                fprintf(stderr, "%s: ignoring %s/%s: migrations are named NNN_name.sql"
                        " (NNN from 001 to 999)\n", progname, dir, e->d_name);
            }
            continue;
        }
        m = apr_array_push(found);
        m->version = version;
        m->name = apr_pstrdup(pool, e->d_name);
    }
    closedir(d);
    list->items = (sched_migration_t *)found->elts;
    list->count = (size_t)found->nelts;
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

/* ---- createsuperuser ------------------------------------------------------------ */

static int is_ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static const char *username_problem(const char *s)
{
    size_t len = strlen(s);

    if (len == 0) {
        return "must not be empty";
    }
    if (len > SCHED_USERNAME_MAX) {
        return "is longer than 150 characters";
    }
    for (; *s; s++) {
        if (!is_ascii_alnum(*s) && !strchr("@.+-_", *s)) {
            return "may only contain ASCII letters, digits and @.+-_";
        }
    }
    return NULL;
}

static const char *password_problem(const char *s)
{
    size_t len = strlen(s);

    if (len < SCHED_PASSWORD_MIN) {
        return "is shorter than 8 bytes";
    }
    if (len > SCHED_PASSWORD_MAX) {
        return "is longer than 72 bytes (bcrypt reads no further)";
    }
    return NULL;
}

/* Empty, or local@domain: one @ with something on each side, no space or control
 * character (the check of the API and of the users table). */
static const char *email_problem(const char *s)
{
    const char *at = strchr(s, '@');
    const char *c;

    if (*s == '\0') {
        return NULL;
    }
    if (strlen(s) > SCHED_EMAIL_MAX) {
        return "is longer than 254 characters";
    }
    if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@')) {
        return "is not of the form local@domain";
    }
    for (c = s; *c; c++) {
        if (isspace((unsigned char)*c) || iscntrl((unsigned char)*c)) {
            return "must not contain spaces";
        }
    }
    return NULL;
}

/* One line of IN into BUF, without its line end (\n or \r\n). Returns 0, -1 at the
 * end of the input, -2 when the line does not fit (the rest of it is dropped). */
static int read_line(FILE *in, char *buf, size_t size)
{
    size_t len;
    int c;

    if (!fgets(buf, (int)size, in)) {
        return -1;
    }
    len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n') {
        buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r') {
            buf[--len] = '\0';
        }
        return 0;
    }
    if (feof(in)) {
        return 0;                   /* the last line, with no line end */
    }
    while ((c = getc(in)) != EOF && c != '\n') {
    }
    return -2;
}

/* The terminal's settings while a password is typed, to restore them when a signal
 * ends the program meanwhile. */
static struct termios saved_termios;
static volatile sig_atomic_t echo_is_off;

static void restore_echo(void)
{
    if (echo_is_off) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
        echo_is_off = 0;
    }
}

static void on_fatal_signal(int sig)
{
    restore_echo();
    raise(sig);                     /* SA_RESETHAND: the default action this time */
}

static void catch_fatal_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Print LABEL on stderr and read the answer from the terminal (stdin), not echoed
 * when SECRET. Returns as read_line. */
static int prompt(const char *label, int secret, char *buf, size_t size)
{
    struct termios quiet;
    int rc;

    fputs(label, stderr);
    fflush(stderr);
    if (!secret) {
        return read_line(stdin, buf, size);
    }
    if (tcgetattr(STDIN_FILENO, &saved_termios) != 0) {
        fprintf(stderr, "\n%s: cannot turn off the echo: %s\n", progname,
                strerror(errno));
        return -1;
    }
    quiet = saved_termios;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    echo_is_off = 1;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    rc = read_line(stdin, buf, size);
    restore_echo();
    fputc('\n', stderr);
    return rc;
}

/* Ask for WHAT until the answer passes CHECK, SCHED_PROMPT_TRIES times at most. */
static int ask(const char *what, const char *label, int secret, sched_check_fn check,
               char *buf, size_t size)
{
    const char *problem;
    int i, rc;

    for (i = 0; i < SCHED_PROMPT_TRIES; i++) {
        rc = prompt(label, secret, buf, size);
        if (rc == -1) {
            fprintf(stderr, "\n%s: no %s given\n", progname, what);
            return -1;
        }
        problem = rc == -2 ? "is too long" : check(buf);
        if (!problem) {
            return 0;
        }
        fprintf(stderr, "%s: the %s %s\n", progname, what, problem);
    }
    return -1;
}

static int ask_password(char *password, size_t size)
{
    char again[SCHED_LINE_MAX];
    int i;

    for (i = 0; i < SCHED_PROMPT_TRIES; i++) {
        if (ask("password", "Password: ", 1, password_problem, password, size) != 0) {
            return -1;
        }
        if (prompt("Password (again): ", 1, again, sizeof(again)) == -1) {
            fprintf(stderr, "\n%s: no password given\n", progname);
            return -1;
        }
        if (strcmp(password, again) == 0) {
            return 0;
        }
        fprintf(stderr, "%s: the passwords do not match\n", progname);
    }
    return -1;
}

static int read_password_stdin(char *password, size_t size)
{
    const char *problem;
    int rc = read_line(stdin, password, size);

    if (rc == -1) {
        fprintf(stderr, "%s: no password on standard input\n", progname);
        return -1;
    }
    problem = rc == -2 ? "is too long" : password_problem(password);
    if (problem) {
        fprintf(stderr, "%s: the password %s\n", progname, problem);
        return -1;
    }
    return 0;
}

/* Check VALUE given on the command line and copy it into BUF. */
static int take_given(const char *what, const char *value, sched_check_fn check,
                      char *buf, size_t size)
{
    const char *problem = strlen(value) >= size ? "is too long" : check(value);

    if (problem) {
        fprintf(stderr, "%s: the %s %s\n", progname, what, problem);
        return -1;
    }
    memcpy(buf, value, strlen(value) + 1);
    return 0;
}

static int get_username(const sched_args_t *args, sched_superuser_t *su)
{
    if (args->username) {
        return take_given("username", args->username, username_problem,
                          su->username, sizeof(su->username));
    }
    return ask("username", "Username: ", 0, username_problem,
               su->username, sizeof(su->username));
}

/* Given, else asked for when creating on the terminal, else empty. */
static int get_email(const sched_args_t *args, sched_superuser_t *su)
{
    if (args->email) {
        su->set_email = 1;
        return take_given("email", args->email, email_problem,
                          su->email, sizeof(su->email));
    }
    if (su->exists || args->password_stdin) {
        su->email[0] = '\0';
        return 0;
    }
    su->set_email = 1;
    return ask("email", "Email address (may be empty): ", 0, email_problem,
               su->email, sizeof(su->email));
}

static int get_password(const sched_args_t *args, sched_superuser_t *su)
{
    if (args->password_stdin) {
        return read_password_stdin(su->password, sizeof(su->password));
    }
    return ask_password(su->password, sizeof(su->password));
}

static int is_sqlstate(const PGresult *res, const char *state)
{
    const char *got = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    return got && strcmp(got, state) == 0;
}

/* 1 when a user named USERNAME exists, 0 when not, -1 on failure (reported). */
static int user_exists(PGconn *conn, const char *username)
{
    const char *params[1] = { username };
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM users WHERE username = $1",
                                 1, NULL, params, NULL, NULL, 0);
    int found;

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        report_error("looking up the user", conn, res, NULL);
        if (is_sqlstate(res, "42P01")) {
            fprintf(stderr, "%s: the schema is missing: run `%s migrate` first\n",
                    progname, progname);
        }
        PQclear(res);
        return -1;
    }
    found = PQntuples(res) > 0;
    PQclear(res);
    return found;
}

/* Insert the superuser, or (--update) update the user of that name. */
static int store_superuser(PGconn *conn, const sched_superuser_t *su, const char *hash)
{
    static const char *insert =
        "INSERT INTO users (username, password, email, is_superuser, is_active)"
        " VALUES ($1, $2, $3, true, true)";
    static const char *update =
        "UPDATE users SET password = $2, email = COALESCE($3, email),"
        " is_superuser = true, is_active = true WHERE username = $1";
    const char *params[3] = { su->username, hash, su->email };
    PGresult *res;
    int rc = -1;

    if (su->exists && !su->set_email) {
        params[2] = NULL;
    }
    res = PQexecParams(conn, su->exists ? update : insert, 3, NULL, params, NULL, NULL,
                       0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        report_error(su->exists ? "updating the user" : "creating the user", conn, res,
                     NULL);
    }
    else if (strcmp(PQcmdTuples(res), "1") != 0) {
        fprintf(stderr, "%s: the user \"%s\" is gone: it was deleted meanwhile\n",
                progname, su->username);
    }
    else {
        rc = 0;
    }
    PQclear(res);
    return rc;
}

/* Hash the password (in POOL) and store the user. */
static int hash_and_store(apr_pool_t *pool, PGconn *conn, const sched_superuser_t *su)
{
    apr_status_t rv;
    char *hash = NULL, msg[256];

    rv = sched_crypt_hash(pool, su->password, &hash);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "%s: cannot hash the password: %s\n", progname,
                apr_strerror(rv, msg, sizeof(msg)));
        return -1;
    }
    return store_superuser(conn, su, hash);
}

static int create_superuser(apr_pool_t *pool, PGconn *conn, const sched_args_t *args,
                            sched_superuser_t *su)
{
    int exists = user_exists(conn, su->username);

    if (exists < 0) {
        return SCHED_EXIT_FAIL;
    }
    if (exists && !args->update) {
        fprintf(stderr, "%s: a user named \"%s\" exists already; nothing changed"
                " (--update gives it the new password and makes it an active"
                " superuser)\n", progname, su->username);
        return SCHED_EXIT_FAIL;
    }
    su->exists = exists;
    if (get_email(args, su) != 0 || get_password(args, su) != 0
        || hash_and_store(pool, conn, su) != 0) {
        return SCHED_EXIT_FAIL;
    }
    printf("superuser %s %s\n", su->username, exists ? "updated" : "created");
    return SCHED_EXIT_OK;
}

static int cmd_createsuperuser(apr_pool_t *pool, const sched_args_t *args)
{
    sched_superuser_t su;
    PGconn *conn;
    int rc;

    if (args->password_stdin && !args->username) {
        fprintf(stderr, "%s: --password-stdin needs --username\n", progname);
        return SCHED_EXIT_USAGE;
    }
    if (!args->password_stdin && !isatty(STDIN_FILENO)) {
        fprintf(stderr, "%s: standard input is not a terminal: give the password with"
                " --password-stdin (and the name with --username)\n", progname);
        return SCHED_EXIT_USAGE;
    }
    if (!args->password_stdin) {
        catch_fatal_signals();
    }
    memset(&su, 0, sizeof(su));
    if (get_username(args, &su) != 0) {
        return SCHED_EXIT_FAIL;
    }
    conn = connect_db(args->dsn);
    if (!conn) {
        return SCHED_EXIT_FAIL;
    }
    rc = create_superuser(pool, conn, args, &su);
    PQfinish(conn);
    memset(su.password, 0, sizeof(su.password));
    return rc;
}

/* ---- Command line ----------------------------------------------------------------- */

static int cmd_migrations(apr_pool_t *pool, const sched_args_t *args)
{
    const char *sql_dir = args->sql_dir ? args->sql_dir : default_sql_dir(pool);
    sched_migration_list_t files;
    PGconn *conn;
    int rc;

    if (list_migrations(pool, sql_dir, &files) != 0) {
        return SCHED_EXIT_FAIL;
    }
    conn = connect_db(args->dsn);
    if (!conn) {
        return SCHED_EXIT_FAIL;
    }
    if (strcmp(args->command, "migrate") == 0) {
        rc = cmd_migrate(conn, sql_dir, &files);
    }
    else {
        rc = cmd_check(conn, sql_dir, &files);
    }
    PQfinish(conn);
    return rc;
}

/* statement NAME: the SQL text the module prepares under NAME, as it is sent. */
static int cmd_statement(const char *name)
{
    int i;

    for (i = 0; i < SCHED_STMT_COUNT; i++) {
        if (strcmp(sched_stmts[i].name, name) == 0) {
            printf("%s\n", sched_stmts[i].sql);
            return SCHED_EXIT_OK;
        }
    }
    fprintf(stderr, "%s: no statement named \"%s\"\n", progname, name);
    return SCHED_EXIT_FAIL;
}

/* Returns -1 when the command is known and its options fit it, else the exit code. */
static int check_command(const sched_args_t *args)
{
    int create = strcmp(args->command, "createsuperuser") == 0;

    if (!create && strcmp(args->command, "migrate") != 0
        && strcmp(args->command, "check") != 0) {
        fprintf(stderr, "%s: unknown command \"%s\"\n", progname, args->command);
        usage(stderr);
        return SCHED_EXIT_USAGE;
    }
    if (!create && (args->username || args->email || args->password_stdin
                    || args->update)) {
        fprintf(stderr, "%s: --username, --email, --password-stdin and --update go with"
                " createsuperuser only\n", progname);
        return SCHED_EXIT_USAGE;
    }
    return -1;
}

enum {
    OPT_USERNAME = 256,
    OPT_EMAIL,
    OPT_PASSWORD_STDIN,
    OPT_UPDATE
};

/* Store option OPT of getopt_long; returns -1, or the exit code after --help (0) or
 * an unknown option. */
static int take_option(int opt, sched_args_t *args)
{
    switch (opt) {
    case 'd':
        args->dsn = optarg;
        break;
    case 's':
        args->sql_dir = optarg;
        break;
    case OPT_USERNAME:
        args->username = optarg;
        break;
    case OPT_EMAIL:
        args->email = optarg;
        break;
    case OPT_PASSWORD_STDIN:
        args->password_stdin = 1;
        break;
    case OPT_UPDATE:
        args->update = 1;
        break;
    case 'h':
        usage(stdout);
        return SCHED_EXIT_OK;
    default:
        usage(stderr);
        return SCHED_EXIT_USAGE;
    }
    return -1;
}

/* Returns -1 to go on with ARGS filled in, else the exit code (after --help: 0). */
static int parse_args(int argc, char **argv, sched_args_t *args)
{
    static const struct option options[] = {
        { "dsn",            required_argument, NULL, 'd' },
        { "sql-dir",        required_argument, NULL, 's' },
        { "username",       required_argument, NULL, OPT_USERNAME },
        { "email",          required_argument, NULL, OPT_EMAIL },
        { "password-stdin", no_argument,       NULL, OPT_PASSWORD_STDIN },
        { "update",         no_argument,       NULL, OPT_UPDATE },
        { "help",           no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "d:s:h", options, NULL)) != -1) {
        rc = take_option(opt, args);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return SCHED_EXIT_USAGE;
    }
    args->command = argv[optind];
    return check_command(args);
}

int main(int argc, char **argv)
{
    sched_args_t args;
    apr_pool_t *pool;
    int rc;

    if (argc >= 2 && strcmp(argv[1], "statement") == 0) {
        if (argc != 3) {
            usage(stderr);
            return SCHED_EXIT_USAGE;
        }
        return cmd_statement(argv[2]);
    }
    memset(&args, 0, sizeof(args));
    args.dsn = "";
    rc = parse_args(argc, argv, &args);
    if (rc >= 0) {
        return rc;
    }
    /* What the commands allocate lives in one pool, gone before the exit. */
    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fprintf(stderr, "%s: cannot initialize APR\n", progname);
        return SCHED_EXIT_FAIL;
    }
    if (strcmp(args.command, "createsuperuser") == 0) {
        rc = cmd_createsuperuser(pool, &args);
    }
    else {
        rc = cmd_migrations(pool, &args);
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
