/* The statement table. Lists fetch limit + 1 rows (the extra row tells that a next
 * page exists) and return (cursor, json) pairs; PostgreSQL builds the JSON text. */
#include "sched_sql.h"

/* Clients and providers are the same shape: a role record pointing at a user. */
#define SCHED_ROLE_STMTS(table) \
    { "sched_" #table "_list", \
      "SELECT id, sched_" #table "_json(t) FROM " #table " t" \
      " WHERE id > coalesce($1::int8, 0) AND ($2::int8 IS NULL OR user_id = $2::int8)" \
      " ORDER BY id LIMIT $3::int8", 0 }, \
    { "sched_" #table "_get", \
      "SELECT sched_" #table "_json(t) FROM " #table " t WHERE id = $1::int8", 0 }, \
    { "sched_" #table "_create", \
      "INSERT INTO " #table " AS t (user_id) VALUES ($1::int8)" \
      " RETURNING id, sched_" #table "_json(t)", 0 }, \
    { "sched_" #table "_update", \
      "UPDATE " #table " AS t SET user_id = coalesce($2::int8, user_id) WHERE id = $1::int8" \
      " RETURNING sched_" #table "_json(t)", 0 }, \
    { "sched_" #table "_delete", \
      "DELETE FROM " #table " WHERE id = $1::int8 RETURNING id", 0 }

const sched_stmt_t sched_stmts[SCHED_STMT_COUNT] = {
    { "sched_health", "SELECT 1", 0 },
    { "sched_users_list",
      "SELECT id, sched_users_json(u) FROM users u WHERE id > coalesce($1::int8, 0)"
      " ORDER BY id LIMIT $2::int8", 0 },
    { "sched_users_get",
      "SELECT sched_users_json(u) FROM users u WHERE id = $1::int8", 0 },
    { "sched_users_me",
      "SELECT sched_users_json(u) FROM users u WHERE username = $1::text", 0 },
    { "sched_users_create",
      "INSERT INTO users AS u (username, password, email, is_superuser, is_active)"
      " VALUES ($1::text, $2::text, coalesce($3::text, ''), coalesce($4::bool, false),"
      " coalesce($5::bool, true))"
      " RETURNING id, sched_users_json(u)", 0 },
    { "sched_users_update",
      "UPDATE users AS u SET username = coalesce($2::text, username),"
      " password = coalesce($3::text, password), email = coalesce($4::text, email),"
      " is_superuser = coalesce($5::bool, is_superuser),"
      " is_active = coalesce($6::bool, is_active)"
      " WHERE id = $1::int8 RETURNING sched_users_json(u)", 0 },
    { "sched_users_delete",
      "DELETE FROM users WHERE id = $1::int8 RETURNING id", 0 },
    SCHED_ROLE_STMTS(clients),
    SCHED_ROLE_STMTS(providers),

    /* A time sent without an offset, read in SchedNaiveTimeZone ($2). */
    { "sched_time_resolve",
      "SELECT (extract(epoch FROM $1::timestamp AT TIME ZONE $2::text) * 1000000)::int8", 0 },

    /* Slots: $2 first start, $3 last start, $4 length. Identical slots are skipped;
     * any other overlap violates slots_overlap and creates nothing. */
    { "sched_slots_create",
      "WITH grid AS (SELECT g AS start_time, g + $4::interval AS end_time"
      "  FROM generate_series($2::timestamptz, $3::timestamptz, $4::interval) g),"
      " ins AS (INSERT INTO slots AS s (provider_id, start_time, end_time)"
      "  SELECT $1::int8, grid.start_time, grid.end_time FROM grid"
      "  WHERE NOT EXISTS (SELECT 1 FROM slots x WHERE x.provider_id = $1::int8"
      "   AND x.start_time = grid.start_time AND x.end_time = grid.end_time)"
      "  RETURNING s.start_time, s.id, sched_slots_json(s) AS json)"
      " SELECT id, json FROM ins ORDER BY start_time, id", 1 },
    /* Bookable slots. $1 provider, $2 from, $3 to, $4 date, $5 tz, $6 window,
     * $7 notice, $8 and $9 the cursor (start in epoch microseconds, id), $10 rows. */
    { "sched_slots_list",
      "WITH w AS (SELECT"
      "  CASE WHEN $4::date IS NULL THEN $2::timestamptz"
      "   ELSE $4::date::timestamp AT TIME ZONE coalesce($5::text, 'UTC') END AS lo,"
      "  CASE WHEN $4::date IS NULL THEN $3::timestamptz"
      "   ELSE ($4::date::timestamp + $6::interval) AT TIME ZONE coalesce($5::text, 'UTC')"
      "  END AS hi)"
      " SELECT ((extract(epoch FROM s.start_time) * 1000000)::int8)::text || '_' || s.id,"
      "  sched_slots_json(s)"
      " FROM slots s, w"
      " WHERE s.start_time >= greatest(now() + $7::interval, w.lo)"
      "  AND (w.hi IS NULL OR s.start_time < w.hi)"
      "  AND ($1::int8 IS NULL OR s.provider_id = $1::int8)"
      "  AND (s.start_time, s.id) > (coalesce(timestamptz 'epoch'"
      "       + $8::int8 * interval '1 microsecond', '-infinity'), coalesce($9::int8, 0))"
      "  AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.slot_id = s.id"
      "   AND r.cancelled_at IS NULL AND r.held_until > now())"
      " ORDER BY s.start_time, s.id LIMIT $10::int8", 0 },
    { "sched_slots_get",
      "SELECT sched_slots_detail_json(s, $2::interval) FROM slots s WHERE id = $1::int8", 0 },
    { "sched_slots_update",
      "UPDATE slots AS s SET provider_id = coalesce($2::int8, provider_id),"
      " start_time = coalesce($3::timestamptz, start_time),"
      " end_time = coalesce($4::timestamptz, end_time)"
      " WHERE id = $1::int8 RETURNING sched_slots_json(s)", 0 },
    { "sched_slots_delete",
      "DELETE FROM slots WHERE id = $1::int8 RETURNING id", 0 },

    /* The first answer to an Idempotency-Key ($1), if younger than 24 hours; keys
     * older than that are deleted on the way, a few at a time. */
    { "sched_reservations_key",
      "WITH mine AS (DELETE FROM idempotency_keys WHERE key = $1::text"
      "  AND created_at <= now() - interval '24 hours'),"
      " old AS (DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys"
      "  WHERE created_at <= now() - interval '24 hours' ORDER BY created_at LIMIT 32))"
      " SELECT request, reservation_id, body FROM idempotency_keys"
      " WHERE key = $1::text AND created_at > now() - interval '24 hours'", 0 },
    /* Booking. The slot is locked (FOR SHARE) so that it cannot move or go while it is
     * booked, and its provider (FOR KEY SHARE) so that the provider's delete guard sees
     * this booking. $3 hold, $4 notice, $5 Idempotency-Key, $6 the request it names.
     * One row: whether the slot exists, and the reservation if one was made. */
    { "sched_reservations_create",
      "WITH s AS (SELECT s.id, s.start_time, s.end_time FROM slots s"
      "  JOIN providers p ON p.id = s.provider_id WHERE s.id = $2::int8"
      "  FOR SHARE OF s FOR KEY SHARE OF p),"
      " ins AS (INSERT INTO reservations AS r"
      "  (client_id, slot_id, expires_at, held_until, slot_start, slot_end)"
      "  SELECT $1::int8, s.id, now() + $3::interval, now() + $3::interval,"
      "   s.start_time, s.end_time FROM s WHERE s.start_time >= now() + $4::interval"
      "  RETURNING r.id, sched_reservations_json(r) AS json),"
      " k AS (INSERT INTO idempotency_keys (key, request, reservation_id, body)"
      "  SELECT $5::text, $6::text, ins.id, ins.json FROM ins WHERE $5::text IS NOT NULL)"
      " SELECT (SELECT count(*) FROM s)::int, ins.id, ins.json"
      " FROM (SELECT 1) one LEFT JOIN ins ON true", 0 },
    /* $1 after, $2 client, $3 provider, $4 slot, $5 status, $6 rows. */
    { "sched_reservations_list",
      "SELECT r.id, sched_reservations_json(r) FROM reservations r"
      " WHERE r.id > coalesce($1::int8, 0)"
      "  AND ($2::int8 IS NULL OR r.client_id = $2::int8)"
      "  AND ($3::int8 IS NULL OR r.slot_id IN"
      "       (SELECT id FROM slots WHERE provider_id = $3::int8))"
      "  AND ($4::int8 IS NULL OR r.slot_id = $4::int8)"
      "  AND ($5::text IS NULL OR sched_reservation_status(r) = $5::text)"
      " ORDER BY r.id LIMIT $6::int8", 0 },
    { "sched_reservations_get",
      "SELECT sched_reservations_json(r) FROM reservations r WHERE id = $1::int8", 0 },
    /* Reschedule $1 to slot $2 ($3 notice): one row telling whether the reservation
     * exists and is active, whether the slot exists, and the result if it moved. */
    { "sched_reservations_move",
      "WITH cur AS (SELECT r.id, r.cancelled_at IS NULL AND r.held_until > now() AS active"
      "  FROM reservations r WHERE r.id = $1::int8 FOR UPDATE),"
      " s AS (SELECT s.id, s.start_time, s.end_time FROM slots s"
      "  JOIN providers p ON p.id = s.provider_id WHERE s.id = $2::int8"
      "  FOR SHARE OF s FOR KEY SHARE OF p),"
      " upd AS (UPDATE reservations AS r SET slot_id = s.id, slot_start = s.start_time,"
      "  slot_end = s.end_time, held_from = now()"
      "  FROM cur, s WHERE r.id = cur.id AND cur.active"
      "   AND s.start_time >= now() + $3::interval"
      "  RETURNING sched_reservations_json(r) AS json)"
      " SELECT (SELECT count(*) FROM cur)::int, (SELECT bool_or(active) FROM cur),"
      "  (SELECT count(*) FROM s)::int, (SELECT json FROM upd)", 0 },
    /* Confirm and cancel answer (status, json): the changed row, else the row as it
     * was (its status tells why it did not change); no row: no such reservation. */
    { "sched_reservations_confirm",
      "WITH cur AS (SELECT r AS res FROM reservations r WHERE r.id = $1::int8 FOR UPDATE),"
      " upd AS (UPDATE reservations AS r SET confirmed_at = now(), held_until = 'infinity'"
      "  FROM cur WHERE r.id = (cur.res).id"
      "   AND sched_reservation_status(cur.res) = 'pending'"
      "  RETURNING sched_reservation_status(r) AS status, sched_reservations_json(r) AS json)"
      " SELECT status, json FROM upd UNION ALL"
      " SELECT sched_reservation_status(res), sched_reservations_json(res) FROM cur"
      " WHERE NOT EXISTS (SELECT 1 FROM upd)", 0 },
    { "sched_reservations_cancel",
      "WITH cur AS (SELECT r AS res FROM reservations r WHERE r.id = $1::int8 FOR UPDATE),"
      " upd AS (UPDATE reservations AS r SET cancelled_at = now()"
      "  FROM cur WHERE r.id = (cur.res).id AND (cur.res).cancelled_at IS NULL"
      "  RETURNING sched_reservation_status(r) AS status, sched_reservations_json(r) AS json)"
      " SELECT status, json FROM upd UNION ALL"
      " SELECT sched_reservation_status(res), sched_reservations_json(res) FROM cur"
      " WHERE NOT EXISTS (SELECT 1 FROM upd)", 0 },
    { "sched_reservations_delete",
      "DELETE FROM reservations WHERE id = $1::int8 RETURNING id", 0 },
};
