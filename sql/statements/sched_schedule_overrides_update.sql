-- sched_schedule_overrides_update: change an override's date or intervals (its provider
-- or a superuser), and the provider's slots in the same transaction
-- (sched_override_save, sql/006). NULL values are unchanged.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the override
-- $4  date         date         NULL: unchanged
-- $5  intervals    jsonb        replaces its intervals (NULL: unchanged; []: closed that day)
-- $6  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the override exists (else 404)
--   allowed       bool         the caller may change it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
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
     -- the object itself, locked after its provider, as it is now: its ETag
     lo AS (SELECT o.id, sched_etag(o.version, NULL) AS etag,
                   sched_etag_met(sched_etag(o.version, NULL), $6::text[]) AS met
              FROM schedule_overrides o, lk
             WHERE o.id = $3::int8
               FOR NO KEY UPDATE OF o),
     -- what the write may touch: nothing unless If-Match holds (the function below
     -- takes its id from here, so that it runs only for a row of ok)
     ok AS (SELECT lo.id FROM lo WHERE lo.met),
     w AS (SELECT r.*
             FROM lk, ok, LATERAL sched_override_save(lk.id, ok.id, $4::date, $5::jsonb) r)
SELECT x.id IS NOT NULL AND NOT coalesce(w.gone, false)
       AND (NOT x.allowed OR lo.etag IS NOT NULL) AS visible,
       coalesce(x.allowed, false) AS allowed,
       coalesce(x.allowed AND NOT lo.met, false) AS unmet,
       coalesce(sched_etag((w.saved).version, NULL), lo.etag) AS etag,
       w.conflict,
       (w.saved).id, (w.saved).provider_id, (w.saved).local_date, w.intervals, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN lo ON true LEFT JOIN w ON true
