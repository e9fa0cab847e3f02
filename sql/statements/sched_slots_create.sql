-- sched_slots_create: a provider's window cut into slots, by that provider or a
-- superuser. Manual slots that exist identically are skipped (a window posted twice
-- makes nothing the second time); schedule slots in the window without an active
-- reservation are replaced (sched_window_clear); any other slot of the provider that
-- overlaps the window makes nothing at all (conflict). The provider's row lock makes
-- windows, moves and schedule changes of one provider's slots queue.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  provider     int8         the provider
-- $4  first        timestamptz  start of the first slot (on the grid)
-- $5  last         timestamptz  start of the last slot
-- $6  length       interval     slot length ("900 seconds")
-- columns:
--   allowed        bool         the caller may add slots to this provider (else 403)
--   provider_found bool         the provider exists (else 400)
--   conflict       bool         another slot overlaps the window: nothing made (409)
--   id            int8         a slot made: one row each (NULL in the one row when none was)
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   source        text         manual
WITH lk AS (SELECT p.id FROM providers p WHERE p.id = $3::int8 FOR NO KEY UPDATE),
     chk AS (SELECT lk.id,
                    sched_window_clear(lk.id, $4::timestamptz, $5::timestamptz + $6::interval,
                                       NULL, $4::timestamptz, $5::timestamptz,
                                       $6::interval) AS conflict
               FROM lk, sched_acting($1::text, $2::bool) me
              WHERE sched_acts_as_provider(me, lk.id)),
     ins AS (INSERT INTO slots AS s (provider_id, start_time, end_time)
             SELECT chk.id, g, g + $6::interval
               FROM chk, generate_series($4::timestamptz, $5::timestamptz, $6::interval) g
              WHERE NOT chk.conflict
                AND NOT EXISTS (SELECT 1 FROM slots x
                                 WHERE x.provider_id = chk.id AND x.start_time = g
                                   AND x.end_time = g + $6::interval AND x.source = 'manual')
             ON CONFLICT DO NOTHING
             RETURNING s.id, s.provider_id, s.start_time, s.end_time, s.source)
SELECT sched_acts_as_provider(me, $3::int8) AS allowed,
       EXISTS (SELECT 1 FROM lk) AS provider_found,
       coalesce((SELECT chk.conflict FROM chk), false) AS conflict,
       ins.id, ins.provider_id, ins.start_time, ins.end_time, ins.source
  FROM sched_acting($1::text, $2::bool) me LEFT JOIN ins ON true
 ORDER BY ins.start_time, ins.id
