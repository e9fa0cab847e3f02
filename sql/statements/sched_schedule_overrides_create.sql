-- sched_schedule_overrides_create: the intervals of one local date of a provider, instead
-- of its weekly ones (by that provider or a superuser), and the provider's slots in the
-- same transaction (sched_override_save, sql/006). An interval out of range or
-- overlapping another is refused by the constraints of sql/006 (23514, 23P01, 400); a
-- second override of the date is answered (conflict).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  provider     int8         the provider
-- $4  date         date         the local date
-- $5  intervals    jsonb        the array of {"start", "end"} as sent ([]: closed that day)
-- columns:
--   allowed        bool         the caller may act for this provider (else 403)
--   provider_found bool         the provider exists (else 400)
--   conflict       text         'override': the provider has one for that date, nothing made (409)
--   id            int8         the override
--   provider_id   int8
--   local_date    date         the date, in the zone of the provider's schedule
--   intervals     json         [{"start":"09:00","end":"12:00"},...] by start ([]: closed that day)
--   kept          int8[]       reserved slots no longer due that had to stay
--   etag          text         its ETag (sched_etag, sql/008)
WITH lk AS (SELECT p.id FROM providers p, sched_acting($1::text, $2::bool) me
             WHERE p.id = $3::int8 AND sched_acts_as_provider(me, p.id)
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.*
             FROM lk, LATERAL sched_override_save(lk.id, NULL, $4::date, $5::jsonb) r)
SELECT sched_acts_as_provider(me, $3::int8) AS allowed,
       EXISTS (SELECT 1 FROM providers p WHERE p.id = $3::int8) AS provider_found,
       w.conflict,
       (w.saved).id, (w.saved).provider_id, (w.saved).local_date, w.intervals, w.kept,
       sched_etag((w.saved).version, NULL) AS etag
  FROM sched_acting($1::text, $2::bool) me LEFT JOIN w ON true
