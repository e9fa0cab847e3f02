-- sched_webhooks_update: change a webhook (superusers). NULL values are unchanged.
-- Turning it active again resumes its pending deliveries; the events that happened
-- while it was inactive were not queued for it.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the webhook
-- $4  url          text         NULL: unchanged
-- $5  events       text[]       NULL: unchanged
-- $6  active       bool         NULL: unchanged
-- $7  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the webhook exists, or the caller may read no webhook (else 404)
--   allowed       bool         the caller may change it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   id            int8         the webhook
--   url           text
--   events        json         array of the types
--   active        bool
--   created_at    timestamptz
WITH me AS (SELECT * FROM sched_acting($1::text, $2::bool)),
     lo AS (SELECT w.id, sched_etag(w.version, NULL) AS etag,
                   sched_etag_met(sched_etag(w.version, NULL), $7::text[]) AS met
              FROM webhooks w, me
             WHERE w.id = $3::int8 AND me.su
               FOR NO KEY UPDATE OF w),
     up AS (UPDATE webhooks w
               SET url = coalesce($4::text, w.url), events = coalesce($5::text[], w.events),
                   active = coalesce($6::bool, w.active)
              FROM lo
             WHERE w.id = lo.id AND lo.met
            RETURNING w.*)
SELECT NOT me.su OR lo.id IS NOT NULL AS visible, me.su AS allowed,
       coalesce(NOT lo.met, false) AS unmet,
       coalesce(sched_etag(up.version, NULL), lo.etag) AS etag,
       up.id, up.url, to_json(up.events) AS events, up.active, up.created_at
  FROM me LEFT JOIN lo ON true LEFT JOIN up ON true
