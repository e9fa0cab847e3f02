-- sched_schedules_extend: move the horizon forward, a batch at a time (httpd's
-- background task runs it until it answers 0 schedules): the schedules whose slots
-- end more than a day short of now + horizon_days get their slots up to it
-- (sched_schedule_extend, sql/006), oldest first. Each provider's row is locked FOR NO
-- KEY UPDATE SKIP LOCKED, as every change of its slots locks it: two servers running
-- this at once take different providers, and a provider whose schedule is being
-- changed (which makes its slots itself) is left for the next round. No slot is made
-- twice (the provider's lock, then sched_materialize's fresh look; slots_overlap
-- stays the guarantee).
-- flags: retry-safe
-- $1  batch        int8         at most this many schedules
-- columns:
--   schedules     int8         schedules extended
--   slots         int8         slots made
WITH due AS (SELECT p.id
               FROM schedules sc JOIN providers p ON p.id = sc.provider_id
              WHERE sc.materialized_until IS NULL
                 OR sc.materialized_until
                    < now() + make_interval(mins => (sc.horizon_days - 1) * 1440)
              ORDER BY sc.materialized_until NULLS FIRST, sc.id
              LIMIT $1::int8
                FOR NO KEY UPDATE OF p SKIP LOCKED),
     done AS (SELECT sched_schedule_extend(due.id) AS made FROM due)
SELECT count(*) AS schedules, coalesce(sum(done.made), 0)::int8 AS slots
  FROM done
