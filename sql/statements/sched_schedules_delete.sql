-- sched_schedules_delete: delete a schedule (its provider or a superuser) and its
-- future slots without an active reservation; those with one stay (kept) as slots of
-- no schedule (sched_schedule_remove, sql/006).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the schedule
-- columns:
--   visible       bool         the schedule exists (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   deleted       bool         it was deleted
--   kept          int8[]       its future slots with an active reservation, which stay
WITH x AS (SELECT sc.id, sc.provider_id, sched_acts_as_provider(me, sc.provider_id) AS allowed
             FROM schedules sc, sched_acting($1::text, $2::bool) me
            WHERE sc.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, x
             WHERE p.id = x.provider_id AND x.allowed
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.* FROM lk, x, LATERAL sched_schedule_remove(lk.id, x.id) r)
SELECT x.id IS NOT NULL AND (NOT x.allowed OR coalesce(w.deleted, false)) AS visible,
       coalesce(x.allowed, false) AS allowed,
       coalesce(w.deleted, false) AS deleted, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
