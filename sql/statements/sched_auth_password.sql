-- sched_auth_password: the bcrypt hash of an active user, for the "sched" authentication provider.
-- flags: retry-safe
-- $1  username  text  the user name sent with the request
-- columns:
--   password  text  its bcrypt hash
SELECT password FROM users WHERE username = $1::text AND is_active
