-- sched_ctl_migration_recorded: whether one migration is applied (read under the lock).
-- flags: unprepared
-- $1  version  int4  the migration's number
-- columns:
--   recorded  int4  1
SELECT 1 AS recorded FROM sched_migrations WHERE version = $1::int4
