-- sched_webhooks_delete: delete a webhook and its deliveries (superusers).
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the webhook
-- $4  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the webhook exists, or the caller may read no webhook (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing deleted (412)
--   etag          text         its ETag as it was
--   deleted       bool         it was deleted
WITH me AS (SELECT * FROM sched_acting($1::text, $2::bool)),
     lo AS (SELECT w.id, sched_etag(w.version, NULL) AS etag,
                   sched_etag_met(sched_etag(w.version, NULL), $4::text[]) AS met
              FROM webhooks w, me
             WHERE w.id = $3::int8 AND me.su
               FOR UPDATE OF w),
     gone AS (DELETE FROM webhooks w USING lo WHERE w.id = lo.id AND lo.met RETURNING w.id)
SELECT NOT me.su OR lo.id IS NOT NULL AS visible, me.su AS allowed,
       coalesce(NOT lo.met, false) AS unmet, lo.etag, gone.id IS NOT NULL AS deleted
  FROM me LEFT JOIN lo ON true LEFT JOIN gone ON true
