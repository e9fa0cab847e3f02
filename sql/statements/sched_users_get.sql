-- sched_users_get: one user (no row: none, or not the caller's to see).
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the user
-- columns:
--   id            int8         the user
--   username      text
--   email         text         '' when none
--   is_superuser  bool
--   is_active     bool
--   date_joined   timestamptz
--   etag          text         the ETag, without its quotes (sched_etag, sql/008)
SELECT u.id, u.username, u.email, u.is_superuser, u.is_active, u.date_joined,
       sched_etag(u.version, NULL) AS etag
  FROM users u, sched_principal($1::text, $2::bool) me
 WHERE u.id = $3::int8
   AND sched_sees_user(me, u.id)
