-- sched_calendar_feeds_get: one calendar feed, without its token (no row: none, or not
-- the caller's to see).
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the feed
-- columns:
--   id            int8         the feed
--   provider_id   int8         its provider (NULL: a client's feed)
--   client_id     int8         its client (NULL: a provider's feed)
--   name          text
--   created_at    timestamptz
--   etag          text         the ETag, without its quotes (a feed never changes: sched_etag(1))
SELECT f.id, f.provider_id, f.client_id, f.name, f.created_at, sched_etag(1, NULL) AS etag
  FROM calendar_feeds f, sched_principal($1::text, $2::bool) me
 WHERE f.id = $3::int8
   AND sched_sees_feed(me, f.provider_id, f.client_id)
