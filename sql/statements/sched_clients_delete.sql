-- sched_clients_delete: delete a client record and its history (superusers).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the record
-- columns:
--   visible       bool         the record exists and the caller may see it (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   deleted       bool         it was deleted
WITH x AS (SELECT t.id, sched_sees_user(me, t.user_id) AS visible, me.su AS allowed
             FROM clients t, sched_acting($1::text, $2::bool) me
            WHERE t.id = $3::int8),
     w AS (DELETE FROM clients t USING x
            WHERE t.id = x.id AND x.visible AND x.allowed
           RETURNING t.id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       EXISTS (SELECT 1 FROM w) AS deleted
  FROM (SELECT 1) one LEFT JOIN x ON true
