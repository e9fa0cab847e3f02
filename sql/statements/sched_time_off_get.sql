-- sched_time_off_get: one time off (readable by whoever may list bookable slots).
-- flags: retry-safe
-- $1  id           int8         the time off
-- columns:
--   id            int8         the time off
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   reason        text         ("" when none)
--   etag          text         the ETag, without its quotes (sched_etag, sql/008)
SELECT o.id, o.provider_id, o.start_time, o.end_time, o.reason,
       sched_etag(o.version, NULL) AS etag
  FROM time_off o
 WHERE o.id = $1::int8
