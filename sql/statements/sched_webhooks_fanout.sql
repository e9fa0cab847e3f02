-- sched_webhooks_fanout: the events after the fan-out's position, into a delivery per
-- (webhook, event) for the webhooks that want them (sched_webhooks_fanout, sql/010).
-- httpd's webhook sender runs it until it answers 0 events; one server at a time
-- does the work (the others get 0).
-- flags: retry-safe
-- $1  batch        int8         at most this many events
-- columns:
--   events        int8         events read
--   deliveries    int8         deliveries made
SELECT f.events, f.deliveries FROM sched_webhooks_fanout($1::int8) f
