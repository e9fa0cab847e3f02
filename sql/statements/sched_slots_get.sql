-- sched_slots_get: one slot, booked or not, and whether it can be booked now.
-- flags: retry-safe
-- $1  id           int8         the slot
-- $2  notice       interval     SchedMinNotice
-- columns:
--   id            int8         the slot
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   available     bool         no active reservation, and it starts after now + notice
SELECT s.id, s.provider_id, s.start_time, s.end_time,
       s.start_time >= now() + $2::interval
       AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.slot_id = s.id AND sched_holds(r))
       AS available
  FROM slots s
 WHERE s.id = $1::int8
