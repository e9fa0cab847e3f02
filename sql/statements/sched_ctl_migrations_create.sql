-- sched_ctl_migrations_create: the table that records the migrations applied.
-- flags: unprepared
CREATE TABLE IF NOT EXISTS sched_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
