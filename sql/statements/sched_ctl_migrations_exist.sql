-- sched_ctl_migrations_exist: whether any migration was ever applied here.
-- flags: unprepared
-- columns:
--   present  bool  the table sched_migrations exists
SELECT to_regclass('sched_migrations') IS NOT NULL AS present
