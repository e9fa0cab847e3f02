-- sched_calendar_feeds_ics: what the calendar of a feed shows, found by the hash of
-- the token in its URL (no caller: the token is the credential). One row per
-- reservation of the feed's provider (on its slots) or client that is active, or
-- that stopped holding its slot (cancelled, or expired unconfirmed) less than 30 days
-- ago (sql/011), in time order; one row with no reservation (id NULL) when there is
-- none; no row when there is no such feed, or its owner's user is inactive.
-- flags: retry-safe
-- $1  token_hash   text         SHA-256 of the token, in hex
-- columns:
--   feed_name     text         the feed's name ("" when none)
--   owner_name    text         the username of its provider's or client's user
--   uid_domain    text         this database's identity (calendar_identity): the UIDs' domain
--   id            int8         the reservation (NULL: none)
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
--   slot_start    timestamptz  the time of the slot it holds or held
--   slot_end      timestamptz
--   stamp         timestamptz  its last change (sched_reservation_stamp): DTSTAMP
--   sequence      int8         its revision (sched_reservation_sequence): SEQUENCE
--   other_name    text         the username of the other party: its client's in a provider's feed, its provider's in a client's
WITH f AS (SELECT f.provider_id, f.client_id, f.name,
                  (SELECT u.username FROM users u
                    WHERE u.is_active
                      AND u.id = coalesce((SELECT p.user_id FROM providers p
                                            WHERE p.id = f.provider_id),
                                          (SELECT c.user_id FROM clients c
                                            WHERE c.id = f.client_id))) AS owner_name
             FROM calendar_feeds f
            WHERE f.token_hash = decode($1::text, 'hex'))
SELECT f.name AS feed_name, f.owner_name, ci.uid_domain, (x.r).id,
       sched_reservation_status(x.r) AS status, (x.r).slot_start, (x.r).slot_end,
       sched_reservation_stamp(x.r) AS stamp, sched_reservation_sequence(x.r) AS sequence,
       x.other_name
  FROM f CROSS JOIN calendar_identity ci
  LEFT JOIN LATERAL (
        SELECT r, (SELECT u.username FROM clients c JOIN users u ON u.id = c.user_id
                    WHERE c.id = r.client_id) AS other_name
          FROM reservations r
         WHERE r.provider_id = f.provider_id
           AND coalesce(r.cancelled_at, r.held_until) > now() - interval '30 days'
        UNION ALL
        SELECT r, (SELECT u.username FROM providers p JOIN users u ON u.id = p.user_id
                    WHERE p.id = r.provider_id) AS other_name
          FROM reservations r
         WHERE r.client_id = f.client_id
           AND coalesce(r.cancelled_at, r.held_until) > now() - interval '30 days') x ON true
 WHERE f.owner_name IS NOT NULL
 ORDER BY (x.r).slot_start, (x.r).id
