-- sched_calendar_feeds_create: a calendar feed of a provider or of a client (by its
-- own user, or a superuser), stored by the hash of its token (the module makes the
-- token, and shows it once).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  provider     int8         the provider (NULL: a client's feed)
-- $4  client       int8         the client (NULL: a provider's feed)
-- $5  token_hash   text         SHA-256 of the token, in hex
-- $6  name         text         the calendar's name (NULL: "")
-- columns:
--   allowed       bool         the caller may act for this provider or client (else 403)
--   owner_found   bool         the provider or client exists (else 400)
--   id            int8         the feed made (NULL: none)
--   provider_id   int8
--   client_id     int8
--   name          text
--   created_at    timestamptz
--   etag          text         its ETag (a feed never changes: sched_etag(1))
WITH me AS (SELECT m FROM sched_acting($1::text, $2::bool) m),
     own AS (SELECT CASE WHEN $3::int8 IS NOT NULL THEN sched_acts_as_provider(me.m, $3::int8)
                         ELSE sched_acts_as_client(me.m, $4::int8) END AS allowed,
                    EXISTS (SELECT 1 FROM providers p WHERE p.id = $3::int8)
                    OR EXISTS (SELECT 1 FROM clients c WHERE c.id = $4::int8) AS found
               FROM me),
     ins AS (INSERT INTO calendar_feeds AS f (provider_id, client_id, token_hash, name)
             SELECT $3::int8, $4::int8, decode($5::text, 'hex'), coalesce($6::text, '')
               FROM own
              WHERE own.allowed AND own.found
             RETURNING f.id, f.provider_id, f.client_id, f.name, f.created_at)
SELECT own.allowed, own.found AS owner_found, ins.id, ins.provider_id, ins.client_id,
       ins.name, ins.created_at, CASE WHEN ins.id IS NOT NULL THEN sched_etag(1, NULL) END AS etag
  FROM own LEFT JOIN ins ON true
