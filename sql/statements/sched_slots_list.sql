-- sched_slots_list: a page of bookable slots of every provider, by start time then id:
-- those that sched_slot_refusal lets through (no active reservation, within the
-- provider's notice and horizon, outside its time off, clear of its bookings' buffers).
-- Anyone allowed in may list them.
-- flags: retry-safe
-- $1  provider     int8         NULL here (sched_slots_list_provider takes one: each has the plan that uses its index)
-- $2  from         timestamptz  ?from= (NULL: now)
-- $3  to           timestamptz  ?to= (NULL: no end)
-- $4  date         date         ?date= (instead of from and to)
-- $5  tz           text         ?tz=, the zone of date (NULL: UTC)
-- $6  window       interval     SchedWindow: the span of date
-- $7  notice       interval     SchedMinNotice: the earliest a bookable slot starts, from now (a provider's schedule may say otherwise)
-- $8  after_time   int8         the cursor: start of the last slot of the page before, in microseconds since 1970
-- $9  after_id     int8         and its id (NULL, NULL: from the start)
-- $10 rows         int8         rows to answer (the page's limit + 1)
-- columns:
--   id            int8         the slot
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   source        text         manual or schedule
WITH w AS (SELECT CASE WHEN $4::date IS NULL THEN $2::timestamptz
                       ELSE $4::date::timestamp AT TIME ZONE coalesce($5::text, 'UTC') END AS lo,
                  CASE WHEN $4::date IS NULL THEN $3::timestamptz
                       ELSE ($4::date::timestamp + $6::interval)
                            AT TIME ZONE coalesce($5::text, 'UTC') END AS hi,
                  -- the smallest notice of any provider bounds the index scan
                  least($7::interval, (SELECT make_interval(mins => min(x.min_notice_minutes))
                                         FROM schedules x)) AS notice)
SELECT s.id, s.provider_id, s.start_time, s.end_time, s.source
  FROM slots s
       -- a parameterized scan (not a join the planner could hash): the index order stays
       LEFT JOIN LATERAL (SELECT x FROM schedules x
                           WHERE x.provider_id = s.provider_id OFFSET 0) sc ON true,
       w,
       LATERAL sched_slot_context(s.provider_id, s.start_time, s.end_time, sc.x,
                                  $7::interval, NULL) cx,
       LATERAL sched_slot_refusal(s.id, s.start_time, s.end_time, cx.earliest, cx.latest,
                                  cx.before, cx.after, cx.occupied, cx.away, NULL) why
 WHERE $1::int8 IS NULL
   AND s.start_time >= greatest(now() + w.notice, w.lo)
   AND (w.hi IS NULL OR s.start_time < w.hi)
   AND (s.start_time, s.id) > (coalesce(timestamptz 'epoch' + $8::int8 * interval '1 microsecond',
                                        '-infinity'), coalesce($9::int8, 0))
   AND why IS NULL
 ORDER BY s.start_time, s.id
 LIMIT $10::int8
