-- sched_webhooks_get: one webhook, without its secret (superusers).
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the webhook
-- columns:
--   allowed       bool         the caller may read webhooks (else 403)
--   id            int8         the webhook (NULL: none such)
--   url           text
--   events        json         array of the types
--   active        bool
--   created_at    timestamptz
--   etag          text         its ETag, without its quotes (sched_etag, sql/008)
SELECT me.su AS allowed, w.id, w.url, to_json(w.events) AS events, w.active, w.created_at,
       sched_etag(w.version, NULL) AS etag
  FROM sched_principal($1::text, $2::bool) me
  LEFT JOIN webhooks w ON me.su AND w.id = $3::int8
