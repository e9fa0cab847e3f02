-- sched_rollback: a connection goes back to the pool with no transaction open.
-- flags: unprepared
ROLLBACK
