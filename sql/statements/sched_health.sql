-- sched_health: whether the database answers (GET /health/).
-- flags: retry-safe
-- columns:
--   ok  int4  1
SELECT 1 AS ok
