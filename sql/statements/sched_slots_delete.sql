-- sched_slots_delete: delete a slot with no active reservation (slots_reserved), by
-- its provider or a superuser.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the slot
-- columns:
--   visible       bool         the slot exists (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   deleted       bool         it was deleted
WITH x AS (SELECT s.id, true AS visible, sched_acts_as_provider(me, s.provider_id) AS allowed
             FROM slots s, sched_acting($1::text, $2::bool) me
            WHERE s.id = $3::int8),
     w AS (DELETE FROM slots s USING x
            WHERE s.id = x.id AND x.allowed
           RETURNING s.id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       EXISTS (SELECT 1 FROM w) AS deleted
  FROM (SELECT 1) one LEFT JOIN x ON true
