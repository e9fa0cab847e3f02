/* The statement table. Lists fetch limit + 1 rows (the extra row tells that a next
 * page exists) and return (cursor, json) pairs; PostgreSQL builds the JSON text. */
#include "sched_sql.h"

/* Clients and providers are the same shape: a role record pointing at a user. */
#define SCHED_ROLE_STMTS(table) \
    { "sched_" #table "_list", \
      "SELECT id, sched_" #table "_json(t) FROM " #table " t" \
      " WHERE id > coalesce($1::int8, 0) AND ($2::int8 IS NULL OR user_id = $2::int8)" \
      " ORDER BY id LIMIT $3::int8" }, \
    { "sched_" #table "_get", \
      "SELECT sched_" #table "_json(t) FROM " #table " t WHERE id = $1::int8" }, \
    { "sched_" #table "_create", \
      "INSERT INTO " #table " AS t (user_id) VALUES ($1::int8)" \
      " RETURNING id, sched_" #table "_json(t)" }, \
    { "sched_" #table "_update", \
      "UPDATE " #table " AS t SET user_id = coalesce($2::int8, user_id) WHERE id = $1::int8" \
      " RETURNING sched_" #table "_json(t)" }, \
    { "sched_" #table "_delete", \
      "DELETE FROM " #table " WHERE id = $1::int8 RETURNING id" }

const sched_stmt_t sched_stmts[SCHED_STMT_COUNT] = {
    { "sched_health", "SELECT 1" },
    { "sched_users_list",
      "SELECT id, sched_users_json(u) FROM users u WHERE id > coalesce($1::int8, 0)"
      " ORDER BY id LIMIT $2::int8" },
    { "sched_users_get",
      "SELECT sched_users_json(u) FROM users u WHERE id = $1::int8" },
    { "sched_users_me",
      "SELECT sched_users_json(u) FROM users u WHERE username = $1::text" },
    { "sched_users_create",
      "INSERT INTO users AS u (username, password, email, is_superuser, is_active)"
      " VALUES ($1::text, $2::text, coalesce($3::text, ''), coalesce($4::bool, false),"
      " coalesce($5::bool, true))"
      " RETURNING id, sched_users_json(u)" },
    { "sched_users_update",
      "UPDATE users AS u SET username = coalesce($2::text, username),"
      " password = coalesce($3::text, password), email = coalesce($4::text, email),"
      " is_superuser = coalesce($5::bool, is_superuser),"
      " is_active = coalesce($6::bool, is_active)"
      " WHERE id = $1::int8 RETURNING sched_users_json(u)" },
    { "sched_users_delete",
      "DELETE FROM users WHERE id = $1::int8 RETURNING id" },
    SCHED_ROLE_STMTS(clients),
    SCHED_ROLE_STMTS(providers),
};
