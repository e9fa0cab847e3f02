-- sched_schedules_update: change a schedule (its provider or a superuser; the provider
-- stays), and its slots in the same transaction: the slots now due are made, the
-- future schedule slots no longer due deleted, those with an active reservation kept
-- and answered (sched_schedule_save, sql/006). NULL values are unchanged.
-- flags: principal conditional
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
-- $12  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the schedule exists (else 404)
--   allowed       bool         the caller may change it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
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
     -- the object itself, locked after its provider, as it is now: its ETag
     lo AS (SELECT o.id, sched_etag(o.version, NULL) AS etag,
                   sched_etag_met(sched_etag(o.version, NULL), $12::text[]) AS met
              FROM schedules o, lk
             WHERE o.id = $3::int8
               FOR NO KEY UPDATE OF o),
     -- what the write may touch: nothing unless If-Match holds (the function below
     -- takes its id from here, so that it runs only for a row of ok)
     ok AS (SELECT lo.id FROM lo WHERE lo.met),
     w AS (SELECT r.*
             FROM lk, ok, LATERAL sched_schedule_save(lk.id, ok.id, $4::text, $5::int4,
                                                         $6::int4, $7::int4, $8::int4, $9::bool,
                                                         $10::int4, $11::jsonb) r)
SELECT x.id IS NOT NULL AND NOT coalesce(w.gone, false)
       AND (NOT x.allowed OR lo.etag IS NOT NULL) AS visible,
       coalesce(x.allowed, false) AS allowed,
       coalesce(x.allowed AND NOT lo.met, false) AS unmet,
       coalesce(sched_etag((w.saved).version, NULL), lo.etag) AS etag,
       (w.saved).id, (w.saved).provider_id, (w.saved).time_zone, (w.saved).slot_minutes,
       (w.saved).buffer_before_minutes, (w.saved).buffer_after_minutes,
       (w.saved).min_notice_minutes, (w.saved).horizon_days, w.weekly,
       (w.saved).materialized_until, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN lo ON true LEFT JOIN w ON true
