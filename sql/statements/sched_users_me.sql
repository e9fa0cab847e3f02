-- sched_users_me: the caller's own user (no row: anonymous, unknown or inactive).
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- columns:
--   id            int8         the user
--   username      text
--   email         text         '' when none
--   is_superuser  bool
--   is_active     bool
--   date_joined   timestamptz
--   etag          text         the ETag, without its quotes (sched_etag, sql/008): it names the user, as /users/me/ is each caller's own
SELECT u.id, u.username, u.email, u.is_superuser, u.is_active, u.date_joined,
       sched_etag(u.version, 'u' || u.id) AS etag
  FROM users u, sched_principal($1::text, $2::bool) me
 WHERE u.id = me.user_id
