-- sched_sessions_prune: delete ended sessions of the web interface (sql/009), a batch
-- at a time (httpd's background task runs it until it answers 0). mod_session_dbd
-- ignores them already; this keeps the table small.
-- flags: retry-safe
-- $1  batch        int8         at most this many sessions
-- columns:
--   deleted       int8         sessions deleted
WITH old AS (SELECT s.key
               FROM sessions s
              WHERE s.expiry <> 0
                AND s.expiry < (extract(epoch FROM now()) * 1000000)::int8
              ORDER BY s.expiry
              LIMIT $1::int8
                FOR UPDATE SKIP LOCKED),
     gone AS (DELETE FROM sessions s USING old WHERE s.key = old.key RETURNING s.key)
SELECT count(*)::int8 AS deleted FROM gone
