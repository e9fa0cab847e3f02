-- sched_users_update: change a user. Users may change their own email and password,
-- nothing else; superusers anything. NULL parameters leave the field as it is.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the user
-- $4  username     text
-- $5  password     text         a bcrypt hash
-- $6  email        text
-- $7  is_superuser bool
-- $8  is_active    bool
-- $9  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the user exists and the caller may see it (else 404)
--   allowed       bool         the caller may make this change (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   id            int8         the user as changed (NULL: not changed)
--   username      text
--   email         text         '' when none
--   is_superuser  bool
--   is_active     bool
--   date_joined   timestamptz
WITH x AS (SELECT u.id, sched_sees_user(me, u.id) AS visible,
                  me.su OR (u.id = me.user_id AND coalesce($4::text = u.username, true)
                            AND coalesce($7::bool = u.is_superuser, true)
                            AND coalesce($8::bool = u.is_active, true)) AS allowed,
                  sched_etag(u.version, NULL) AS etag
             FROM users u, sched_acting($1::text, $2::bool) me
            WHERE u.id = $3::int8
              FOR UPDATE OF u),
     w AS (UPDATE users AS u
              SET username = coalesce($4::text, u.username),
                  password = coalesce($5::text, u.password),
                  email = coalesce($6::text, u.email),
                  is_superuser = coalesce($7::bool, u.is_superuser),
                  is_active = coalesce($8::bool, u.is_active)
             FROM x
            WHERE u.id = x.id AND x.visible AND x.allowed AND sched_etag_met(x.etag, $9::text[])
           RETURNING u.id, u.username, u.email, u.is_superuser, u.is_active, u.date_joined,
                     u.version)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.visible AND x.allowed AND NOT sched_etag_met(x.etag, $9::text[]), false)
           AS unmet,
       coalesce(sched_etag(w.version, NULL), x.etag) AS etag, w.id, w.username, w.email, w.is_superuser, w.is_active, w.date_joined
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
