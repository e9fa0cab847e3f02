-- sched_schedule_overrides_delete: delete an override (its provider or a superuser):
-- that date follows the weekly intervals again, in the same transaction
-- (sched_override_remove, sql/006).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the override
-- columns:
--   visible       bool         the override exists (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   deleted       bool         it was deleted
--   kept          int8[]       reserved slots no longer due that had to stay
WITH x AS (SELECT o.id, o.provider_id, sched_acts_as_provider(me, o.provider_id) AS allowed
             FROM schedule_overrides o, sched_acting($1::text, $2::bool) me
            WHERE o.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, x
             WHERE p.id = x.provider_id AND x.allowed
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.* FROM lk, x, LATERAL sched_override_remove(lk.id, x.id) r)
SELECT x.id IS NOT NULL AND (NOT x.allowed OR coalesce(w.deleted, false)) AS visible,
       coalesce(x.allowed, false) AS allowed,
       coalesce(w.deleted, false) AS deleted, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
