-- SCALE=large: history on top of bench/seed.sql. bench/run.sh runs it after seed.sql.
--
-- psql variable: today (YYYY-MM-DD, UTC).
--
--   hc_NNNNN   1000 clients who made the past bookings
--   200,000 past slots: each list_slots provider (lp_*) has 125 days x 32 slots
--              (08:00-16:00 UTC) ending the day before today
--   1,000,000 reservations, 5 per past slot, as a slot's history goes: one hold that
--              expired, three cancelled, then one confirmed
--
-- A client's active reservations never overlap (reservations_client_busy): the
-- reservations that count (expired and confirmed; cancelled ones do not) of a slot of
-- provider number pi on day number di go to client pi + 50 * (di mod 20). Two slots at
-- one time are on different providers, so on different clients. The expired hold of
-- a slot ends before its confirmed one starts (reservations_slot_taken).
--
-- All of it goes through the schema as it is (constraints, indexes and triggers on),
-- one INSERT ... SELECT per table, each in its own transaction.
\set ON_ERROR_STOP on
\set hash '$2y$10$benchbenchbenchbenchbeOZl5Mb2u1G4N5t5Uc0F3n0m3d7Q6u9e'

BEGIN;
INSERT INTO users (username, password, date_joined)
SELECT format('hc_%s', lpad(i::text, 5, '0')), :'hash', now() - interval '1 year'
  FROM generate_series(1, 1000) AS i
 ORDER BY i;
COMMIT;

BEGIN;
INSERT INTO clients (user_id)
SELECT id FROM users WHERE username LIKE 'hc\_%' ORDER BY username;
COMMIT;

BEGIN;
INSERT INTO slots (provider_id, start_time, end_time)
SELECT p.id, t.start_time, t.start_time + interval '15 minutes'
  FROM providers p JOIN users u ON u.id = p.user_id AND u.username LIKE 'lp\_%',
       generate_series(0, 124) AS d,
       generate_series(0, 31) AS q,
       LATERAL (SELECT (:'today'::date - 125 + d)::timestamp AT TIME ZONE 'UTC'
                       + interval '8 hours' + q * interval '15 minutes' AS start_time) t
 ORDER BY t.start_time, p.id;
COMMIT;

BEGIN;
INSERT INTO reservations (client_id, slot_id, created_at, expires_at, confirmed_at,
                          cancelled_at, held_from, held_until, slot_start, slot_end)
SELECT CASE WHEN v.kind = 'cancelled'
            THEN c.first + (s.id % 1000)
            ELSE c.first + s.pi + 50 * (s.di % 20) END,
       s.id, v.created_at, v.created_at + interval '30 minutes',
       CASE WHEN v.kind = 'confirmed' THEN v.created_at + interval '10 minutes' END,
       CASE WHEN v.kind = 'cancelled' THEN v.created_at + interval '5 minutes' END,
       v.created_at,
       CASE WHEN v.kind = 'confirmed' THEN 'infinity'
            ELSE v.created_at + interval '30 minutes' END,
       s.start_time, s.end_time
  FROM (SELECT s.id, s.start_time, s.end_time,
               dense_rank() OVER (ORDER BY s.provider_id) - 1 AS pi,
               (s.start_time AT TIME ZONE 'UTC')::date - (:'today'::date - 125) AS di
          FROM slots s JOIN providers p ON p.id = s.provider_id
          JOIN users u ON u.id = p.user_id AND u.username LIKE 'lp\_%'
         WHERE s.start_time < :'today'::date::timestamp AT TIME ZONE 'UTC') s,
       (SELECT min(c.id) AS first FROM clients c JOIN users u ON u.id = c.user_id
         WHERE u.username LIKE 'hc\_%') c,
       LATERAL (VALUES (1, 'expired', s.start_time - interval '20 days'),
                       (2, 'cancelled', s.start_time - interval '15 days'),
                       (3, 'cancelled', s.start_time - interval '12 days'),
                       (4, 'cancelled', s.start_time - interval '9 days'),
                       (5, 'confirmed', s.start_time - interval '7 days'))
           AS v(n, kind, created_at)
 ORDER BY s.start_time, s.id, v.n;
COMMIT;
