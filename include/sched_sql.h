/* Every SQL statement of the module, by name. Each is prepared once per pooled
 * connection (on first use) and run with PQexecPrepared; parameters are typed by
 * casts in the SQL text and never pasted into it. */
#ifndef SCHED_SQL_H
#define SCHED_SQL_H

typedef enum sched_stmt_e {
    SCHED_STMT_HEALTH = 0,
    SCHED_STMT_AUTH_PASSWORD,
    SCHED_STMT_USERS_LIST,
    SCHED_STMT_USERS_GET,
    SCHED_STMT_USERS_ME,
    SCHED_STMT_USERS_CREATE,
    SCHED_STMT_USERS_UPDATE,
    SCHED_STMT_USERS_DELETE,
    SCHED_STMT_CLIENTS_LIST,
    SCHED_STMT_CLIENTS_GET,
    SCHED_STMT_CLIENTS_CREATE,
    SCHED_STMT_CLIENTS_UPDATE,
    SCHED_STMT_CLIENTS_DELETE,
    SCHED_STMT_PROVIDERS_LIST,
    SCHED_STMT_PROVIDERS_GET,
    SCHED_STMT_PROVIDERS_CREATE,
    SCHED_STMT_PROVIDERS_UPDATE,
    SCHED_STMT_PROVIDERS_DELETE,
    SCHED_STMT_TIME_RESOLVE,
    SCHED_STMT_SLOTS_CREATE,
    SCHED_STMT_SLOTS_LIST,
    SCHED_STMT_SLOTS_LIST_PROVIDER,
    SCHED_STMT_SLOTS_GET,
    SCHED_STMT_SLOTS_UPDATE,
    SCHED_STMT_SLOTS_DELETE,
    SCHED_STMT_RESERVATIONS_KEY,
    SCHED_STMT_RESERVATIONS_CREATE,
    SCHED_STMT_RESERVATIONS_LIST,
    SCHED_STMT_RESERVATIONS_GET,
    SCHED_STMT_RESERVATIONS_MOVE,
    SCHED_STMT_RESERVATIONS_CONFIRM,
    SCHED_STMT_RESERVATIONS_CANCEL,
    SCHED_STMT_RESERVATIONS_DELETE,
    SCHED_STMT_COUNT
} sched_stmt_e;

/* The statement takes the caller first: $1 user name (NULL: anonymous), $2 whether
 * SchedOpenAccess is on. sched_db_exec passes them; callers pass the rest. */
#define SCHED_STMT_PRINCIPAL          (1 << 0)
/* An exclusion violation may come from a concurrent twin of this request: run once
 * more, when it may find its work done. */
#define SCHED_STMT_RERUN_ON_EXCLUSION (1 << 1)
/* It changes nothing (or nothing that running it twice would change twice): when
 * the connection is lost while it runs, it runs again on a fresh one. */
#define SCHED_STMT_RETRY_SAFE         (1 << 2)

typedef struct sched_stmt_t {
    const char *name;           /* sched_<resource>_<action> */
    const char *sql;
    int flags;                  /* SCHED_STMT_* */
} sched_stmt_t;

extern const sched_stmt_t sched_stmts[SCHED_STMT_COUNT];

#endif
