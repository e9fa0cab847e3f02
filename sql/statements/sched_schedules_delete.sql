-- sched_schedules_delete: delete a schedule (its provider or a superuser) and its
-- future slots without an active reservation; those with one stay (kept) as slots of
-- no schedule (sched_schedule_remove, sql/006).
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the schedule
-- $4  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the schedule exists (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   deleted       bool         it was deleted
--   kept          int8[]       its future slots with an active reservation, which stay
WITH x AS (SELECT sc.id, sc.provider_id, sched_acts_as_provider(me, sc.provider_id) AS allowed
             FROM schedules sc, sched_acting($1::text, $2::bool) me
            WHERE sc.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, x
             WHERE p.id = x.provider_id AND x.allowed
               FOR NO KEY UPDATE OF p),
     -- the object itself, locked after its provider, as it is now: its ETag
     lo AS (SELECT o.id, sched_etag(o.version, NULL) AS etag,
                   sched_etag_met(sched_etag(o.version, NULL), $4::text[]) AS met
              FROM schedules o, lk
             WHERE o.id = $3::int8
               FOR NO KEY UPDATE OF o),
     -- what the write may touch: nothing unless If-Match holds (the function below
     -- takes its id from here, so that it runs only for a row of ok)
     ok AS (SELECT lo.id FROM lo WHERE lo.met),
     w AS (SELECT r.* FROM lk, ok, LATERAL sched_schedule_remove(lk.id, ok.id) r)
SELECT x.id IS NOT NULL AND (NOT x.allowed OR NOT coalesce(lo.met, true)
                             OR coalesce(w.deleted, false)) AS visible,
       coalesce(x.allowed, false) AS allowed,
       coalesce(x.allowed AND NOT lo.met, false) AS unmet, lo.etag,
       coalesce(w.deleted, false) AS deleted, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN lo ON true LEFT JOIN w ON true
