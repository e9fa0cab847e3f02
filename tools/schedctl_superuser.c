/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* schedctl createsuperuser: asks on the terminal for what the options do not give
 * (the user name, the email, which may be empty, and the password, twice and not
 * echoed); for scripts, --password-stdin reads the password as one line of standard
 * input instead, and --username is then required. The values are checked as the
 * API checks them (sched_limits.h), and the password is stored as a bcrypt hash
 * (src/sched_crypt.c). A user of that name makes it fail, unless --update is given:
 * then that user gets the new password and becomes an active superuser (its email
 * changes only when --email is given). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>

#include "schedctl.h"
#include "sched_crypt.h"
#include "sched_limits.h"

#define SCHEDCTL_LINE_MAX    1024
#define SCHEDCTL_PROMPT_TRIES 3

/* NULL when the value is fine, else what is wrong with it. */
typedef const char *(*schedctl_check_fn)(const char *value);

typedef struct schedctl_user_t {
    const char *username, *email, *password;
    int set_email;              /* given or typed: an update changes it too */
    int exists;                 /* the user is there already (--update) */
} schedctl_user_t;

static const char *schedctl_username_problem(const char *s)
{
    return sched_rules_username_ok(s) ? NULL : "may only contain " SCHED_RULES_USERNAME;
}

static const char *schedctl_password_problem(const char *s)
{
    if (strlen(s) < SCHED_PASSWORD_MIN) {
        return "is shorter than " SCHED_STR(SCHED_PASSWORD_MIN) " bytes";
    }
    if (strlen(s) > SCHED_PASSWORD_MAX) {
        return "is longer than " SCHED_STR(SCHED_PASSWORD_MAX) " bytes (bcrypt reads "
               "no further)";
    }
    return NULL;
}

static const char *schedctl_email_problem(const char *s)
{
    return sched_rules_email_ok(s) ? NULL : "is not of the form local@domain (at most "
           SCHED_STR(SCHED_EMAIL_MAX) " characters, no spaces)";
}

/* Asks for what until the answer passes check, SCHEDCTL_PROMPT_TRIES times at most. */
static const char *schedctl_ask(apr_pool_t *p, const char *what, const char *label,
                                int secret, schedctl_check_fn check)
{
    const char *problem;
    char *line;
    int i, rc;

    for (i = 0; i < SCHEDCTL_PROMPT_TRIES; i++) {
        if ((rc = schedctl_prompt(p, label, secret, SCHEDCTL_LINE_MAX, &line)) == -1) {
            fprintf(stderr, "\n%s: no %s given\n", schedctl_name, what);
            return NULL;
        }
        problem = rc == -2 ? "is too long" : check(line);
        if (problem == NULL) {
            return line;
        }
        fprintf(stderr, "%s: the %s %s\n", schedctl_name, what, problem);
    }
    return NULL;
}

static const char *schedctl_ask_password(apr_pool_t *p)
{
    const char *password;
    char *again;
    int i;

    for (i = 0; i < SCHEDCTL_PROMPT_TRIES; i++) {
        password = schedctl_ask(p, "password", "Password: ", 1, schedctl_password_problem);
        if (password == NULL) {
            return NULL;
        }
        if (schedctl_prompt(p, "Password (again): ", 1, SCHEDCTL_LINE_MAX, &again) == -1) {
            fprintf(stderr, "\n%s: no password given\n", schedctl_name);
            return NULL;
        }
        if (strcmp(password, again) == 0) {
            return password;
        }
        fprintf(stderr, "%s: the passwords do not match\n", schedctl_name);
    }
    return NULL;
}

static const char *schedctl_password_stdin(apr_pool_t *p)
{
    const char *problem;
    char *line;
    int rc = schedctl_read_line(p, SCHEDCTL_LINE_MAX, &line);

    if (rc == -1) {
        fprintf(stderr, "%s: no password on standard input\n", schedctl_name);
        return NULL;
    }
    problem = rc == -2 ? "is too long" : schedctl_password_problem(line);
    if (problem) {
        fprintf(stderr, "%s: the password %s\n", schedctl_name, problem);
        return NULL;
    }
    return line;
}

/* A value given on the command line, checked. */
static const char *schedctl_given(const char *what, const char *value,
                                  schedctl_check_fn check)
{
    const char *problem = check(value);
    if (problem) {
        fprintf(stderr, "%s: the %s %s\n", schedctl_name, what, problem);
        return NULL;
    }
    return value;
}

/* Given, else asked for when creating on the terminal, else empty. */
static int schedctl_email(schedctl_t *ctl, schedctl_user_t *u)
{
    if (ctl->email) {
        u->set_email = 1;
        u->email = schedctl_given("email", ctl->email, schedctl_email_problem);
        return u->email ? 0 : -1;
    }
    if (u->exists || ctl->password_stdin) {
        u->email = "";
        return 0;
    }
    u->set_email = 1;
    u->email = schedctl_ask(ctl->pool, "email", "Email address (may be empty): ", 0,
                            schedctl_email_problem);
    return u->email ? 0 : -1;
}

/* 1 when the user exists, 0 when not, -1 after reporting a failure. */
static int schedctl_user_exists(PGconn *conn, const char *username)
{
    const char *params[1] = { username };
    PGresult *res = sched_sql_exec(conn, SCHED_STMT_CTL_USER_EXISTS, 1, params);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    int found = PQntuples(res) > 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        schedctl_report("looking up the user", conn, res, NULL);
        if (state && strcmp(state, "42P01") == 0) {
            fprintf(stderr, "%s: the schema is missing: run `%s migrate` first\n",
                    schedctl_name, schedctl_name);
        }
        found = -1;
    }
    PQclear(res);
    return found;
}

/* Hashes the password and inserts the superuser, or (--update) updates the user. */
static int schedctl_store(schedctl_t *ctl, PGconn *conn, const schedctl_user_t *u)
{
    const char *params[3] = { u->username, NULL, u->exists && !u->set_email ? NULL : u->email };
    char *hash, msg[256];
    apr_status_t rv = sched_crypt_hash(ctl->pool, u->password, &hash);
    PGresult *res;
    int rc = -1;

    if (rv != APR_SUCCESS) {
        fprintf(stderr, "%s: cannot hash the password: %s\n", schedctl_name,
                apr_strerror(rv, msg, sizeof(msg)));
        return -1;
    }
    params[1] = hash;
    res = schedctl_run(conn, u->exists ? SCHED_STMT_CTL_SUPERUSER_UPDATE
                                       : SCHED_STMT_CTL_SUPERUSER_CREATE, 3, params,
                       u->exists ? "updating the user" : "creating the user");
    if (res && strcmp(PQcmdTuples(res), "1") != 0) {
        fprintf(stderr, "%s: the user \"%s\" is gone: it was deleted meanwhile\n",
                schedctl_name, u->username);
    }
    else if (res) {
        rc = 0;
    }
    PQclear(res);
    return rc;
}

static int schedctl_superuser_on(schedctl_t *ctl, PGconn *conn, schedctl_user_t *u)
{
    int exists = schedctl_user_exists(conn, u->username);

    if (exists < 0) {
        return SCHEDCTL_FAIL;
    }
    if (exists && !ctl->update) {
        fprintf(stderr, "%s: a user named \"%s\" exists already; nothing changed"
                " (--update gives it the new password and makes it an active"
                " superuser)\n", schedctl_name, u->username);
        return SCHEDCTL_FAIL;
    }
    u->exists = exists;
    if (schedctl_email(ctl, u) != 0) {
        return SCHEDCTL_FAIL;
    }
    u->password = ctl->password_stdin ? schedctl_password_stdin(ctl->pool)
                                      : schedctl_ask_password(ctl->pool);
    if (u->password == NULL || schedctl_store(ctl, conn, u) != 0) {
        return SCHEDCTL_FAIL;
    }
    printf("superuser %s %s\n", u->username, exists ? "updated" : "created");
    return SCHEDCTL_OK;
}

int schedctl_createsuperuser(schedctl_t *ctl)
{
    schedctl_user_t u;
    PGconn *conn;
    int rc;

    if (ctl->password_stdin && !ctl->username) {
        fprintf(stderr, "%s: --password-stdin needs --username\n", schedctl_name);
        return SCHEDCTL_USAGE;
    }
    if (!ctl->password_stdin && !isatty(STDIN_FILENO)) {
        fprintf(stderr, "%s: standard input is not a terminal: give the password with"
                " --password-stdin (and the name with --username)\n", schedctl_name);
        return SCHEDCTL_USAGE;
    }
    memset(&u, 0, sizeof(u));
    u.username = ctl->username
                 ? schedctl_given("username", ctl->username, schedctl_username_problem)
                 : schedctl_ask(ctl->pool, "username", "Username: ", 0,
                                schedctl_username_problem);
    if (u.username == NULL || (conn = schedctl_connect(ctl)) == NULL) {
        return SCHEDCTL_FAIL;
    }
    rc = schedctl_superuser_on(ctl, conn, &u);
    PQfinish(conn);
    if (u.password) {
        memset((char *)u.password, 0, strlen(u.password));
    }
    return rc;
}
