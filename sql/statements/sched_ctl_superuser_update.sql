-- sched_ctl_superuser_update: an existing user becomes an active superuser with a new
-- password (schedctl createsuperuser --update).
-- flags: unprepared
-- $1  username  text
-- $2  password  text  its bcrypt hash
-- $3  email     text  NULL: unchanged
UPDATE users SET password = $2::text, email = coalesce($3::text, email),
                 is_superuser = true, is_active = true
 WHERE username = $1::text
