/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* What a PostgreSQL error means for the client (src/sched_sqlstate.c). */
#include <apr_general.h>
#include <string.h>

#include "tap.h"
#include "sched_sqlstate.h"

static void kind(const char *sqlstate, const char *constraint,
                 sched_sqlstate_kind_e want, int status, const char *name)
{
    sched_sqlstate_answer_t a = sched_sqlstate_classify(sqlstate, constraint);
    ok(a.kind == want && a.status == status, "%s: kind %d status %d", name, a.kind,
       a.status);
    ok(a.message && *a.message, "%s: a message", name);
}

static void field(const char *constraint, int status, const char *f)
{
    sched_sqlstate_answer_t a = sched_sqlstate_classify("23505", constraint);
    ok(a.kind == SCHED_SQLSTATE_ANSWER && a.status == status
       && a.field && strcmp(a.field, f) == 0, "%s: %d on %s", constraint, status, f);
}

int main(void)
{
    apr_initialize();

    /* The connection and the server. */
    kind(NULL, NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "no SQLSTATE (connection lost)");
    kind("08006", NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "08006 connection failure");
    kind("08000", NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "08000 connection exception");
    kind("57P01", NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "57P01 admin shutdown");
    kind("57P02", NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "57P02 crash shutdown");
    kind("57P03", NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "57P03 cannot connect now");
    kind("57014", NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "57014 statement timeout");
    kind("53300", NULL, SCHED_SQLSTATE_UNAVAILABLE, 503, "53300 too many connections");
    /* Run again. */
    kind("40001", NULL, SCHED_SQLSTATE_RETRY, 503, "40001 serialization failure");
    kind("40P01", NULL, SCHED_SQLSTATE_RETRY, 503, "40P01 deadlock");
    kind("26000", NULL, SCHED_SQLSTATE_REPREPARE, 500, "26000 no such prepared statement");
    /* Constraints by name first, then by class. */
    field("users_username_key", 409, "username");
    field("users_username_check", 400, "username");
    field("users_email_check", 400, "email");
    field("clients_user_key", 409, "user");
    field("clients_user_fkey", 400, "user");
    field("providers_user_fkey", 400, "user");
    field("slots_overlap", 409, "start_time");
    field("slots_time_check", 400, "end_time");
    field("reservations_slot_taken", 409, "slot");
    field("reservations_client_busy", 409, "slot");
    field("reservations_slot_fkey", 400, "slot");
    field("calendar_feeds_provider_fkey", 400, "provider");
    field("calendar_feeds_client_fkey", 400, "client");
    field("calendar_feeds_owner_check", 400, "provider");
    field("calendar_feeds_name_check", 400, "name");
    kind("23514", "clients_reserved", SCHED_SQLSTATE_ANSWER, 409, "a named guard");
    kind("23505", "some_other_key", SCHED_SQLSTATE_ANSWER, 409, "an unknown unique key");
    kind("23P01", NULL, SCHED_SQLSTATE_ANSWER, 409, "an unknown exclusion");
    kind("23503", "some_fkey", SCHED_SQLSTATE_ANSWER, 409, "an unknown foreign key");
    kind("23514", "some_check", SCHED_SQLSTATE_ANSWER, 400, "an unknown check");
    kind("22007", NULL, SCHED_SQLSTATE_ANSWER, 400, "22007 invalid datetime");
    kind("22P02", NULL, SCHED_SQLSTATE_ANSWER, 400, "22P02 invalid text");
    /* Anything else is a bug. */
    kind("42P01", NULL, SCHED_SQLSTATE_BUG, 500, "42P01 undefined table");
    kind("42883", NULL, SCHED_SQLSTATE_BUG, 500, "42883 undefined function");
    kind("XX000", NULL, SCHED_SQLSTATE_BUG, 500, "XX000 internal error");
    kind("", NULL, SCHED_SQLSTATE_BUG, 500, "an empty SQLSTATE");

    apr_terminate();
    done_testing();
    return exit_status();
}
