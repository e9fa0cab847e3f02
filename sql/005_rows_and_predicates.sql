-- 005: the database answers rows, the module writes the JSON; the predicates that
-- the statements (sql/statements/) share are functions, defined once here.
--
-- Each predicate is one SQL expression with no subquery, so that PostgreSQL inlines
-- it into the statement that calls it and plans it as if it were written there (a
-- partial index on "cancelled_at IS NULL" still serves "sched_holds(r)").

-- Who is calling: the row of sched_principal, as one value that predicates take.
CREATE TYPE sched_me AS (user_id bigint, su boolean, client_id bigint, provider_id bigint);

-- httpd authenticates; the module passes the user name it set (NULL: anonymous) and
-- whether SchedOpenAccess is on. One row, always: an unknown or inactive user has no
-- ids, and is no superuser (unless access is open).
DROP FUNCTION sched_principal(text, boolean);
CREATE FUNCTION sched_principal(username text, open_access boolean)
RETURNS SETOF sched_me
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT u.id, coalesce(u.is_superuser, false) OR coalesce(open_access, false),
           c.id, p.id
      FROM (SELECT 1) AS one
      LEFT JOIN users u ON u.username = sched_principal.username AND u.is_active
      LEFT JOIN clients c ON c.user_id = u.id
      LEFT JOIN providers p ON p.user_id = u.id
$$;

-- A reservation holds its slot now: it is not cancelled and now lies in its hold
-- (sql/002 explains [held_from, held_until)). "Active", in the API's words.
CREATE FUNCTION sched_holds(r reservations) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.cancelled_at IS NULL AND r.held_until > now()
$$;

-- The records of a user (the user itself, its client and provider records): seen by
-- that user and by superusers.
CREATE FUNCTION sched_sees_user(me sched_me, user_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(me.su OR user_id = me.user_id, false)
$$;

-- A reservation: seen by superusers, its client and the provider of its slot.
CREATE FUNCTION sched_sees_reservation(me sched_me, client_id bigint,
                                       slot_provider_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(me.su OR client_id = me.client_id
                    OR slot_provider_id = me.provider_id, false)
$$;

-- Acting as a client (booking, confirming, moving): superusers and that client.
CREATE FUNCTION sched_acts_as_client(me sched_me, client_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(me.su OR client_id = me.client_id, false)
$$;

-- Acting as a provider (its slots): superusers and that provider.
CREATE FUNCTION sched_acts_as_provider(me sched_me, provider_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(me.su OR provider_id = me.provider_id, false)
$$;

-- Lost races, answered instead of raised. A statement that books or moves takes its
-- row locks first (the client, the slot, the provider); a rival that held them has
-- committed by the time it has them. These read with a snapshot of their own (they
-- are VOLATILE: in READ COMMITTED each query in them sees what committed before it
-- began, the rival included), so a statement can answer 409 without trying an insert
-- that the exclusion constraints of sql/002 would refuse with an error. The
-- constraints remain the guarantee.

-- Why client cannot book slot now: 'slot' when the slot is held, 'client' when the
-- client holds a slot whose time overlaps; NULL when nothing stands in the way.
-- mine: a reservation that does not count (the one being moved), or NULL. PL/pgSQL:
-- its queries' plans are kept for the session, where a SQL function's would be
-- made again on every booking.
CREATE FUNCTION sched_booking_conflict(client bigint, slot bigint, starts timestamptz,
                                       ends timestamptz, mine bigint) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM reservations r
                WHERE r.slot_id = slot AND sched_holds(r) AND r.id IS DISTINCT FROM mine) THEN
        RETURN 'slot';
    END IF;
    IF EXISTS (SELECT 1 FROM reservations r
                WHERE r.client_id = client AND sched_holds(r) AND r.id IS DISTINCT FROM mine
                  AND tstzrange(r.slot_start, r.slot_end) && tstzrange(starts, ends)) THEN
        RETURN 'client';
    END IF;
    RETURN NULL;
END
$$;

-- Whether a slot of provider overlaps [starts, ends) other than the slot that does
-- not count (mine: a slot being moved, or NULL) and than the slots of the grid
-- first, first + len, ..., last (a window posted again makes those again: skipped).
CREATE FUNCTION sched_slot_conflict(provider bigint, starts timestamptz, ends timestamptz,
                                    mine bigint, first timestamptz, last timestamptz,
                                    len interval) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM slots s
         WHERE s.provider_id = provider
           AND tstzrange(s.start_time, s.end_time) && tstzrange(starts, ends)
           AND s.id IS DISTINCT FROM mine
           AND NOT (len IS NOT NULL AND s.end_time = s.start_time + len
                    AND s.start_time >= first AND s.start_time <= last
                    AND extract(epoch FROM s.start_time - first)::numeric
                        % extract(epoch FROM len)::numeric = 0));
END
$$;

-- The guards of sql/002, with the one predicate.
CREATE OR REPLACE FUNCTION sched_slot_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A slot deleted because its provider is (a cascade, one trigger level down)
    -- was cleared by the provider's own guard.
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    IF EXISTS (SELECT 1 FROM reservations r WHERE r.slot_id = OLD.id AND sched_holds(r)) THEN
        RAISE EXCEPTION 'slot % has an active reservation', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'slots_reserved';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE OR REPLACE FUNCTION sched_client_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM reservations r
                WHERE r.client_id = OLD.id AND sched_holds(r) AND r.slot_start > now()) THEN
        RAISE EXCEPTION 'client % has upcoming active reservations', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'clients_reserved';
    END IF;
    RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION sched_provider_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM slots s JOIN reservations r ON r.slot_id = s.id
                WHERE s.provider_id = OLD.id AND sched_holds(r) AND s.start_time > now()) THEN
        RAISE EXCEPTION 'provider % has upcoming active reservations', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'providers_reserved';
    END IF;
    RETURN OLD;
END
$$;

-- An Idempotency-Key remembers the first answer by the reservation's first state
-- (the module writes the JSON); body stays for keys remembered before this.
ALTER TABLE idempotency_keys
    ALTER COLUMN body DROP NOT NULL,
    ADD COLUMN client_id bigint,
    ADD COLUMN slot_id bigint,
    ADD COLUMN reserved_at timestamptz,
    ADD COLUMN expires_at timestamptz,
    ADD CONSTRAINT idempotency_keys_answer_check
        CHECK (body IS NOT NULL OR (reservation_id IS NOT NULL AND client_id IS NOT NULL
               AND slot_id IS NOT NULL AND reserved_at IS NOT NULL
               AND expires_at IS NOT NULL));

-- The JSON is the module's now.
DROP FUNCTION sched_users_json(users);
DROP FUNCTION sched_clients_json(clients);
DROP FUNCTION sched_providers_json(providers);
DROP FUNCTION sched_slots_detail_json(slots, interval);
DROP FUNCTION sched_slot_available(slots, interval);
DROP FUNCTION sched_slots_json(slots);
DROP FUNCTION sched_reservations_json(reservations);
DROP FUNCTION sched_rfc3339(timestamptz);
