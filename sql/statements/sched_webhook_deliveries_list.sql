-- sched_webhook_deliveries_list: a page of a webhook's attempts by id (superusers):
-- each try of each delivery, with what it got and when the next one is due. The first
-- row says whether the caller may read it and whether the webhook exists; a row with
-- a NULL id is an empty page.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  webhook      int8         the webhook
-- $4  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $5  rows         int8         rows to answer (the page's limit + 1: one more tells that a next page exists)
-- columns:
--   allowed       bool         the caller may read webhooks (else 403)
--   found         bool         the webhook exists (else 404)
--   id            int8         the attempt
--   event_id      int8         the event it sent (webhook-id)
--   attempt       int4         1 for the first try of the event, 2 for the next...
--   at            timestamptz  when it was sent
--   status        int4         the receiver's HTTP status (NULL: none, see error)
--   error         text         why there was no status (NULL: there was one)
--   next_attempt_at timestamptz  when the next try was due after it (NULL: none)
SELECT me.su AS allowed, w.id IS NOT NULL AS found, a.id, d.event_id, a.attempt, a.at,
       a.status, a.error, a.next_attempt_at
  FROM sched_principal($1::text, $2::bool) me
  LEFT JOIN webhooks w ON me.su AND w.id = $3::int8
  LEFT JOIN LATERAL (
        SELECT at.*
          FROM webhook_attempts at
         WHERE at.webhook_id = w.id AND at.id > coalesce($4::int8, 0)
         ORDER BY at.id
         LIMIT $5::int8) a ON true
  LEFT JOIN webhook_deliveries d ON d.id = a.delivery_id
 ORDER BY a.id
