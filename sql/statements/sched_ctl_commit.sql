-- sched_ctl_commit: the end of a transaction of schedctl.
-- flags: unprepared
COMMIT
