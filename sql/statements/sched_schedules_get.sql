-- sched_schedules_get: one provider schedule (readable by whoever may list bookable slots).
-- flags: retry-safe
-- $1  id           int8         the schedule
-- columns:
--   id                    int8         the schedule
--   provider_id           int8
--   time_zone             text         IANA name
--   slot_minutes          int4
--   buffer_before_minutes int4
--   buffer_after_minutes  int4
--   min_notice_minutes    int4         NULL: SchedMinNotice applies
--   horizon_days          int4
--   weekly                json         [{"weekday":1,"start":"09:00","end":"12:00"},...] by weekday and start ([]: none)
--   materialized_until    timestamptz  its slots exist up to here (NULL: not yet made)
--   etag          text         the ETag, without its quotes (sched_etag, sql/008)
SELECT sc.id, sc.provider_id, sc.time_zone, sc.slot_minutes, sc.buffer_before_minutes,
       sc.buffer_after_minutes, sc.min_notice_minutes, sc.horizon_days,
       sched_weekly_json(sc.id) AS weekly, sc.materialized_until,
       sched_etag(sc.version, NULL) AS etag
  FROM schedules sc
 WHERE sc.id = $1::int8
