-- sched_ctl_begin: a transaction of schedctl (a migration and the row that records it).
-- flags: unprepared
BEGIN
