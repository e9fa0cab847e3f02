-- sched_schedules_list: a page of provider schedules by id. Whoever may list bookable
-- slots may read them (the module decides, as for the slots).
-- flags: retry-safe
-- $1  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $2  provider     int8         ?provider= (NULL: any)
-- $3  rows         int8         rows to answer (the page's limit + 1)
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
SELECT sc.id, sc.provider_id, sc.time_zone, sc.slot_minutes, sc.buffer_before_minutes,
       sc.buffer_after_minutes, sc.min_notice_minutes, sc.horizon_days,
       sched_weekly_json(sc.id) AS weekly, sc.materialized_until
  FROM schedules sc
 WHERE sc.id > coalesce($1::int8, 0)
   AND ($2::int8 IS NULL OR sc.provider_id = $2::int8)
 ORDER BY sc.id
 LIMIT $3::int8
