-- sched_schedules_create: a provider's schedule (one per provider), by that provider or
-- a superuser, and its slots from now to the horizon in the same transaction
-- (sched_schedule_save, sql/006). Values are checked by the constraints of sql/006
-- (an unknown time zone, a weekday interval out of range or overlapping another:
-- 23514 or 23P01 naming the constraint, 400). A second schedule of the provider is
-- answered (conflict), not refused by schedules_provider_key.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  provider     int8         the provider
-- $4  time_zone    text         IANA name, as pg_timezone_names spells it
-- $5  slot_minutes int4         the body's, else SchedSlotLength in minutes (required)
-- $6  buffer_before int4        NULL: 0
-- $7  buffer_after int4         NULL: 0
-- $8  min_notice   int4         NULL: SchedMinNotice applies
-- $9  horizon_days int4         NULL: 60
-- $10 weekly       jsonb        the array of {"weekday", "start", "end"} as sent (NULL: none)
-- columns:
--   allowed        bool         the caller may act for this provider (else 403)
--   provider_found bool         the provider exists (else 400)
--   conflict       text         'schedule': the provider has one already, nothing made (409)
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
--   kept                  int8[]       reserved slots that had to stay (a former schedule's, no longer due)
--   etag          text         its ETag (sched_etag, sql/008)
WITH lk AS (SELECT p.id FROM providers p, sched_acting($1::text, $2::bool) me
             WHERE p.id = $3::int8 AND sched_acts_as_provider(me, p.id)
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.*
             FROM lk, LATERAL sched_schedule_save(lk.id, NULL, $4::text, $5::int4, $6::int4,
                                                  $7::int4, $8::int4, true, $9::int4,
                                                  $10::jsonb) r)
SELECT sched_acts_as_provider(me, $3::int8) AS allowed,
       EXISTS (SELECT 1 FROM providers p WHERE p.id = $3::int8) AS provider_found,
       w.conflict,
       (w.saved).id, (w.saved).provider_id, (w.saved).time_zone, (w.saved).slot_minutes,
       (w.saved).buffer_before_minutes, (w.saved).buffer_after_minutes,
       (w.saved).min_notice_minutes, (w.saved).horizon_days, w.weekly,
       (w.saved).materialized_until, w.kept, sched_etag((w.saved).version, NULL) AS etag
  FROM sched_acting($1::text, $2::bool) me LEFT JOIN w ON true
