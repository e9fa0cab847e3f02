-- sched_webhooks_listen: the webhook sender's connection listens for the events'
-- notifications (sql/010: sched_webhooks_notify).
-- flags: unprepared
-- columns:
LISTEN sched_webhooks
