-- sched_time_off_update: change time off (its provider or a superuser), and the
-- provider's slots in the same transaction (sched_time_off_save, sql/006). NULL
-- values are unchanged.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the time off
-- $4  start_time   timestamptz  NULL: unchanged
-- $5  end_time     timestamptz  NULL: unchanged
-- $6  reason       text         NULL: unchanged
-- $7  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the time off exists (else 404)
--   allowed       bool         the caller may change it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   conflict      text         'reservation' or 'time_off', as for create: unchanged (409)
--   id            int8         the time off
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   reason        text         ("" when none)
--   kept          int8[]       reserved slots no longer due that had to stay
WITH x AS (SELECT o.id, o.provider_id, sched_acts_as_provider(me, o.provider_id) AS allowed
             FROM time_off o, sched_acting($1::text, $2::bool) me
            WHERE o.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, x
             WHERE p.id = x.provider_id AND x.allowed
               FOR NO KEY UPDATE OF p),
     -- the object itself, locked after its provider, as it is now: its ETag
     lo AS (SELECT o.id, sched_etag(o.version, NULL) AS etag,
                   sched_etag_met(sched_etag(o.version, NULL), $7::text[]) AS met
              FROM time_off o, lk
             WHERE o.id = $3::int8
               FOR NO KEY UPDATE OF o),
     -- what the write may touch: nothing unless If-Match holds (the function below
     -- takes its id from here, so that it runs only for a row of ok)
     ok AS (SELECT lo.id FROM lo WHERE lo.met),
     w AS (SELECT r.*
             FROM lk, ok, LATERAL sched_time_off_save(lk.id, ok.id, $4::timestamptz,
                                                         $5::timestamptz, $6::text) r)
SELECT x.id IS NOT NULL AND NOT coalesce(w.gone, false)
       AND (NOT x.allowed OR lo.etag IS NOT NULL) AS visible,
       coalesce(x.allowed, false) AS allowed,
       coalesce(x.allowed AND NOT lo.met, false) AS unmet,
       coalesce(sched_etag((w.saved).version, NULL), lo.etag) AS etag,
       w.conflict,
       (w.saved).id, (w.saved).provider_id, (w.saved).start_time, (w.saved).end_time,
       (w.saved).reason, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN lo ON true LEFT JOIN w ON true
