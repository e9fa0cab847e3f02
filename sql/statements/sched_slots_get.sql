-- sched_slots_get: one slot, booked or not, and whether it can be booked now.
-- flags: retry-safe
-- $1  id           int8         the slot
-- $2  notice       interval     SchedMinNotice
-- columns:
--   id            int8         the slot
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   available     bool         bookable now, by the rule of the bookable list (sched_slot_refusal)
--   source        text         manual or schedule
--   etag          text         the ETag, without its quotes (sched_etag, sql/008)
SELECT s.id, s.provider_id, s.start_time, s.end_time, why IS NULL AS available, s.source,
       sched_etag(s.version, CASE WHEN why IS NULL THEN 'a' ELSE 'b' END) AS etag
  FROM slots s LEFT JOIN schedules sc ON sc.provider_id = s.provider_id,
       LATERAL sched_slot_context(s.provider_id, s.start_time, s.end_time, sc,
                                  $2::interval, NULL) cx,
       LATERAL sched_slot_refusal(s.id, s.start_time, s.end_time, cx.earliest, cx.latest,
                                  cx.before, cx.after, cx.occupied, cx.away, NULL) why
 WHERE s.id = $1::int8
