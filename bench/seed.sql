-- The data set of `make bench` (bench/run.sh runs it with psql on a fresh database).
--
-- psql variables: start_day (first day of the future slots, YYYY-MM-DD, at least
-- SchedMinNotice ahead), book_providers, book_slots, contention_slots.
--
-- Every group of rows is inserted in one statement, in a fixed order, so that its ids
-- are consecutive on a fresh database: bench/run.sh reads the first id of each group
-- and checks that the group is contiguous. User names tell the groups apart:
--
--   lp_NNNNN   50 providers for list_slots: 7 days x 8 h (08:00-16:00 UTC) of
--              15-minute slots each, every 10th slot booked (confirmed)
--   gc_NNNNN   200 clients (get_one); the first 50 hold the bookings above, one
--              client per provider, so that no client is busy twice at one time
--   bp_NNNNN / bc_NNNNN  book_providers providers and as many clients for book:
--              slot k (k = 0 .. book_slots - 1) belongs to provider k mod
--              book_providers and is booked by the client of the same number, so that
--              bookings never make one client busy twice at one time
--   cp_00001 / cc_NNNNN  one provider with contention_slots consecutive slots, and
--              64 clients that race for them
--   rp_00001   one provider whose schedule the schedules run replaces
--   hp_NNNNN   1000 providers whose schedules the schedules run makes (the horizon task)
--   sp_NNNNN   50 providers for list_slots_schedule: the same slots as lp_, made by a
--              schedule (UTC, every day 08:00-16:00, 15 minutes, horizon 10 days), every
--              10th booked (confirmed) by clients 51-100 of gc_
--
-- The password hash is a placeholder in the bcrypt form the schema asks for; nobody
-- logs in as these users (bench/run.sh creates the superuser that does).
\set ON_ERROR_STOP on
\set hash '$2y$10$benchbenchbenchbenchbeOZl5Mb2u1G4N5t5Uc0F3n0m3d7Q6u9e'

BEGIN;
INSERT INTO users (username, password)
SELECT format('%s_%s', g.kind, lpad(i::text, 5, '0')), :'hash'
  FROM (VALUES (1, 'lp', 50), (2, 'gc', 200), (3, 'bp', :book_providers),
               (4, 'bc', :book_providers), (5, 'cp', 1), (6, 'cc', 64),
               (7, 'sp', 50), (8, 'rp', 1), (9, 'hp', 1000)) AS g(o, kind, n),
       generate_series(1, g.n) AS i
 ORDER BY g.o, i;
COMMIT;

BEGIN;
INSERT INTO providers (user_id)
SELECT id FROM users WHERE username LIKE 'lp\_%' ORDER BY username;
INSERT INTO providers (user_id)
SELECT id FROM users WHERE username LIKE 'bp\_%' ORDER BY username;
INSERT INTO providers (user_id)
SELECT id FROM users WHERE username LIKE 'cp\_%' ORDER BY username;
INSERT INTO providers (user_id)
SELECT id FROM users WHERE username LIKE 'sp\_%' ORDER BY username;
INSERT INTO providers (user_id)
SELECT id FROM users WHERE username LIKE 'rp\_%' ORDER BY username;
INSERT INTO providers (user_id)
SELECT id FROM users WHERE username LIKE 'hp\_%' ORDER BY username;
COMMIT;

BEGIN;
INSERT INTO clients (user_id)
SELECT id FROM users WHERE username LIKE 'gc\_%' ORDER BY username;
INSERT INTO clients (user_id)
SELECT id FROM users WHERE username LIKE 'bc\_%' ORDER BY username;
INSERT INTO clients (user_id)
SELECT id FROM users WHERE username LIKE 'cc\_%' ORDER BY username;
COMMIT;

BEGIN;
-- list_slots: 7 days x 32 slots per provider.
INSERT INTO slots (provider_id, start_time, end_time)
SELECT p.id, t.start_time, t.start_time + interval '15 minutes'
  FROM providers p JOIN users u ON u.id = p.user_id AND u.username LIKE 'lp\_%',
       generate_series(0, 6) AS d,
       generate_series(0, 31) AS q,
       LATERAL (SELECT (:'start_day'::date + d)::timestamp AT TIME ZONE 'UTC'
                       + interval '8 hours' + q * interval '15 minutes' AS start_time) t
 ORDER BY p.id, t.start_time;

-- book: slot k at provider k mod book_providers, back to back from start_day 00:00.
INSERT INTO slots (provider_id, start_time, end_time)
SELECT p.first + k % :book_providers, t.start_time, t.start_time + interval '15 minutes'
  FROM (SELECT min(p.id) AS first FROM providers p JOIN users u ON u.id = p.user_id
         WHERE u.username LIKE 'bp\_%') p,
       generate_series(0, :book_slots - 1) AS k,
       LATERAL (SELECT :'start_day'::date::timestamp AT TIME ZONE 'UTC'
                       + (k / :book_providers) * interval '15 minutes' AS start_time) t
 ORDER BY k;

-- contention: one provider, back to back.
INSERT INTO slots (provider_id, start_time, end_time)
SELECT p.id, t.start_time, t.start_time + interval '15 minutes'
  FROM providers p JOIN users u ON u.id = p.user_id AND u.username = 'cp_00001',
       generate_series(0, :contention_slots - 1) AS k,
       LATERAL (SELECT :'start_day'::date::timestamp AT TIME ZONE 'UTC'
                       + k * interval '15 minutes' AS start_time) t
 ORDER BY k;
COMMIT;

BEGIN;
-- Every 10th list_slots slot is booked and confirmed, by the client of its provider.
INSERT INTO reservations (client_id, slot_id, expires_at, confirmed_at, held_until,
                          slot_start, slot_end)
SELECT c.first + s.pi, s.id, now() + interval '30 minutes', now(), 'infinity',
       s.start_time, s.end_time
  FROM (SELECT s.*, dense_rank() OVER (ORDER BY s.provider_id) - 1 AS pi,
               row_number() OVER (PARTITION BY s.provider_id ORDER BY s.start_time) AS n
          FROM slots s JOIN providers p ON p.id = s.provider_id
          JOIN users u ON u.id = p.user_id AND u.username LIKE 'lp\_%') s,
       (SELECT min(c.id) AS first FROM clients c JOIN users u ON u.id = c.user_id
         WHERE u.username LIKE 'gc\_%') c
 WHERE s.n % 10 = 0
 ORDER BY s.id;
COMMIT;

-- list_slots_schedule: the schedules, their slots made as the horizon task makes them,
-- and every 10th slot booked.
BEGIN;
INSERT INTO schedules (provider_id, time_zone, slot_minutes, horizon_days)
SELECT p.id, 'UTC', 15, 10
  FROM providers p JOIN users u ON u.id = p.user_id AND u.username LIKE 'sp\_%'
 ORDER BY p.id;
INSERT INTO schedule_intervals (schedule_id, weekday, start_minute, end_minute)
SELECT sc.id, wd, 480, 960
  FROM schedules sc JOIN providers p ON p.id = sc.provider_id
  JOIN users u ON u.id = p.user_id AND u.username LIKE 'sp\_%',
       generate_series(1, 7) AS wd
 ORDER BY sc.id, wd;
SELECT sum(sched_schedule_extend(sc.provider_id)) AS schedule_slots FROM schedules sc;
COMMIT;

BEGIN;
INSERT INTO reservations (client_id, slot_id, expires_at, confirmed_at, held_until,
                          slot_start, slot_end)
SELECT c.first + 50 + s.pi, s.id, now() + interval '30 minutes', now(), 'infinity',
       s.start_time, s.end_time
  FROM (SELECT s.*, dense_rank() OVER (ORDER BY s.provider_id) - 1 AS pi,
               row_number() OVER (PARTITION BY s.provider_id ORDER BY s.start_time) AS n
          FROM slots s JOIN providers p ON p.id = s.provider_id
          JOIN users u ON u.id = p.user_id AND u.username LIKE 'sp\_%') s,
       (SELECT min(c.id) AS first FROM clients c JOIN users u ON u.id = c.user_id
         WHERE u.username LIKE 'gc\_%') c
 WHERE s.n % 10 = 0
 ORDER BY s.id;
COMMIT;
