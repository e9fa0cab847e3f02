/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl: schema migrations, checks and superusers for mod_sched.
 *
 *   schedctl [--dsn DSN] [--sql-dir DIR] migrate   apply pending sql/NNN_name.sql files
 *   schedctl [--dsn DSN] [--sql-dir DIR] check     compare the database with the files,
 *                                                  and prepare every statement of the
 *                                                  module (sql/statements/) against it,
 *                                                  checking the columns each answers
 *   schedctl [--dsn DSN] createsuperuser [--username NAME] [--email EMAIL]
 *            [--password-stdin] [--update]         create a superuser (or, with --update,
 *                                                  make an existing user one)
 *   schedctl [--dsn DSN] materialize               move every schedule's horizon now, as
 *                                                  httpd's background task does hourly
 *   schedctl [--dsn DSN] prune-events [--keep D]   delete the events older than D (90d),
 *                                                  as httpd's background task does
 *   schedctl statement NAME                        print the SQL text of the module's
 *                                                  statement NAME (as embedded from
 *                                                  sql/statements/NAME.sql); no
 *                                                  database needed
 *
 * DSN is a libpq connection string or URI; empty (the default) means libpq's own
 * defaults and environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, ...).
 * The migrations directory defaults to the sql/ folder of the checkout the binary
 * was built in (tools/schedctl -> sql/), else /usr/share/mod-sched/sql. */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_getopt.h>

#include "schedctl.h"

const char *const schedctl_name = "schedctl";

enum { OPT_DSN = 256, OPT_SQL_DIR, OPT_USERNAME, OPT_EMAIL, OPT_PASSWORD_STDIN,
       OPT_UPDATE, OPT_KEEP, OPT_HELP };

static const apr_getopt_option_t schedctl_options[] = {
    { "dsn",            OPT_DSN,            1, "libpq connection string or URI" },
    { "sql-dir",        OPT_SQL_DIR,        1, "migrations directory" },
    { "username",       OPT_USERNAME,       1, "createsuperuser: the user name" },
    { "email",          OPT_EMAIL,          1, "createsuperuser: the email" },
    { "password-stdin", OPT_PASSWORD_STDIN, 0, "createsuperuser: password from stdin" },
    { "update",         OPT_UPDATE,         0, "createsuperuser: update an existing user" },
    { "keep",           OPT_KEEP,           1, "prune-events: how long events are kept" },
    { "help",           OPT_HELP,           0, "this text" },
    { NULL, 0, 0, NULL }
};

static void schedctl_usage(FILE *out)
{
    fprintf(out,
            "usage: %s [--dsn DSN] [--sql-dir DIR] migrate|check\n"
            "       %s [--dsn DSN] createsuperuser [--username NAME] [--email EMAIL]\n"
            "                [--password-stdin] [--update]\n"
            "       %s [--dsn DSN] materialize\n"
            "       %s [--dsn DSN] prune-events [--keep DURATION]\n"
            "       %s statement NAME\n"
            "\n"
            "  migrate           apply the migrations (DIR/NNN_name.sql) not yet applied\n"
            "  check             report the schema version and any pending migrations,\n"
            "                    and check every statement of the module against the\n"
            "                    database; exit 1 unless the database matches\n"
            "  createsuperuser   create a superuser; asks on the terminal for the name,\n"
            "                    email (may be empty) and password not given below\n"
            "  materialize       make the slots of every schedule up to its horizon now\n"
            "                    (httpd's background task does it every hour)\n"
            "  prune-events      delete the events (history, feed) older than --keep\n"
            "                    (httpd's background task does it, by SchedEventRetention)\n"
            "  statement NAME    print the SQL text of the module's statement NAME\n"
            "                    (sched_slots_list, ...); exit 1 when there is none\n"
            "\n"
            "  --dsn DSN         libpq connection string or URI, e.g.\n"
            "                    \"host=127.0.0.1 port=5432 dbname=sched user=sched\";\n"
            "                    default: empty (PGHOST, PGPORT, PGDATABASE, PGUSER apply)\n"
            "  --sql-dir DIR     migrations directory; default: the checkout's sql/,\n"
            "                    else " SCHEDCTL_INSTALLED_SQL_DIR "\n"
            "  --username NAME   1 to 150 ASCII letters, digits and @.+-_\n"
            "  --email EMAIL     empty, or local@domain (254 characters at most)\n"
            "  --password-stdin  read the password (8 to 72 bytes) as one line of\n"
            "                    standard input, without asking; needs --username\n"
            "  --update          when the user exists: give it the password and make it\n"
            "                    an active superuser, instead of failing\n"
            "  --keep DURATION   30d, 12h, ... (s, m, h, d); default 90d\n",
            schedctl_name, schedctl_name, schedctl_name, schedctl_name, schedctl_name);
}

/* Stores one option; -1 to go on, else the exit code (--help: 0). */
static int schedctl_option(schedctl_t *ctl, int opt, const char *arg)
{
    switch (opt) {
    case OPT_DSN: ctl->dsn = arg; break;
    case OPT_SQL_DIR: ctl->sql_dir = arg; break;
    case OPT_USERNAME: ctl->username = arg; break;
    case OPT_EMAIL: ctl->email = arg; break;
    case OPT_PASSWORD_STDIN: ctl->password_stdin = 1; break;
    case OPT_UPDATE: ctl->update = 1; break;
    case OPT_KEEP: ctl->keep = arg; break;
    default:
        schedctl_usage(stdout);
        return SCHEDCTL_OK;
    }
    return -1;
}

/* The command and its options fit: -1, else the exit code. */
static int schedctl_command_ok(const schedctl_t *ctl)
{
    int create = strcmp(ctl->command, "createsuperuser") == 0;
    int prune = strcmp(ctl->command, "prune-events") == 0;

    if (!create && !prune && strcmp(ctl->command, "migrate") != 0
        && strcmp(ctl->command, "check") != 0 && strcmp(ctl->command, "materialize") != 0) {
        fprintf(stderr, "%s: unknown command \"%s\"\n", schedctl_name, ctl->command);
        schedctl_usage(stderr);
        return SCHEDCTL_USAGE;
    }
    if (!create && (ctl->username || ctl->email || ctl->password_stdin || ctl->update)) {
        fprintf(stderr, "%s: --username, --email, --password-stdin and --update go with"
                " createsuperuser only\n", schedctl_name);
        return SCHEDCTL_USAGE;
    }
    if (!prune && ctl->keep) {
        fprintf(stderr, "%s: --keep goes with prune-events only\n", schedctl_name);
        return SCHEDCTL_USAGE;
    }
    return -1;
}

/* -1 to go on with ctl filled in, else the exit code. */
static int schedctl_parse(schedctl_t *ctl, int argc, const char *const *argv)
{
    apr_getopt_t *opts;
    const char *arg;
    apr_status_t rv;
    int opt, rc;

    apr_getopt_init(&opts, ctl->pool, argc, argv);
    opts->errfn = NULL;         /* say it our way */
    opts->interleave = 1;       /* options after the command too */
    while ((rv = apr_getopt_long(opts, schedctl_options, &opt, &arg)) == APR_SUCCESS) {
        if ((rc = schedctl_option(ctl, opt, arg)) >= 0) {
            return rc;
        }
    }
    if (rv != APR_EOF || opts->ind != argc - 1) {
        schedctl_usage(stderr);
        return SCHEDCTL_USAGE;
    }
    ctl->command = opts->argv[opts->ind];   /* argv permuted: the command last */
    return schedctl_command_ok(ctl);
}

static int schedctl_run_command(schedctl_t *ctl, int argc, const char *const *argv)
{
    int rc;

    if (argc >= 2 && strcmp(argv[1], "statement") == 0) {
        if (argc != 3) {
            schedctl_usage(stderr);
            return SCHEDCTL_USAGE;
        }
        return schedctl_statement(argv[2]);
    }
    if ((rc = schedctl_parse(ctl, argc, argv)) >= 0) {
        return rc;
    }
    if (strcmp(ctl->command, "createsuperuser") == 0) {
        return schedctl_createsuperuser(ctl);
    }
    if (strcmp(ctl->command, "materialize") == 0) {
        return schedctl_materialize(ctl);
    }
    if (strcmp(ctl->command, "prune-events") == 0) {
        return schedctl_prune_events(ctl);
    }
    return strcmp(ctl->command, "migrate") == 0 ? schedctl_migrate(ctl)
                                                 : schedctl_check(ctl);
}

int main(int argc, const char *const *argv)
{
    schedctl_t ctl;
    int rc;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS) {
        fprintf(stderr, "%s: cannot initialize APR\n", schedctl_name);
        return SCHEDCTL_FAIL;
    }
    memset(&ctl, 0, sizeof(ctl));
    ctl.dsn = "";
    if (apr_pool_create(&ctl.pool, NULL) != APR_SUCCESS) {
        fprintf(stderr, "%s: out of memory\n", schedctl_name);
        apr_terminate();
        return SCHEDCTL_FAIL;
    }
    rc = schedctl_run_command(&ctl, argc, argv);
    apr_pool_destroy(ctl.pool);
    apr_terminate();
    return rc;
}
