-- sched_ctl_migration_record: records a migration, in the transaction that applied it.
-- flags: unprepared
-- $1  version  int4  the migration's number
-- $2  name     text  its file's name
INSERT INTO sched_migrations (version, name) VALUES ($1::int4, $2::text)
