-- sched_calendar_feeds_list: a page of calendar feeds by id, without their tokens;
-- users see those of their own provider and client, superusers all.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $4  provider     int8         ?provider= (NULL: any)
-- $5  client       int8         ?client= (NULL: any)
-- $6  rows         int8         rows to answer (the page's limit + 1)
-- columns:
--   id            int8         the feed
--   provider_id   int8         its provider (NULL: a client's feed)
--   client_id     int8         its client (NULL: a provider's feed)
--   name          text
--   created_at    timestamptz
SELECT f.id, f.provider_id, f.client_id, f.name, f.created_at
  FROM calendar_feeds f, sched_principal($1::text, $2::bool) me
 WHERE f.id > coalesce($3::int8, 0)
   AND ($4::int8 IS NULL OR f.provider_id = $4::int8)
   AND ($5::int8 IS NULL OR f.client_id = $5::int8)
   AND sched_sees_feed(me, f.provider_id, f.client_id)
 ORDER BY f.id
 LIMIT $6::int8
