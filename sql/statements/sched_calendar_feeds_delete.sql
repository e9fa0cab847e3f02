-- sched_calendar_feeds_delete: revoke a calendar feed (whoever may see it): its URL
-- is not found from this statement's commit on.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the feed
-- $4  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the feed exists and the caller may see it (else 404)
--   allowed       bool         the caller may revoke it (whoever sees it may)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (a feed never changes: sched_etag(1))
--   deleted       bool         it was deleted
WITH x AS (SELECT f.id, sched_sees_feed(me, f.provider_id, f.client_id) AS visible,
                  sched_etag(1, NULL) AS etag
             FROM calendar_feeds f, sched_acting($1::text, $2::bool) me
            WHERE f.id = $3::int8
              FOR UPDATE OF f),
     w AS (DELETE FROM calendar_feeds f USING x
            WHERE f.id = x.id AND x.visible AND sched_etag_met(x.etag, $4::text[])
           RETURNING f.id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.visible, false) AS allowed,
       coalesce(x.visible AND NOT sched_etag_met(x.etag, $4::text[]), false) AS unmet,
       x.etag, EXISTS (SELECT 1 FROM w) AS deleted
  FROM (SELECT 1) one LEFT JOIN x ON true
