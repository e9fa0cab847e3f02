-- 002: available slots and appointment reservations.
--
-- The rules of booking are constraints here, so they hold whatever the handler code
-- does and however many httpd processes and servers share this database:
--
--   * a provider's slots never overlap, and end after they start;
--   * a slot has at most one active reservation;
--   * a client's active reservations never overlap in time;
--   * a slot with an active reservation is neither moved nor deleted, and a client or
--     provider with upcoming active reservations is not deleted.
--
-- "Active" depends on time: a pending reservation holds its slot only until it
-- expires, a confirmed one holds it for good, a cancelled one not at all. Rather than
-- a flag that a background job would have to clear when a hold expires, each
-- reservation records the span of time during which it holds its slot:
--
--   [held_from, held_until)   held_from:  when it was made (or moved to this slot)
--                             held_until: expires_at while pending,
--                                         'infinity' once confirmed
--   cancelled_at IS NOT NULL  it holds nothing (the exclusion constraints skip it)
--
-- Two reservations conflict only if their holds overlap. A new hold starts at now(),
-- the database's clock, so it can never overlap a hold that has already expired: an
-- expired reservation stops blocking its slot the instant it expires, with nothing
-- to clean up. A reservation is active at time t exactly when it is not cancelled and
-- t lies in its hold; "active now" is cancelled_at IS NULL AND held_until > now().

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE slots (
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    provider_id bigint      NOT NULL,
    start_time  timestamptz NOT NULL,
    end_time    timestamptz NOT NULL,
    CONSTRAINT slots_pkey PRIMARY KEY (id),
    CONSTRAINT slots_provider_fkey FOREIGN KEY (provider_id)
        REFERENCES providers (id) ON DELETE CASCADE,
    CONSTRAINT slots_time_check CHECK (end_time > start_time),
    CONSTRAINT slots_overlap EXCLUDE USING gist
        (provider_id WITH =, tstzrange(start_time, end_time) WITH &&)
);

-- The bookable list: by time, and by provider then time.
CREATE INDEX slots_start_idx ON slots (start_time, id);
CREATE INDEX slots_provider_start_idx ON slots (provider_id, start_time, id);

CREATE TABLE reservations (
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    client_id    bigint      NOT NULL,
    slot_id      bigint      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    confirmed_at timestamptz,
    cancelled_at timestamptz,
    held_from    timestamptz NOT NULL DEFAULT now(),
    held_until   timestamptz NOT NULL,
    -- The slot's times, copied when the reservation is made or moved: the client
    -- constraint below needs them in this row. They cannot go stale while the
    -- reservation is active, because an actively reserved slot cannot move.
    slot_start   timestamptz NOT NULL,
    slot_end     timestamptz NOT NULL,
    CONSTRAINT reservations_pkey PRIMARY KEY (id),
    CONSTRAINT reservations_client_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE,
    CONSTRAINT reservations_slot_fkey FOREIGN KEY (slot_id)
        REFERENCES slots (id) ON DELETE CASCADE,
    CONSTRAINT reservations_expiry_check CHECK (expires_at > created_at),
    CONSTRAINT reservations_hold_check CHECK (held_until > held_from),
    CONSTRAINT reservations_confirmed_hold_check
        CHECK ((confirmed_at IS NULL) = (held_until <> 'infinity')),
    -- A slot has at most one active reservation.
    CONSTRAINT reservations_slot_taken EXCLUDE USING gist
        (slot_id WITH =, tstzrange(held_from, held_until) WITH &&)
        WHERE (cancelled_at IS NULL),
    -- A client's active reservations never overlap in time.
    CONSTRAINT reservations_client_busy EXCLUDE USING gist
        (client_id WITH =, tstzrange(slot_start, slot_end) WITH &&,
         tstzrange(held_from, held_until) WITH &&)
        WHERE (cancelled_at IS NULL)
);

-- Whether a slot is held now (the anti-join of the bookable list), and the filters.
CREATE INDEX reservations_slot_held_idx ON reservations (slot_id, held_until)
    WHERE cancelled_at IS NULL;
CREATE INDEX reservations_client_idx ON reservations (client_id, id);

-- Idempotency-Key of POST /appointment_reservations/: the first answer, kept at
-- least 24 hours.
CREATE TABLE idempotency_keys (
    key            text        NOT NULL,
    request        text        NOT NULL,
    reservation_id bigint,
    body           text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (key),
    CONSTRAINT idempotency_keys_key_check CHECK (length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The status of a reservation, by the database clock.
CREATE FUNCTION sched_reservation_status(r reservations) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN r.cancelled_at IS NOT NULL THEN 'cancelled'
                WHEN r.confirmed_at IS NOT NULL THEN 'confirmed'
                WHEN r.expires_at <= now() THEN 'expired'
                ELSE 'pending' END
$$;

-- One expression, so that it is inlined into the lists that call it for every row.
CREATE FUNCTION sched_slots_json(s slots) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', s.id, 'provider', s.provider_id,
                             'start_time', sched_rfc3339(s.start_time),
                             'end_time', sched_rfc3339(s.end_time))::text
$$;

-- Bookable: no active reservation, and far enough ahead (notice: SchedMinNotice).
CREATE FUNCTION sched_slot_available(s slots, notice interval) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.start_time >= now() + notice
       AND NOT EXISTS (SELECT 1 FROM reservations r
                        WHERE r.slot_id = s.id AND r.cancelled_at IS NULL
                          AND r.held_until > now())
$$;

CREATE FUNCTION sched_slots_detail_json(s slots, notice interval) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', s.id, 'provider', s.provider_id,
                             'start_time', sched_rfc3339(s.start_time),
                             'end_time', sched_rfc3339(s.end_time),
                             'available', sched_slot_available(s, notice))::text
$$;

CREATE FUNCTION sched_reservations_json(r reservations) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', r.id, 'client', r.client_id, 'slot', r.slot_id,
                             'created_at', sched_rfc3339(r.created_at),
                             'confirmed', sched_reservation_status(r) = 'confirmed',
                             'status', sched_reservation_status(r),
                             'expires_at', sched_rfc3339(r.expires_at),
                             'confirmed_at', sched_rfc3339(r.confirmed_at))::text
$$;

-- Refusals that depend on time or on other rows. Each runs after the row is locked
-- and reads with a fresh snapshot (READ COMMITTED), so a booking that committed while
-- it waited for the lock is seen. A booking locks its slot (FOR NO KEY UPDATE), so a
-- slot cannot move between the check and the booking either.
CREATE FUNCTION sched_slot_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A slot deleted because its provider is (a cascade, one trigger level down)
    -- was cleared by the provider's own guard.
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    IF EXISTS (SELECT 1 FROM reservations
                WHERE slot_id = OLD.id AND cancelled_at IS NULL AND held_until > now()) THEN
        RAISE EXCEPTION 'slot % has an active reservation', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'slots_reserved';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER slots_reserved_delete BEFORE DELETE ON slots
    FOR EACH ROW EXECUTE FUNCTION sched_slot_guard();
CREATE TRIGGER slots_reserved_move BEFORE UPDATE OF provider_id, start_time, end_time
    ON slots FOR EACH ROW
    WHEN (OLD.provider_id IS DISTINCT FROM NEW.provider_id
          OR OLD.start_time IS DISTINCT FROM NEW.start_time
          OR OLD.end_time IS DISTINCT FROM NEW.end_time)
    EXECUTE FUNCTION sched_slot_guard();

CREATE FUNCTION sched_client_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM reservations
                WHERE client_id = OLD.id AND cancelled_at IS NULL
                  AND held_until > now() AND slot_start > now()) THEN
        RAISE EXCEPTION 'client % has upcoming active reservations', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'clients_reserved';
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER clients_reserved BEFORE DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION sched_client_guard();

CREATE FUNCTION sched_provider_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM slots s JOIN reservations r ON r.slot_id = s.id
                WHERE s.provider_id = OLD.id AND r.cancelled_at IS NULL
                  AND r.held_until > now() AND s.start_time > now()) THEN
        RAISE EXCEPTION 'provider % has upcoming active reservations', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'providers_reserved';
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER providers_reserved BEFORE DELETE ON providers
    FOR EACH ROW EXECUTE FUNCTION sched_provider_guard();
