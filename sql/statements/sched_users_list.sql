-- sched_users_list: a page of users by id; users see themselves, superusers everyone.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $4  rows         int8         rows to answer (the page's limit + 1: one more tells that a next page exists)
-- columns:
--   id            int8         the user
--   username      text
--   email         text         '' when none
--   is_superuser  bool
--   is_active     bool
--   date_joined   timestamptz
SELECT u.id, u.username, u.email, u.is_superuser, u.is_active, u.date_joined
  FROM users u, sched_principal($1::text, $2::bool) me
 WHERE u.id > coalesce($3::int8, 0)
   AND sched_sees_user(me, u.id)
 ORDER BY u.id
 LIMIT $4::int8
