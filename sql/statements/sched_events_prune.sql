-- sched_events_prune: delete the events older than the retention, oldest first, a
-- batch at a time (httpd's background task and schedctl prune-events run it until it
-- answers 0). Two servers running it at once take different rows (SKIP LOCKED).
-- flags: retry-safe
-- $1  retention    interval     SchedEventRetention: events older than this go
-- $2  batch        int8         at most this many events
-- columns:
--   deleted       int8         events deleted
WITH old AS (SELECT e.id
               FROM events e
              WHERE e.at < now() - $1::interval
              ORDER BY e.at
              LIMIT $2::int8
                FOR UPDATE SKIP LOCKED),
     gone AS (DELETE FROM events e USING old WHERE e.id = old.id RETURNING e.id)
SELECT count(*)::int8 AS deleted FROM gone
