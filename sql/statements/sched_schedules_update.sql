-- sched_schedules_update: change a schedule (its provider or a superuser; the provider
-- stays), and its slots in the same transaction: the slots now due are made, the
-- future schedule slots no longer due deleted, those with an active reservation kept
-- and answered (sched_schedule_save, sql/006). NULL values are unchanged.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the schedule
-- $4  time_zone    text         NULL: unchanged
-- $5  slot_minutes int4         NULL: unchanged
-- $6  buffer_before int4        NULL: unchanged
-- $7  buffer_after int4         NULL: unchanged
-- $8  min_notice   int4         the new min_notice_minutes when min_notice_given (NULL: SchedMinNotice applies)
-- $9  min_notice_given bool     whether the request sets min_notice_minutes (to $8)
-- $10 horizon_days int4         NULL: unchanged
-- $11 weekly       jsonb        replaces the weekly intervals (NULL: unchanged)
-- columns:
--   visible       bool         the schedule exists (else 404)
--   allowed       bool         the caller may change it (else 403)
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
--   kept                  int8[]       reserved slots no longer due that had to stay
WITH x AS (SELECT sc.id, sc.provider_id, sched_acts_as_provider(me, sc.provider_id) AS allowed
             FROM schedules sc, sched_acting($1::text, $2::bool) me
            WHERE sc.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, x
             WHERE p.id = x.provider_id AND x.allowed
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.*
             FROM lk, x, LATERAL sched_schedule_save(lk.id, x.id, $4::text, $5::int4, $6::int4,
                                                     $7::int4, $8::int4, $9::bool,
                                                     $10::int4, $11::jsonb) r)
SELECT x.id IS NOT NULL AND NOT coalesce(w.gone, false) AS visible,
       coalesce(x.allowed, false) AS allowed,
       (w.saved).id, (w.saved).provider_id, (w.saved).time_zone, (w.saved).slot_minutes,
       (w.saved).buffer_before_minutes, (w.saved).buffer_after_minutes,
       (w.saved).min_notice_minutes, (w.saved).horizon_days, w.weekly,
       (w.saved).materialized_until, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
