-- sched_webhooks_create: a webhook (superusers). The module makes the secret.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  url          text         where to send the events (checked by the module)
-- $4  events       text[]       the event types it wants, or {*}
-- $5  secret       bytea        the signing key (24 to 64 random bytes)
-- columns:
--   allowed       bool         the caller may create webhooks (else 403)
--   id            int8         the webhook
--   url           text
--   events        json         array of the types
--   active        bool
--   created_at    timestamptz
--   secret        text         whsec_ and the key in base64 (answered here only)
--   etag          text         its ETag, without its quotes (sched_etag, sql/008)
WITH me AS (SELECT * FROM sched_acting($1::text, $2::bool)),
     w AS (INSERT INTO webhooks (url, events, secret)
           SELECT $3::text, $4::text[], $5::bytea FROM me WHERE me.su
           RETURNING *)
SELECT me.su AS allowed, w.id, w.url, to_json(w.events) AS events, w.active, w.created_at,
       'whsec_' || translate(encode(w.secret, 'base64'), E'\n', '') AS secret,
       sched_etag(w.version, NULL) AS etag
  FROM me LEFT JOIN w ON true
