-- 011: calendar feeds. A feed is a secret URL, /calendar/<token>.ics, that a calendar
-- application subscribes to without any other credential: the reservations of one
-- provider (those on its slots) or of one client, as iCalendar (RFC 5545). Only the
-- SHA-256 of the token is stored (the module hashes it; the token itself is shown
-- once, in the answer that makes the feed); deleting the row revokes the URL.
--
-- Feeds are not objects of the events (sql/007): no history, no webhook, and so no
-- copy of a row anywhere else.

CREATE TABLE calendar_feeds (
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    provider_id bigint,
    client_id   bigint,
    token_hash  bytea       NOT NULL,
    name        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_feeds_pkey PRIMARY KEY (id),
    CONSTRAINT calendar_feeds_provider_fkey FOREIGN KEY (provider_id)
        REFERENCES providers (id) ON DELETE CASCADE,
    CONSTRAINT calendar_feeds_client_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE,
    -- the feed of one provider or of one client, never both, never none
    CONSTRAINT calendar_feeds_owner_check CHECK (num_nonnulls(provider_id, client_id) = 1),
    CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash),
    CONSTRAINT calendar_feeds_token_hash_check CHECK (length(token_hash) = 32),
    CONSTRAINT calendar_feeds_name_check CHECK (octet_length(name) <= 200)
);

-- The lists' filters, and the cascades from a provider or a client.
CREATE INDEX calendar_feeds_provider_idx ON calendar_feeds (provider_id, id)
    WHERE provider_id IS NOT NULL;
CREATE INDEX calendar_feeds_client_idx ON calendar_feeds (client_id, id)
    WHERE client_id IS NOT NULL;

-- Who sees a feed (reads, lists, deletes it): superusers, and the user of its
-- provider or client. Nobody else learns that it exists.
CREATE FUNCTION sched_sees_feed(me sched_me, provider_id bigint, client_id bigint)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(me.su OR provider_id = me.provider_id OR client_id = me.client_id, false)
$$;

-- This database's identity, made once at random: the right-hand side of the UIDs of
-- the feeds' events (reservation-<id>@<uid_domain>). Every httpd server on the
-- database writes the same UID for a reservation, and a dump restored elsewhere keeps
-- it; a host name would do neither.
CREATE TABLE calendar_identity (
    one        boolean NOT NULL DEFAULT true,
    uid_domain text    NOT NULL DEFAULT gen_random_uuid()::text || '.mod-sched',
    CONSTRAINT calendar_identity_pkey PRIMARY KEY (one),
    CONSTRAINT calendar_identity_one_check CHECK (one)
);
INSERT INTO calendar_identity DEFAULT VALUES;

-- What a feed shows: every reservation of its provider or client that is active now
-- (confirmed, or pending and not expired), and those that stopped holding their slot
-- (cancelled, or expired unconfirmed) less than 30 days ago. Both at once: the instant
-- a reservation stops holding is coalesce(cancelled_at, held_until) (held_until is
-- expires_at while pending, infinity once confirmed: sql/002), and the feed shows
-- those whose instant is after now() - 30 days. This index reads exactly those rows
-- of one provider (the statement writes the same expression); a provider's
-- reservations had no index of their own. A client's are few enough to be read by
-- reservations_client_idx (sql/002) and filtered.
CREATE INDEX reservations_provider_feed_idx
    ON reservations (provider_id, (coalesce(cancelled_at, held_until)));

-- A pending reservation whose hold ran out before it was confirmed or cancelled: it
-- expired, by the database's clock, without any write.
CREATE FUNCTION sched_reservation_lapsed(r reservations) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.confirmed_at IS NULL AND r.expires_at <= coalesce(r.cancelled_at, now())
$$;

-- The SEQUENCE of a reservation's event (RFC 5545 3.8.7.4): 0 when it is made, one
-- more with each change. Every UPDATE that changes the row bumps its version
-- (sql/008): a confirmation, a reschedule, a cancellation; an expiry changes no row,
-- so it adds one of its own, which stays when an expired reservation is cancelled.
CREATE FUNCTION sched_reservation_sequence(r reservations) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.version - 1 + CASE WHEN sched_reservation_lapsed(r) THEN 1 ELSE 0 END
$$;

-- The DTSTAMP of a reservation's event: the time of its last change (without METHOD,
-- RFC 5545 3.8.7.2 makes it the time the event was last revised), not the time of the
-- request, so that the feed and its ETag stay the same while nothing changes. Each
-- change the API makes sets one of these: created_at (made), held_from (made, or
-- moved to another slot), confirmed_at, cancelled_at; an expiry happens at
-- expires_at.
CREATE FUNCTION sched_reservation_stamp(r reservations) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT greatest(r.created_at, r.held_from, r.confirmed_at, r.cancelled_at,
                    CASE WHEN sched_reservation_lapsed(r) THEN r.expires_at END)
$$;
