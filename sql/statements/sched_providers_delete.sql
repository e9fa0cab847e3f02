-- sched_providers_delete: delete a provider record and its history (superusers).
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the record
-- $4  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the record exists and the caller may see it (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   deleted       bool         it was deleted
WITH x AS (SELECT t.id, sched_sees_user(me, t.user_id) AS visible, me.su AS allowed,
                  sched_etag(t.version, NULL) AS etag
             FROM providers t, sched_acting($1::text, $2::bool) me
            WHERE t.id = $3::int8
              FOR UPDATE OF t),
     w AS (DELETE FROM providers t USING x
            WHERE t.id = x.id AND x.visible AND x.allowed AND sched_etag_met(x.etag, $4::text[])
           RETURNING t.id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.visible AND x.allowed AND NOT sched_etag_met(x.etag, $4::text[]), false)
           AS unmet,
       x.etag, EXISTS (SELECT 1 FROM w) AS deleted
  FROM (SELECT 1) one LEFT JOIN x ON true
