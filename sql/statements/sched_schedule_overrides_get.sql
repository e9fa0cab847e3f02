-- sched_schedule_overrides_get: one schedule override (readable by whoever may list bookable slots).
-- flags: retry-safe
-- $1  id           int8         the override
-- columns:
--   id            int8         the override
--   provider_id   int8
--   local_date    date         the date, in the zone of the provider's schedule
--   intervals     json         [{"start":"09:00","end":"12:00"},...] by start ([]: closed that day)
--   etag          text         the ETag, without its quotes (sched_etag, sql/008)
SELECT o.id, o.provider_id, o.local_date, sched_override_intervals_json(o.id) AS intervals,
       sched_etag(o.version, NULL) AS etag
  FROM schedule_overrides o
 WHERE o.id = $1::int8
