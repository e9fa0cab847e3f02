-- sched_webhooks_list: a page of webhooks by id (superusers). One row at least: a
-- first row with allowed false is a caller who may not read them; a row with a NULL
-- id is an empty page.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $4  rows         int8         rows to answer (the page's limit + 1: one more tells that a next page exists)
-- columns:
--   allowed       bool         the caller may read webhooks (else 403)
--   id            int8         the webhook
--   url           text
--   events        json         array of the types
--   active        bool
--   created_at    timestamptz
SELECT me.su AS allowed, w.id, w.url, to_json(w.events) AS events, w.active, w.created_at
  FROM sched_principal($1::text, $2::bool) me
  LEFT JOIN LATERAL (
        SELECT wh.*
          FROM webhooks wh
         WHERE me.su AND wh.id > coalesce($3::int8, 0)
         ORDER BY wh.id
         LIMIT $4::int8) w ON true
 ORDER BY w.id
