-- sched_webhook_deliveries_retry: send the event of an attempt again, now
-- (superusers), delivered or not, even after its retries were spent; the senders are
-- woken. Refused while an attempt of it is under way (its lease holds).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  webhook      int8         the webhook
-- $4  attempt      int8         an attempt of the delivery (its id in the list)
-- columns:
--   visible       bool         the attempt exists for this webhook, or the caller may read no webhook (else 404)
--   allowed       bool         the caller may retry it (else 403)
--   busy          bool         an attempt is under way: nothing changed (409)
--   id            int8         the attempt named
--   event_id      int8         its event
--   next_attempt_at timestamptz  the next attempt: now
WITH me AS (SELECT * FROM sched_acting($1::text, $2::bool)),
     a AS (SELECT at.id, at.delivery_id
             FROM webhook_attempts at, me
            WHERE me.su AND at.id = $4::int8 AND at.webhook_id = $3::int8),
     d AS (SELECT wd.id, wd.event_id, coalesce(wd.lease_until > now(), false) AS busy
             FROM webhook_deliveries wd, a
            WHERE wd.id = a.delivery_id
              FOR NO KEY UPDATE OF wd),
     up AS (UPDATE webhook_deliveries wd SET next_attempt_at = now()
              FROM d
             WHERE wd.id = d.id AND NOT d.busy
            RETURNING wd.next_attempt_at, pg_notify('sched_webhooks', '') IS NULL AS woken)
SELECT NOT me.su OR d.id IS NOT NULL AS visible, me.su AS allowed, coalesce(d.busy, false) AS busy,
       a.id, d.event_id, up.next_attempt_at
  FROM me LEFT JOIN a ON true LEFT JOIN d ON true LEFT JOIN up ON true
