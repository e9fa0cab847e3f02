-- sched_providers_update: point a provider record at another user (superusers).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the record
-- $4  user_id      int8         NULL: unchanged
-- columns:
--   visible       bool         the record exists and the caller may see it (else 404)
--   allowed       bool         the caller may change it (else 403)
--   id            int8         the record as changed (NULL: not changed)
--   user_id       int8         its user
WITH x AS (SELECT t.id, sched_sees_user(me, t.user_id) AS visible, me.su AS allowed
             FROM providers t, sched_acting($1::text, $2::bool) me
            WHERE t.id = $3::int8),
     w AS (UPDATE providers AS t SET user_id = coalesce($4::int8, t.user_id)
             FROM x
            WHERE t.id = x.id AND x.visible AND x.allowed
           RETURNING t.id, t.user_id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       w.id, w.user_id
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
