-- sched_slots_list_provider: a page of bookable slots of one provider, by start time
-- then id (sched_slot_refusal, as sched_slots_list).
-- flags: retry-safe
-- $1  provider     int8         ?provider=
-- $2  from         timestamptz  ?from= (NULL: now)
-- $3  to           timestamptz  ?to= (NULL: no end)
-- $4  date         date         ?date= (instead of from and to)
-- $5  tz           text         ?tz=, the zone of date (NULL: UTC)
-- $6  window       interval     SchedWindow: the span of date
-- $7  notice       interval     SchedMinNotice: the earliest a bookable slot starts, from now (unless the provider's schedule says otherwise)
-- $8  after_time   int8         the cursor: start of the last slot of the page before, in microseconds since 1970
-- $9  after_id     int8         and its id (NULL, NULL: from the start)
-- $10 rows         int8         rows to answer (the page's limit + 1)
-- columns:
--   id            int8         the slot
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   source        text         manual or schedule
WITH q AS (SELECT CASE WHEN $4::date IS NULL THEN $2::timestamptz
                       ELSE $4::date::timestamp AT TIME ZONE coalesce($5::text, 'UTC') END AS lo,
                  CASE WHEN $4::date IS NULL THEN $3::timestamptz
                       ELSE ($4::date::timestamp + $6::interval)
                            AT TIME ZONE coalesce($5::text, 'UTC') END AS hi),
     -- once for the page (MATERIALIZED): sched_slot_context over the whole window,
     -- so that each slot is judged by comparisons in memory (sched_slot_refusal)
     w AS MATERIALIZED
          (SELECT greatest(cx.earliest, q.lo) AS first, coalesce(q.hi, 'infinity') AS hi,
                  cx.*
             FROM q LEFT JOIN schedules sc ON sc.provider_id = $1::int8,
                  LATERAL sched_slot_context($1::int8, greatest(now(), q.lo),
                                             coalesce(q.hi, 'infinity'), sc, $7::interval,
                                             NULL) cx)
SELECT s.id, s.provider_id, s.start_time, s.end_time, s.source
  FROM -- w's values as columns (plain arguments, so that sched_slot_refusal is
       -- inlined), each read once by an InitPlan
       (SELECT (SELECT w.first FROM w) AS first, (SELECT w.hi FROM w) AS hi,
               (SELECT w.latest FROM w) AS latest, (SELECT w.before FROM w) AS before,
               (SELECT w.after FROM w) AS after, (SELECT w.occupied FROM w) AS occupied,
               (SELECT w.away FROM w) AS away) b,
       slots s,
       LATERAL sched_slot_refusal(s.id, s.start_time, s.end_time, b.first, b.latest,
                                  b.before, b.after, b.occupied, b.away, NULL) why
 WHERE s.provider_id = $1::int8
   AND s.start_time >= b.first
   AND s.start_time < b.hi
   AND (s.start_time, s.id) > (coalesce(timestamptz 'epoch' + $8::int8 * interval '1 microsecond',
                                        '-infinity'), coalesce($9::int8, 0))
   AND why IS NULL
 ORDER BY s.start_time, s.id
 LIMIT $10::int8
