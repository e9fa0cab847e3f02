/* The statement table. PostgreSQL builds the JSON text of every answer.
 *
 * Statements marked SCHED_STMT_PRINCIPAL take the caller as $1 (the user name httpd
 * authenticated, or NULL) and $2 (SchedOpenAccess), and join sched_principal($1, $2)
 * as "me": me.su (superuser, or open access), me.user_id, me.client_id,
 * me.provider_id. Their own parameters start at $3. They answer in one of these
 * shapes, so that the C code never reads before it writes:
 *
 *   lists       (cursor, json) rows, limit + 1 of them: the extra one tells that a
 *               next page exists; rows the caller may not see are filtered out
 *   one row     (json), no row when it does not exist or may not be seen
 *   write by id (visible, allowed, json): one row; visible NULL or false: 404;
 *               allowed false: 403; json is the result when the write was done
 *   create      (allowed, id, json, ...): one row; id NULL when nothing was created */
#include "sched_sql.h"

#define P  SCHED_STMT_PRINCIPAL
#define R  SCHED_STMT_RETRY_SAFE
#define ME " sched_principal($1::text, $2::bool) me"

/* Clients and providers are the same shape: a role record pointing at a user. Users
 * see their own record; superusers see and change all of them. */
#define SCHED_ROLE_STMTS(table) \
    { "sched_" #table "_list", \
      "SELECT t.id, sched_" #table "_json(t) FROM " #table " t," ME \
      " WHERE t.id > coalesce($3::int8, 0) AND ($4::int8 IS NULL OR t.user_id = $4::int8)" \
      "  AND (me.su OR t.user_id = me.user_id)" \
      " ORDER BY t.id LIMIT $5::int8", P | R }, \
    { "sched_" #table "_get", \
      "SELECT sched_" #table "_json(t) FROM " #table " t," ME \
      " WHERE t.id = $3::int8 AND (me.su OR t.user_id = me.user_id)", P | R }, \
    { "sched_" #table "_create", \
      "WITH ins AS (INSERT INTO " #table " AS t (user_id) SELECT $3::int8 FROM" ME \
      "  WHERE me.su RETURNING t.id, sched_" #table "_json(t) AS json)" \
      " SELECT me.su, ins.id, ins.json FROM" ME " LEFT JOIN ins ON true", P }, \
    { "sched_" #table "_update", \
      "WITH x AS (SELECT t.id, me.su OR t.user_id = me.user_id AS visible," \
      "  me.su AS allowed FROM " #table " t," ME " WHERE t.id = $3::int8)," \
      " w AS (UPDATE " #table " AS t SET user_id = coalesce($4::int8, t.user_id) FROM x" \
      "  WHERE t.id = x.id AND x.visible AND x.allowed" \
      "  RETURNING sched_" #table "_json(t) AS json)" \
      " SELECT x.visible, x.allowed, (SELECT json FROM w)" \
      " FROM (SELECT 1) one LEFT JOIN x ON true", P }, \
    { "sched_" #table "_delete", \
      "WITH x AS (SELECT t.id, me.su OR t.user_id = me.user_id AS visible," \
      "  me.su AS allowed FROM " #table " t," ME " WHERE t.id = $3::int8)," \
      " w AS (DELETE FROM " #table " t USING x" \
      "  WHERE t.id = x.id AND x.visible AND x.allowed RETURNING '{}'::text AS json)" \
      " SELECT x.visible, x.allowed, (SELECT json FROM w)" \
      " FROM (SELECT 1) one LEFT JOIN x ON true", P }

/* Locks, always taken in this order: a reservation, its client, a slot, a provider.
 * Statements that could violate the same exclusion constraint take the same row lock
 * first, so they queue instead of deadlocking inside the constraint check; the one
 * that waited then meets the other's committed rows (23P01: 409). FOR NO KEY UPDATE
 * lets foreign key checks and bookings (KEY SHARE) through; deletes wait.
 *   provider: windows and moves of its slots (slots_overlap)
 *   client:   bookings and reschedules (reservations_client_busy)
 *   slot:     bookings of one slot (reservations_slot_taken: two inserts checking
 *             a GiST exclusion constraint at once wait for each other), and so that
 *             it is not moved or deleted while being booked; its provider FOR KEY
 *             SHARE, so that the provider's delete guard sees the booking; c is
 *             locked before it (EXISTS forces the order) */
#define SCHED_LOCK_PROVIDER(id) \
    "SELECT id FROM providers WHERE id = " id " FOR NO KEY UPDATE"
#define SCHED_LOCK_CLIENT(id) \
    "SELECT id FROM clients WHERE id = " id " FOR NO KEY UPDATE"
#define SCHED_LOCK_SLOT(id) \
    "SELECT s.id, s.start_time, s.end_time FROM slots s" \
    " JOIN providers p ON p.id = s.provider_id WHERE s.id = " id \
    " AND EXISTS (SELECT 1 FROM c) FOR NO KEY UPDATE OF s FOR KEY SHARE OF p"

/* Bookable slots: $1 provider (the condition on it is given), $2 from, $3 to, $4 date,
 * $5 tz, $6 window, $7 notice, $8 and $9 the cursor (start in epoch microseconds,
 * id), $10 rows. Anyone allowed in may list them: no principal. */
#define SCHED_SLOTS_LIST(provider) \
    "WITH w AS (SELECT" \
    "  CASE WHEN $4::date IS NULL THEN $2::timestamptz" \
    "   ELSE $4::date::timestamp AT TIME ZONE coalesce($5::text, 'UTC') END AS lo," \
    "  CASE WHEN $4::date IS NULL THEN $3::timestamptz" \
    "   ELSE ($4::date::timestamp + $6::interval) AT TIME ZONE coalesce($5::text, 'UTC')" \
    "  END AS hi)" \
    " SELECT ((extract(epoch FROM s.start_time) * 1000000)::int8)::text || '_' || s.id," \
    "  sched_slots_json(s)" \
    " FROM slots s, w" \
    " WHERE " provider \
    "  AND s.start_time >= greatest(now() + $7::interval, w.lo)" \
    "  AND (w.hi IS NULL OR s.start_time < w.hi)" \
    "  AND (s.start_time, s.id) > (coalesce(timestamptz 'epoch'" \
    "       + $8::int8 * interval '1 microsecond', '-infinity'), coalesce($9::int8, 0))" \
    "  AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.slot_id = s.id" \
    "   AND r.cancelled_at IS NULL AND r.held_until > now())" \
    " ORDER BY s.start_time, s.id LIMIT $10::int8"

/* A reservation is seen by superusers, its client and the provider of its slot. */
#define SCHED_RESERVATION_VISIBLE(r) \
    "(me.su OR " r ".client_id = me.client_id" \
    " OR EXISTS (SELECT 1 FROM slots vs WHERE vs.id = " r ".slot_id" \
    "  AND vs.provider_id = me.provider_id))"

/* Confirm and cancel: x is the reservation with who may act on it; the answer is
 * (visible, allowed, status, json): the changed row, else the row as it was (its
 * status tells why it did not change). */
#define SCHED_RESERVATION_ACT(allowed, set, when) \
    "WITH x AS (SELECT r AS res, " SCHED_RESERVATION_VISIBLE("r") " AS visible," \
    "  " allowed " AS allowed FROM reservations r," ME " WHERE r.id = $3::int8" \
    "  FOR UPDATE OF r)," \
    " w AS (UPDATE reservations AS r SET " set " FROM x" \
    "  WHERE r.id = (x.res).id AND x.visible AND x.allowed AND " when \
    "  RETURNING sched_reservation_status(r) AS status, sched_reservations_json(r) AS json)" \
    " SELECT x.visible, x.allowed, coalesce(w.status, sched_reservation_status(x.res))," \
    "  coalesce(w.json, sched_reservations_json(x.res))" \
    " FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true"

const sched_stmt_t sched_stmts[SCHED_STMT_COUNT] = {
    { "sched_health", "SELECT 1", R },

    /* The "sched" authentication provider: the password hash of an active user. */
    { "sched_auth_password",
      "SELECT password FROM users WHERE username = $1::text AND is_active", R },

    /* Users: everyone sees themselves; superusers see and change everyone. Others
     * may change their own email and password, nothing else. */
    { "sched_users_list",
      "SELECT u.id, sched_users_json(u) FROM users u," ME
      " WHERE u.id > coalesce($3::int8, 0) AND (me.su OR u.id = me.user_id)"
      " ORDER BY u.id LIMIT $4::int8", P | R },
    { "sched_users_get",
      "SELECT sched_users_json(u) FROM users u," ME
      " WHERE u.id = $3::int8 AND (me.su OR u.id = me.user_id)", P | R },
    { "sched_users_me",
      "SELECT sched_users_json(u) FROM users u," ME " WHERE u.id = me.user_id", P | R },
    { "sched_users_create",
      "WITH ins AS (INSERT INTO users AS u"
      "  (username, password, email, is_superuser, is_active)"
      "  SELECT $3::text, $4::text, coalesce($5::text, ''), coalesce($6::bool, false),"
      "   coalesce($7::bool, true) FROM" ME " WHERE me.su"
      "  RETURNING u.id, sched_users_json(u) AS json)"
      " SELECT me.su, ins.id, ins.json FROM" ME " LEFT JOIN ins ON true", P },
    /* $3 id, $4 username, $5 password hash, $6 email, $7 is_superuser, $8 is_active */
    { "sched_users_update",
      "WITH x AS (SELECT u.id, me.su OR u.id = me.user_id AS visible,"
      "  me.su OR (u.id = me.user_id AND coalesce($4::text = u.username, true)"
      "   AND coalesce($7::bool = u.is_superuser, true)"
      "   AND coalesce($8::bool = u.is_active, true)) AS allowed"
      "  FROM users u," ME " WHERE u.id = $3::int8),"
      " w AS (UPDATE users AS u SET username = coalesce($4::text, u.username),"
      "  password = coalesce($5::text, u.password), email = coalesce($6::text, u.email),"
      "  is_superuser = coalesce($7::bool, u.is_superuser),"
      "  is_active = coalesce($8::bool, u.is_active)"
      "  FROM x WHERE u.id = x.id AND x.visible AND x.allowed"
      "  RETURNING sched_users_json(u) AS json)"
      " SELECT x.visible, x.allowed, (SELECT json FROM w)"
      " FROM (SELECT 1) one LEFT JOIN x ON true", P },
    { "sched_users_delete",
      "WITH x AS (SELECT u.id, me.su OR u.id = me.user_id AS visible, me.su AS allowed"
      "  FROM users u," ME " WHERE u.id = $3::int8),"
      " w AS (DELETE FROM users u USING x WHERE u.id = x.id AND x.visible AND x.allowed"
      "  RETURNING '{}'::text AS json)"
      " SELECT x.visible, x.allowed, (SELECT json FROM w)"
      " FROM (SELECT 1) one LEFT JOIN x ON true", P },

    SCHED_ROLE_STMTS(clients),
    SCHED_ROLE_STMTS(providers),

    /* A time sent without an offset, read in SchedNaiveTimeZone ($2). */
    { "sched_time_resolve",
      "SELECT (extract(epoch FROM $1::timestamp AT TIME ZONE $2::text) * 1000000)::int8",
      R },

    /* Slots: anyone allowed in sees them; a provider changes its own, a superuser
     * any. Create: $3 provider, $4 first start, $5 last start, $6 length. Identical
     * slots are skipped; any other overlap violates slots_overlap and creates
     * nothing. Answers (allowed, id, json, whether the provider exists) rows; one
     * row with no id when no slot was made. */
    { "sched_slots_create",
      "WITH lk AS (" SCHED_LOCK_PROVIDER("$3::int8") "),"
      " grid AS (SELECT g AS start_time, g + $6::interval AS end_time"
      "  FROM generate_series($4::timestamptz, $5::timestamptz, $6::interval) g),"
      " ins AS (INSERT INTO slots AS s (provider_id, start_time, end_time)"
      "  SELECT lk.id, grid.start_time, grid.end_time FROM lk, grid," ME
      "  WHERE (me.su OR me.provider_id = lk.id) AND NOT EXISTS (SELECT 1 FROM slots x"
      "   WHERE x.provider_id = lk.id"
      "   AND x.start_time = grid.start_time AND x.end_time = grid.end_time)"
      "  RETURNING s.start_time, s.id, sched_slots_json(s) AS json)"
      " SELECT me.su OR me.provider_id = $3::int8, ins.id, ins.json,"
      "  (SELECT count(*) FROM lk)::int"
      " FROM" ME " LEFT JOIN ins ON true ORDER BY ins.start_time, ins.id",
      P | SCHED_STMT_RERUN_ON_EXCLUSION },
    /* Bookable slots, of any provider and of one: two statements, so that each
     * has a generic plan that uses its own index. */
    { "sched_slots_list", SCHED_SLOTS_LIST("$1::int8 IS NULL"), R },
    { "sched_slots_list_provider", SCHED_SLOTS_LIST("s.provider_id = $1::int8"), R },
    { "sched_slots_get",
      "SELECT sched_slots_detail_json(s, $2::interval) FROM slots s WHERE id = $1::int8",
      R },
    /* $3 id, $4 provider, $5 start, $6 end */
    { "sched_slots_update",
      "WITH lk AS (" SCHED_LOCK_PROVIDER("(SELECT provider_id FROM slots WHERE id = $3::int8)")
      "),"
      " x AS (SELECT s.id, true AS visible, me.su OR (s.provider_id = me.provider_id"
      "  AND coalesce($4::int8 = me.provider_id, true)) AS allowed"
      "  FROM slots s, lk," ME " WHERE s.id = $3::int8),"
      " w AS (UPDATE slots AS s SET provider_id = coalesce($4::int8, s.provider_id),"
      "  start_time = coalesce($5::timestamptz, s.start_time),"
      "  end_time = coalesce($6::timestamptz, s.end_time)"
      "  FROM x WHERE s.id = x.id AND x.allowed RETURNING sched_slots_json(s) AS json)"
      " SELECT x.visible, x.allowed, (SELECT json FROM w)"
      " FROM (SELECT 1) one LEFT JOIN x ON true", P },
    { "sched_slots_delete",
      "WITH x AS (SELECT s.id, true AS visible,"
      "  me.su OR s.provider_id = me.provider_id AS allowed"
      "  FROM slots s," ME " WHERE s.id = $3::int8),"
      " w AS (DELETE FROM slots s USING x WHERE s.id = x.id AND x.allowed"
      "  RETURNING '{}'::text AS json)"
      " SELECT x.visible, x.allowed, (SELECT json FROM w)"
      " FROM (SELECT 1) one LEFT JOIN x ON true", P },

    /* The first answer to an Idempotency-Key ($1), if younger than 24 hours; keys
     * older than that are deleted on the way, a few at a time. */
    { "sched_reservations_key",
      "WITH mine AS (DELETE FROM idempotency_keys WHERE key = $1::text"
      "  AND created_at <= now() - interval '24 hours'),"
      " old AS (DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys"
      "  WHERE created_at <= now() - interval '24 hours' ORDER BY created_at LIMIT 32))"
      " SELECT request, reservation_id, body FROM idempotency_keys"
      " WHERE key = $1::text AND created_at > now() - interval '24 hours'", R },
    /* Booking: a client books for itself, a superuser for anyone. $3 client, $4 slot,
     * $5 hold, $6 notice, $7 Idempotency-Key, $8 the request it names. One row:
     * (allowed, id, json, whether the slot exists, whether the client exists). */
    { "sched_reservations_create",
      "WITH c AS (" SCHED_LOCK_CLIENT("$3::int8") "),"
      " s AS (" SCHED_LOCK_SLOT("$4::int8") "),"
      " ins AS (INSERT INTO reservations AS r"
      "  (client_id, slot_id, expires_at, held_until, slot_start, slot_end)"
      "  SELECT c.id, s.id, now() + $5::interval, now() + $5::interval,"
      "   s.start_time, s.end_time FROM c, s," ME
      "  WHERE (me.su OR me.client_id = c.id) AND s.start_time >= now() + $6::interval"
      "  RETURNING r.id, sched_reservations_json(r) AS json),"
      " k AS (INSERT INTO idempotency_keys (key, request, reservation_id, body)"
      "  SELECT $7::text, $8::text, ins.id, ins.json FROM ins WHERE $7::text IS NOT NULL)"
      " SELECT me.su OR me.client_id = $3::int8, ins.id, ins.json,"
      "  (SELECT count(*) FROM s)::int, (SELECT count(*) FROM c)::int"
      " FROM" ME " LEFT JOIN ins ON true", P },
    /* $3 after, $4 client, $5 provider, $6 slot, $7 status, $8 rows. */
    { "sched_reservations_list",
      "SELECT r.id, sched_reservations_json(r) FROM reservations r," ME
      " WHERE r.id > coalesce($3::int8, 0)"
      "  AND ($4::int8 IS NULL OR r.client_id = $4::int8)"
      "  AND ($5::int8 IS NULL OR r.slot_id IN"
      "       (SELECT id FROM slots WHERE provider_id = $5::int8))"
      "  AND ($6::int8 IS NULL OR r.slot_id = $6::int8)"
      "  AND ($7::text IS NULL OR sched_reservation_status(r) = $7::text)"
      "  AND " SCHED_RESERVATION_VISIBLE("r")
      " ORDER BY r.id LIMIT $8::int8", P | R },
    { "sched_reservations_get",
      "SELECT sched_reservations_json(r) FROM reservations r," ME
      " WHERE r.id = $3::int8 AND " SCHED_RESERVATION_VISIBLE("r"), P | R },
    /* Reschedule $3 to slot $4 ($5 notice), by its client or a superuser: one row
     * (visible, allowed, json, whether it is active, whether the slot exists). */
    { "sched_reservations_move",
      "WITH x AS (SELECT r.id, r.client_id, " SCHED_RESERVATION_VISIBLE("r") " AS visible,"
      "  me.su OR r.client_id = me.client_id AS allowed,"
      "  r.cancelled_at IS NULL AND r.held_until > now() AS active"
      "  FROM reservations r," ME " WHERE r.id = $3::int8 FOR UPDATE OF r),"
      " c AS (" SCHED_LOCK_CLIENT("(SELECT client_id FROM x)") "),"
      " s AS (" SCHED_LOCK_SLOT("$4::int8") "),"
      " w AS (UPDATE reservations AS r SET slot_id = s.id, slot_start = s.start_time,"
      "  slot_end = s.end_time, held_from = now()"
      "  FROM x, c, s WHERE r.id = x.id AND x.visible AND x.allowed AND x.active"
      "   AND s.start_time >= now() + $5::interval"
      "  RETURNING sched_reservations_json(r) AS json)"
      " SELECT x.visible, x.allowed, (SELECT json FROM w), x.active,"
      "  (SELECT count(*) FROM s)::int FROM (SELECT 1) one LEFT JOIN x ON true", P },
    { "sched_reservations_confirm",
      SCHED_RESERVATION_ACT("me.su OR r.client_id = me.client_id",
                            "confirmed_at = now(), held_until = 'infinity'",
                            "sched_reservation_status(x.res) = 'pending'"), P | R },
    { "sched_reservations_cancel",
      SCHED_RESERVATION_ACT(SCHED_RESERVATION_VISIBLE("r"), "cancelled_at = now()",
                            "(x.res).cancelled_at IS NULL"), P | R },
    { "sched_reservations_delete",
      "WITH x AS (SELECT r.id, " SCHED_RESERVATION_VISIBLE("r") " AS visible,"
      "  me.su OR r.client_id = me.client_id AS allowed"
      "  FROM reservations r," ME " WHERE r.id = $3::int8),"
      " w AS (DELETE FROM reservations r USING x"
      "  WHERE r.id = x.id AND x.visible AND x.allowed RETURNING '{}'::text AS json)"
      " SELECT x.visible, x.allowed, (SELECT json FROM w)"
      " FROM (SELECT 1) one LEFT JOIN x ON true", P },
};
