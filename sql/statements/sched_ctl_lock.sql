-- sched_ctl_lock: the lock that makes concurrent `schedctl migrate` runs apply each
-- migration once: a transaction-scoped advisory lock on a key of the project's own,
-- 495874974052 (an arbitrary number that nothing else here uses).
-- flags: unprepared
SELECT pg_advisory_xact_lock(495874974052)
