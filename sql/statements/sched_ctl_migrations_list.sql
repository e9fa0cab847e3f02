-- sched_ctl_migrations_list: the migrations applied, by version.
-- flags: unprepared
-- columns:
--   version  int4
--   name     text  its file's name (001_users_clients_providers.sql)
SELECT version, name FROM sched_migrations ORDER BY version
