-- sched_ctl_superuser_create: a new active superuser (schedctl createsuperuser).
-- flags: unprepared
-- $1  username  text
-- $2  password  text  its bcrypt hash
-- $3  email     text  '' when none
INSERT INTO users (username, password, email, is_superuser, is_active)
VALUES ($1::text, $2::text, $3::text, true, true)
