-- sched_webhooks_asleep: the webhook sender of this connection says whether it waits
-- for work (then the events' trigger notifies it) or is at work (then nothing does:
-- sql/010). The first time, the rows of senders whose connections have gone are
-- deleted.
-- flags:
-- $1  asleep       bool         it waits for a notification
-- $2  first        bool         its first word on this connection
-- columns:
--   asleep        bool         as said
WITH gone AS (DELETE FROM webhook_senders w
               WHERE $2::bool AND w.pid NOT IN (SELECT a.pid FROM pg_stat_activity a
                                                 WHERE a.pid IS NOT NULL)),
     said AS (INSERT INTO webhook_senders AS w (pid, asleep) VALUES (pg_backend_pid(), $1::bool)
              ON CONFLICT ON CONSTRAINT webhook_senders_pkey
              DO UPDATE SET asleep = excluded.asleep, since = now()
              RETURNING w.asleep)
SELECT said.asleep FROM said
