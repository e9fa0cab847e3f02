-- sched_schedule_overrides_update: change an override's date or intervals (its provider
-- or a superuser), and the provider's slots in the same transaction
-- (sched_override_save, sql/006). NULL values are unchanged.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the override
-- $4  date         date         NULL: unchanged
-- $5  intervals    jsonb        replaces its intervals (NULL: unchanged; []: closed that day)
-- columns:
--   visible       bool         the override exists (else 404)
--   allowed       bool         the caller may change it (else 403)
--   conflict      text         'override': another override of the provider has that date, unchanged (409)
--   id            int8         the override
--   provider_id   int8
--   local_date    date         the date, in the zone of the provider's schedule
--   intervals     json         [{"start":"09:00","end":"12:00"},...] by start ([]: closed that day)
--   kept          int8[]       reserved slots no longer due that had to stay
WITH x AS (SELECT o.id, o.provider_id, sched_acts_as_provider(me, o.provider_id) AS allowed
             FROM schedule_overrides o, sched_acting($1::text, $2::bool) me
            WHERE o.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, x
             WHERE p.id = x.provider_id AND x.allowed
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.*
             FROM lk, x, LATERAL sched_override_save(lk.id, x.id, $4::date, $5::jsonb) r)
SELECT x.id IS NOT NULL AND NOT coalesce(w.gone, false) AS visible,
       coalesce(x.allowed, false) AS allowed,
       w.conflict,
       (w.saved).id, (w.saved).provider_id, (w.saved).local_date, w.intervals, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
