-- sched_ctl_user_exists: whether a user of that name exists (schedctl createsuperuser).
-- flags: unprepared
-- $1  username  text
-- columns:
--   found  int4  1
SELECT 1 AS found FROM users WHERE username = $1::text
