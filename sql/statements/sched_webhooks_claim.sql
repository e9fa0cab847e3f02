-- sched_webhooks_claim: due deliveries for one sender, oldest first: each gets its
-- next attempt number and a lease, so that no other sender takes it before the lease
-- runs out (SKIP LOCKED: senders on other servers take other rows). Only active
-- webhooks' deliveries are due, and a webhook has at most per_webhook attempts under
-- way at once (leases that hold), so that a slow receiver leaves places to the others.
-- flags:
-- $1  lease        interval     how long the sender may take to send them
-- $2  batch        int8         at most this many
-- $3  per_webhook  int8         attempts under way for one webhook at most
-- columns:
--   delivery_id   int8         the delivery (for sched_webhooks_record)
--   attempt       int4         the attempt this claim makes (1 the first)
--   webhook_id    int8
--   url           text         where to send it
--   secret        text         the signing key, hex
--   event_id      int8         the event: webhook-id
--   type          text         the event's type (reservation.created, ...)
--   at            timestamptz  when it happened: the body's timestamp
--   data          json         the object after the change (as it was, for a deletion)
WITH room AS (SELECT w.id,
                     $3::int8 - (SELECT count(*) FROM webhook_deliveries l
                                  WHERE l.webhook_id = w.id AND l.lease_until > now()) AS n
                FROM webhooks w
               WHERE w.active),
     cand AS (SELECT c.id
                FROM room,
                     LATERAL (SELECT d.id, d.next_attempt_at
                                FROM webhook_deliveries d
                               WHERE d.webhook_id = room.id AND d.next_attempt_at <= now()
                                 AND (d.lease_until IS NULL OR d.lease_until <= now())
                               ORDER BY d.next_attempt_at, d.id
                               LIMIT greatest(room.n, 0)) c),
     -- by id (the candidates are few), locked, and due still once locked
     due AS (SELECT d.id
               FROM webhook_deliveries d
              WHERE d.id = ANY (ARRAY(SELECT cand.id FROM cand))
                AND d.next_attempt_at <= now()
                AND (d.lease_until IS NULL OR d.lease_until <= now())
              ORDER BY d.next_attempt_at, d.id
              LIMIT $2::int8
                FOR UPDATE OF d SKIP LOCKED),
     claimed AS (UPDATE webhook_deliveries d
                    SET attempts = d.attempts + 1, lease_until = now() + $1::interval
                   FROM due
                  WHERE d.id = due.id
                 RETURNING d.id, d.attempts, d.webhook_id, d.event_id, d.next_attempt_at)
SELECT c.id AS delivery_id, c.attempts AS attempt, w.id AS webhook_id, w.url,
       encode(w.secret, 'hex') AS secret, e.id AS event_id, e.object || '.' || e.action AS type,
       e.at, coalesce(e.data, e.old_data)::json AS data
  FROM claimed c
  JOIN webhooks w ON w.id = c.webhook_id
  JOIN events e ON e.id = c.event_id
 ORDER BY c.next_attempt_at, c.id
