-- 006: provider schedules. A provider describes when it works the way people think
-- of it: weekly hours in its own time zone, a few local dates that differ
-- (overrides), and time off. The slots follow: the schedule's slots exist as
-- ordinary slots (source 'schedule') from now until now + horizon_days, made here by
-- sched_materialize in the transaction of every change, so that listing and booking
-- by slot id work as they always did. One rule then decides for listing and booking
-- alike whether a slot can be booked (sched_slot_refusal): notice, horizon, time off
-- and buffers, the last one enforced by an exclusion constraint on reservations.
--
-- Every constraint is named; the module maps the names to answers:
--   schedules_provider_key, schedule_overrides_provider_date_key (23505)   409
--   schedules_time_zone_check, schedules_*_check, schedule_intervals_*,
--   schedule_override_intervals_*, schedules_weekly_check,
--   schedule_overrides_intervals_check, time_off_time_check,
--   time_off_reason_check (23514, 23P01)                                   400
--   time_off_overlap, reservations_provider_busy (23P01)                   409
-- The statements answer the usual conflicts (a second schedule, a second override of
-- a date, overlapping time off, time off over a booking) in a column instead of
-- tripping these constraints, so that a request that loses a race leaves no ERROR in
-- PostgreSQL's log; the constraints remain the guarantee.
--
-- Times of day. A weekly interval or an override's interval is [start, end) in local
-- wall-clock minutes since midnight: start 0-1439 ("00:00" to "23:59"), end 1-1440
-- ("24:00" is the end of the day), end > start. Intervals of one weekday (of one
-- override) never overlap (exclusion constraints). Minutes rather than "time": 24:00
-- is an ordinary value, and int4range gives the exclusion constraint its ranges.
--
-- From local times to instants (sched_schedule_slots). For each local date d of the
-- span (dates are stepped as integers, never with generate_series over timestamptz,
-- whose steps would follow the session's TimeZone), the intervals of d (its
-- override's when it has one, else those of its ISO weekday) become instants with
--     (d + start minutes)::timestamp AT TIME ZONE the schedule's time_zone
-- and likewise the end; 24:00 is the next date's 00:00. Nothing depends on the
-- session's TimeZone setting. The interval is cut from its start into whole slots of
-- slot_minutes of real time; a remainder shorter than a slot is not made. So a day
-- with a DST change is 23 or 25 hours long, and a Sunday 00:00-06:00 in Europe/Paris
-- gives 5 hours of slots on 2027-03-28 (clocks skip 02:00-03:00) and 7 on 2027-10-31
-- (02:00-03:00 happens twice).
--
-- PostgreSQL's rule for a local time that does not exist or exists twice (the
-- documentation's "Handling of Invalid or Ambiguous Timestamps"), which AT TIME ZONE
-- applies here:
--   * In a gap (spring forward), the time is read with the UTC offset in force just
--     BEFORE the transition: Europe/Paris 2027-03-28 02:30 is 02:30+01:00 = 01:30Z,
--     which the clocks show as 03:30. A gap time therefore lands as far after the
--     gap as it was into it, and later than the first time after the gap (02:30 is
--     01:30Z, 03:00 is 01:00Z): an interval 02:30-03:00 that day gives no slot (its
--     end is not after its start), 02:30-04:00 gives 30 minutes from 01:30Z, and two
--     intervals that meet the gap from either side (01:00-02:30, 03:00-05:00) can
--     overlap in real time; the slot that starts earlier is made, the one it
--     overlaps is not. America/Santiago skips 00:00-01:00 on 2027-09-05: a day that
--     starts at 00:00 starts at 04:00Z (01:00 local).
--   * In an overlap (fall back), the time is read with the offset in force just
--     AFTER the transition, i.e. the second occurrence: Europe/Paris 2027-10-31 02:30
--     is 02:30+01:00 = 01:30Z, not 00:30Z. An interval that starts inside the
--     repeated hour therefore starts at its second pass; one that ends inside it
--     includes the first pass whole.
-- In most zones this amounts to "standard time when in doubt".
--
-- Slots made by the schedule start at or after now, before now + horizon_days
-- (horizon_days x 24 hours), and are neither made where time off overlaps them nor
-- where a slot of the provider (a manual one, a reserved one that a change had to
-- keep) overlaps them: manual slots win. The horizon moves forward by
-- sched_schedules_extend (a statement that httpd's background task runs).
--
-- Locks. A change of a provider's slots (a schedule, override or time off change,
-- the horizon moving, a window, a slot moved by hand) locks the provider row FOR NO
-- KEY UPDATE first, then the slots it deletes (or, for time off, covers) FOR UPDATE
-- in time order. A booking or a reschedule locks the client, then its slot and the
-- provider's slots within reach of the buffers FOR NO KEY UPDATE in time order, then
-- the provider FOR KEY SHARE, which a change's lock does not block. Slots are always
-- locked in one pass in (start_time, id) order, so rivals queue and never deadlock;
-- whoever waited then reads with a fresh snapshot and answers what it finds.

-- ---- Schedules ---------------------------------------------------------------------

CREATE TABLE schedules (
    id                    bigint      GENERATED ALWAYS AS IDENTITY,
    provider_id           bigint      NOT NULL,
    time_zone             text        NOT NULL,
    slot_minutes          integer     NOT NULL,
    buffer_before_minutes integer     NOT NULL DEFAULT 0,
    buffer_after_minutes  integer     NOT NULL DEFAULT 0,
    -- NULL: SchedMinNotice, the server's notice, applies to this provider's slots.
    min_notice_minutes    integer,
    horizon_days          integer     NOT NULL DEFAULT 60,
    -- The schedule's slots exist for every start in [now, materialized_until).
    materialized_until    timestamptz,
    CONSTRAINT schedules_pkey PRIMARY KEY (id),
    CONSTRAINT schedules_provider_key UNIQUE (provider_id),
    CONSTRAINT schedules_provider_fkey FOREIGN KEY (provider_id)
        REFERENCES providers (id) ON DELETE CASCADE,
    CONSTRAINT schedules_slot_minutes_check CHECK (slot_minutes BETWEEN 5 AND 1440),
    CONSTRAINT schedules_buffer_before_check CHECK (buffer_before_minutes BETWEEN 0 AND 1440),
    CONSTRAINT schedules_buffer_after_check CHECK (buffer_after_minutes BETWEEN 0 AND 1440),
    CONSTRAINT schedules_min_notice_check CHECK (min_notice_minutes BETWEEN 0 AND 525600),
    CONSTRAINT schedules_horizon_check CHECK (horizon_days BETWEEN 1 AND 365)
);

-- The smallest notice of any schedule bounds the index scan of the bookable list.
CREATE INDEX schedules_min_notice_idx ON schedules (min_notice_minutes);
CREATE INDEX schedules_materialized_idx ON schedules (materialized_until NULLS FIRST, id);

-- time_zone must be a zone of pg_timezone_names (IANA names, as PostgreSQL knows
-- them, spelt as it spells them: 'Europe/Paris', not 'europe/paris', nor a POSIX
-- string such as 'UTC+3' that AT TIME ZONE would also accept). A CHECK cannot read
-- a view, and a CHECK through a function declared IMMUTABLE that reads it would lie
-- (the list changes with the tz database: a zone removed by an upgrade would make a
-- stored row fail a check that passed). So a trigger checks each new or changed
-- value, and the rows already stored stay valid: PostgreSQL keeps the old names as
-- links. It raises the named CHECK violation the module maps to 400.
CREATE FUNCTION sched_schedule_time_zone_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.time_zone IS NULL
       OR NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = NEW.time_zone) THEN
        RAISE EXCEPTION 'unknown time zone: %', NEW.time_zone
            USING ERRCODE = 'check_violation', CONSTRAINT = 'schedules_time_zone_check',
                  TABLE = 'schedules', COLUMN = 'time_zone';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER schedules_time_zone_check BEFORE INSERT ON schedules
    FOR EACH ROW EXECUTE FUNCTION sched_schedule_time_zone_guard();
CREATE TRIGGER schedules_time_zone_change BEFORE UPDATE OF time_zone ON schedules
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION sched_schedule_time_zone_guard();

-- The weekly hours: rows of [start_minute, end_minute) on an ISO weekday.
CREATE TABLE schedule_intervals (
    id           bigint  GENERATED ALWAYS AS IDENTITY,
    schedule_id  bigint  NOT NULL,
    weekday      integer NOT NULL,
    start_minute integer NOT NULL,
    end_minute   integer NOT NULL,
    CONSTRAINT schedule_intervals_pkey PRIMARY KEY (id),
    CONSTRAINT schedule_intervals_schedule_fkey FOREIGN KEY (schedule_id)
        REFERENCES schedules (id) ON DELETE CASCADE,
    CONSTRAINT schedule_intervals_weekday_check CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT schedule_intervals_start_check CHECK (start_minute BETWEEN 0 AND 1439),
    CONSTRAINT schedule_intervals_end_check
        CHECK (end_minute BETWEEN 1 AND 1440 AND end_minute > start_minute),
    CONSTRAINT schedule_intervals_overlap EXCLUDE USING gist
        (schedule_id WITH =, weekday WITH =, int4range(start_minute, end_minute) WITH &&)
);

-- A local date whose intervals replace the weekly ones; none at all: closed that day.
-- By provider, so that it may exist before the schedule (it has no effect without
-- one) and survive the schedule's replacement.
CREATE TABLE schedule_overrides (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    provider_id bigint NOT NULL,
    local_date  date   NOT NULL,
    CONSTRAINT schedule_overrides_pkey PRIMARY KEY (id),
    CONSTRAINT schedule_overrides_provider_fkey FOREIGN KEY (provider_id)
        REFERENCES providers (id) ON DELETE CASCADE,
    CONSTRAINT schedule_overrides_provider_date_key UNIQUE (provider_id, local_date)
);

CREATE TABLE schedule_override_intervals (
    id           bigint  GENERATED ALWAYS AS IDENTITY,
    override_id  bigint  NOT NULL,
    start_minute integer NOT NULL,
    end_minute   integer NOT NULL,
    CONSTRAINT schedule_override_intervals_pkey PRIMARY KEY (id),
    CONSTRAINT schedule_override_intervals_override_fkey FOREIGN KEY (override_id)
        REFERENCES schedule_overrides (id) ON DELETE CASCADE,
    CONSTRAINT schedule_override_intervals_start_check CHECK (start_minute BETWEEN 0 AND 1439),
    CONSTRAINT schedule_override_intervals_end_check
        CHECK (end_minute BETWEEN 1 AND 1440 AND end_minute > start_minute),
    CONSTRAINT schedule_override_intervals_overlap EXCLUDE USING gist
        (override_id WITH =, int4range(start_minute, end_minute) WITH &&)
);

-- Time off: [start_time, end_time) of a provider. No slot of the provider that
-- overlaps it is listed or bookable, no schedule slot is made there, and it is not
-- made over an active reservation (the statements answer that conflict). One
-- provider's time off never overlaps (time_off_overlap): each instant has at most one
-- reason, and changing or deleting one never reopens time that another still closes.
-- Adjacent ones are fine.
CREATE TABLE time_off (
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    provider_id bigint      NOT NULL,
    start_time  timestamptz NOT NULL,
    end_time    timestamptz NOT NULL,
    reason      text        NOT NULL DEFAULT '',
    CONSTRAINT time_off_pkey PRIMARY KEY (id),
    CONSTRAINT time_off_provider_fkey FOREIGN KEY (provider_id)
        REFERENCES providers (id) ON DELETE CASCADE,
    CONSTRAINT time_off_time_check CHECK (end_time > start_time),
    CONSTRAINT time_off_reason_check CHECK (length(reason) <= 1000),
    CONSTRAINT time_off_overlap EXCLUDE USING gist
        (provider_id WITH =, tstzrange(start_time, end_time) WITH &&)
);

-- ---- Slots and reservations ----------------------------------------------------------

-- Where a slot comes from: 'manual' (a window posted by hand, or a slot moved by
-- hand) or 'schedule' (made by sched_materialize), with the schedule that made it
-- (NULL for manual ones, and once that schedule is deleted).
ALTER TABLE slots
    ADD COLUMN source text NOT NULL DEFAULT 'manual',
    ADD COLUMN schedule_id bigint,
    ADD CONSTRAINT slots_source_check CHECK (source IN ('manual', 'schedule')),
    ADD CONSTRAINT slots_schedule_source_check CHECK (source = 'schedule' OR schedule_id IS NULL),
    ADD CONSTRAINT slots_schedule_fkey FOREIGN KEY (schedule_id)
        REFERENCES schedules (id) ON DELETE SET NULL;

CREATE INDEX slots_schedule_idx ON slots (schedule_id) WHERE schedule_id IS NOT NULL;

-- Buffers. An active reservation occupies [slot start - buffer_before, slot end +
-- buffer_after) of its provider's time (the buffers of the provider's schedule when it
-- was booked or moved; none without a schedule), and no two occupations of one
-- provider overlap while both hold: reservations_provider_busy, beside the
-- constraints of sql/002 and like them. The provider and the occupation are copied
-- into the reservation when it is made or moved; they cannot go stale while it is
-- active, because an actively reserved slot cannot move. A later change of the
-- buffers applies to bookings made after it.
ALTER TABLE reservations
    ADD COLUMN provider_id bigint,
    ADD COLUMN occupation tstzrange;

UPDATE reservations r
   SET provider_id = s.provider_id, occupation = tstzrange(r.slot_start, r.slot_end)
  FROM slots s
 WHERE s.id = r.slot_id;

ALTER TABLE reservations
    ALTER COLUMN provider_id SET NOT NULL,
    ALTER COLUMN occupation SET NOT NULL,
    ADD CONSTRAINT reservations_occupation_check
        CHECK (occupation @> tstzrange(slot_start, slot_end)),
    ADD CONSTRAINT reservations_provider_busy EXCLUDE USING gist
        (provider_id WITH =, occupation WITH &&, tstzrange(held_from, held_until) WITH &&)
        WHERE (cancelled_at IS NULL);

-- Deleting slots deletes their reservations (history of slots that a change of the
-- schedule removes, and of DELETE /available_slots/): by slot, whatever their state.
CREATE INDEX reservations_slot_idx ON reservations (slot_id);

-- The occupation of [starts, ends) of provider's time: its schedule's buffers around it.
CREATE FUNCTION sched_occupation(provider bigint, starts timestamptz, ends timestamptz)
RETURNS tstzrange
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT tstzrange(starts - make_interval(mins => coalesce(sc.buffer_before_minutes, 0)),
                     ends + make_interval(mins => coalesce(sc.buffer_after_minutes, 0)))
      FROM (SELECT 1) one
      LEFT JOIN schedules sc ON sc.provider_id = sched_occupation.provider
$$;

-- The statements set provider_id and occupation. A reservation inserted or moved by
-- other means (a test, a benchmark's seed, a DBA) gets them from its slot.
CREATE FUNCTION sched_reservation_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.provider_id IS NOT NULL AND NEW.occupation IS NOT NULL THEN
        RETURN NEW;
    END IF;
    SELECT s.provider_id INTO NEW.provider_id FROM slots s WHERE s.id = NEW.slot_id;
    NEW.occupation := sched_occupation(NEW.provider_id, NEW.slot_start, NEW.slot_end);
    RETURN NEW;
END
$$;

CREATE TRIGGER reservations_fill BEFORE INSERT ON reservations
    FOR EACH ROW WHEN (NEW.provider_id IS NULL OR NEW.occupation IS NULL)
    EXECUTE FUNCTION sched_reservation_fill();
CREATE TRIGGER reservations_refill BEFORE UPDATE OF slot_id, slot_start, slot_end
    ON reservations FOR EACH ROW
    WHEN ((OLD.slot_id IS DISTINCT FROM NEW.slot_id
           OR OLD.slot_start IS DISTINCT FROM NEW.slot_start
           OR OLD.slot_end IS DISTINCT FROM NEW.slot_end)
          AND OLD.occupation IS NOT DISTINCT FROM NEW.occupation)
    EXECUTE FUNCTION sched_reservation_fill();

-- ---- Intervals in and out -------------------------------------------------------------

-- Minutes since midnight of a JSON "HH:MM" (00:00-23:59, or 24:00 = 1440); -1 for
-- anything else, which the CHECK constraints of the intervals then refuse by name.
CREATE FUNCTION sched_minute(v jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(v) = 'string'
                     AND (v #>> '{}') ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                THEN substr(v #>> '{}', 1, 2)::integer * 60 + substr(v #>> '{}', 4, 2)::integer
                WHEN v = '"24:00"' THEN 1440
                ELSE -1 END
$$;

-- The ISO weekday of a JSON integer 1-7; 0 (refused by the CHECK) for anything else.
CREATE FUNCTION sched_weekday(v jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(v) = 'number' AND v::text ~ '^[1-7]$'
                THEN v::text::integer ELSE 0 END
$$;

-- "HH:MM" of minutes since midnight ("24:00" for 1440).
CREATE FUNCTION sched_hhmm(m integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lpad((m / 60)::text, 2, '0') || ':' || lpad((m % 60)::text, 2, '0')
$$;

-- The elements of a JSON array of intervals; anything but an array is refused with
-- the named CHECK violation constraint_name.
CREATE FUNCTION sched_json_elements(v jsonb, constraint_name text) RETURNS SETOF jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF jsonb_typeof(v) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'intervals must be a JSON array'
            USING ERRCODE = 'check_violation', CONSTRAINT = constraint_name;
    END IF;
    RETURN QUERY SELECT e FROM jsonb_array_elements(v) e;
END
$$;

-- The weekly intervals of a schedule as the API shows them, by weekday and start:
-- [{"weekday":1,"start":"09:00","end":"12:00"}, ...]. Numbers and "HH:MM" only, so
-- nothing needs escaping.
CREATE FUNCTION sched_weekly_json(schedule bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ('[' || coalesce(string_agg('{"weekday":' || i.weekday
                                       || ',"start":"' || sched_hhmm(i.start_minute)
                                       || '","end":"' || sched_hhmm(i.end_minute) || '"}',
                                       ',' ORDER BY i.weekday, i.start_minute), '')
            || ']')::json
      FROM schedule_intervals i
     WHERE i.schedule_id = sched_weekly_json.schedule
$$;

-- The intervals of an override: [{"start":"09:00","end":"12:00"}, ...]; [] closed.
CREATE FUNCTION sched_override_intervals_json(override bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ('[' || coalesce(string_agg('{"start":"' || sched_hhmm(i.start_minute)
                                       || '","end":"' || sched_hhmm(i.end_minute) || '"}',
                                       ',' ORDER BY i.start_minute), '')
            || ']')::json
      FROM schedule_override_intervals i
     WHERE i.override_id = sched_override_intervals_json.override
$$;

-- ---- Materialization ------------------------------------------------------------------

-- The slots schedule sc makes that start in [lo, hi), by the rules at the top of this
-- file: local dates stepped as integers from the day before lo's local date (an
-- interval of that date may reach into the span) to hi's; each date's intervals (its
-- override's if it has one, else its weekday's) turned into instants in the
-- schedule's zone and cut from their start into whole slots; none that time off of
-- the provider overlaps. Slots of the provider that are in the way are not looked at
-- here (sched_materialize skips them). Independent of the session's TimeZone.
CREATE FUNCTION sched_schedule_slots(sc schedules, lo timestamptz, hi timestamptz)
RETURNS TABLE (start_time timestamptz, end_time timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH span AS (
        SELECT (lo AT TIME ZONE sc.time_zone)::date - 1 AS first,
               (hi AT TIME ZONE sc.time_zone)::date AS last
    ), days AS (
        SELECT span.first + i AS d
          FROM span, generate_series(0, span.last - span.first) i
    ), local AS (
        SELECT days.d, oi.start_minute, oi.end_minute
          FROM days
          JOIN schedule_overrides o ON o.provider_id = sc.provider_id AND o.local_date = days.d
          JOIN schedule_override_intervals oi ON oi.override_id = o.id
        UNION ALL
        SELECT days.d, wi.start_minute, wi.end_minute
          FROM days
          JOIN schedule_intervals wi ON wi.schedule_id = sc.id
                                    AND wi.weekday = extract(isodow FROM days.d)
         WHERE NOT EXISTS (SELECT 1 FROM schedule_overrides o
                            WHERE o.provider_id = sc.provider_id AND o.local_date = days.d)
    ), spans AS (
        SELECT (local.d + make_interval(mins => local.start_minute)) AT TIME ZONE sc.time_zone AS a,
               (local.d + make_interval(mins => local.end_minute)) AT TIME ZONE sc.time_zone AS b
          FROM local
    ), cut AS (
        SELECT spans.a + make_interval(mins => sc.slot_minutes * k) AS t
          FROM spans,
               generate_series(0, floor((extract(epoch FROM spans.b) - extract(epoch FROM spans.a))
                                        / (60 * sc.slot_minutes))::integer - 1) k
    ), off AS (
        -- The provider's time off from lo on, as one multirange: one lookup per slot.
        SELECT range_agg(tstzrange(o.start_time, o.end_time)) AS m
          FROM time_off o
         WHERE o.provider_id = sc.provider_id
           AND tstzrange(o.start_time, o.end_time) && tstzrange(lo, NULL)
    )
    SELECT cut.t, cut.t + make_interval(mins => sc.slot_minutes)
      FROM cut, off
     WHERE cut.t >= lo AND cut.t < hi
       AND NOT coalesce(off.m && tstzrange(cut.t, cut.t + make_interval(mins => sc.slot_minutes)),
                        false)
$$;

-- A slot with an active reservation is not deleted (sched_slot_guard, sql/002): a
-- check per row, a call of PL/pgSQL each. sched_materialize_counts deletes a
-- schedule's slots a thousand at a time, having locked them and checked them itself
-- (the same predicate, with a snapshot taken after its locks); it says so for that one
-- statement with the transaction-local setting sched.guarded, and the trigger's WHEN
-- lets those rows through without the call.
DROP TRIGGER slots_reserved_delete ON slots;
CREATE TRIGGER slots_reserved_delete BEFORE DELETE ON slots
    FOR EACH ROW WHEN (current_setting('sched.guarded', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION sched_slot_guard();

-- Makes provider's schedule slots due in the span [from_ts, to_ts) and deletes its
-- schedule slots of the span that are no longer due (to_ts 'infinity': all of its
-- future ones beyond the horizon too), in the caller's transaction:
--
--   1. the span starts at now at the earliest (past slots are history); slots are due
--      up to now + horizon_days at the latest; without a schedule none is;
--   2. the provider's schedule slots that start in the span and are not due, exactly
--      as they are, and have no active reservation are locked (FOR UPDATE, in time
--      order: a booking in flight on one finishes first) and deleted unless a booking
--      took one meanwhile; those with an active reservation are kept and answered;
--   3. the due slots that no slot of the provider overlaps (manual ones win, kept
--      ones stay) are inserted, earlier ones first;
--   4. materialized_until moves to the end of the slots due, when the span joins
--      what was made before (starts at now, or at or before materialized_until).
--
-- It locks the provider row (FOR NO KEY UPDATE) first, as every change of a
-- provider's slots does, so that changes of one provider queue; each step reads with
-- a fresh snapshot, seeing what a rival that held the lock committed. Returns how
-- many slots it made and deleted, and the ids of the reserved slots it kept.
CREATE FUNCTION sched_materialize_counts(provider bigint, from_ts timestamptz, to_ts timestamptz,
                                         OUT made integer, OUT removed integer,
                                         OUT kept bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    sc schedules;
    lo timestamptz := greatest(from_ts, now());
    hi timestamptz := greatest(from_ts, now());
    due tstzrange[] := '{}';
    doomed bigint[];
    taken tstzmultirange;
BEGIN
    made := 0;
    removed := 0;
    kept := '{}';
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    IF NOT FOUND OR to_ts <= lo THEN
        RETURN;
    END IF;
    SELECT * INTO sc FROM schedules s WHERE s.provider_id = provider;
    IF sc.id IS NOT NULL THEN
        hi := greatest(lo, least(to_ts, now() + make_interval(mins => sc.horizon_days * 1440)));
        due := ARRAY(SELECT tstzrange(d.start_time, d.end_time)
                       FROM sched_schedule_slots(sc, lo, hi) d ORDER BY d.start_time);
    END IF;

    -- The statements that compare the slots with those due run with EXECUTE: planned
    -- for this call's arrays (a thousand ranges for a horizon), not by the generic
    -- plan that the module's sessions keep (src/sched_conn.c), which takes such an
    -- array for ten rows and compares every slot with every range: replacing a
    -- schedule of 1,000 slots took 200 ms that way, 50 ms so (bench: schedules).
    --
    -- Only the slots to delete are locked: a reserved one stays unlocked, so that a
    -- change locks no more than what it deletes, in one pass in time order.
    EXECUTE $q$
        SELECT coalesce(array_agg(x.id), '{}')
          FROM (SELECT s.id FROM slots s
                 WHERE s.provider_id = $1 AND s.source = 'schedule'
                   AND s.start_time >= $3 AND s.start_time < $4
                   AND NOT EXISTS (SELECT 1 FROM unnest($2::tstzrange[]) d
                                    WHERE d = tstzrange(s.start_time, s.end_time))
                   AND NOT EXISTS (SELECT 1 FROM reservations r
                                    WHERE r.slot_id = s.id AND sched_holds(r))
                 ORDER BY s.start_time, s.id
                   FOR UPDATE OF s) x
    $q$ INTO doomed USING provider, due, lo, to_ts;
    -- Fresh snapshots from here: a booking that held one of them has committed.
    IF cardinality(doomed) > 0 THEN
        PERFORM set_config('sched.guarded', 'on', true);
        DELETE FROM slots s
         WHERE s.id = ANY (doomed)
           AND NOT EXISTS (SELECT 1 FROM reservations r
                            WHERE r.slot_id = s.id AND sched_holds(r));
        GET DIAGNOSTICS removed = ROW_COUNT;
        PERFORM set_config('sched.guarded', 'off', true);
    END IF;
    EXECUTE $q$
        SELECT ARRAY(SELECT s.id FROM slots s
                      WHERE s.provider_id = $1 AND s.source = 'schedule'
                        AND s.start_time >= $3 AND s.start_time < $4
                        AND NOT EXISTS (SELECT 1 FROM unnest($2::tstzrange[]) d
                                         WHERE d = tstzrange(s.start_time, s.end_time))
                        AND EXISTS (SELECT 1 FROM reservations r
                                     WHERE r.slot_id = s.id AND sched_holds(r))
                      ORDER BY s.start_time, s.id)
    $q$ INTO kept USING provider, due, lo, to_ts;

    IF cardinality(due) > 0 THEN
        -- The provider's slots from lo on, as one multirange: one lookup per slot due.
        SELECT range_agg(tstzrange(x.start_time, x.end_time)) INTO taken
          FROM slots x
         WHERE x.provider_id = provider
           AND tstzrange(x.start_time, x.end_time) && tstzrange(lo, NULL);
        -- Of slots due that overlap (a local time in a DST gap: two intervals may
        -- meet one instant), the first: the slots of a provider never overlap.
        EXECUTE $q$
            INSERT INTO slots AS s (provider_id, start_time, end_time, source, schedule_id)
            SELECT $1, lower(x.d), upper(x.d), 'schedule', $2
              FROM (SELECT f.d, max(upper(f.d)) OVER (ORDER BY lower(f.d), upper(f.d)
                                                      ROWS BETWEEN UNBOUNDED PRECEDING
                                                               AND 1 PRECEDING) AS reach
                      FROM unnest($3::tstzrange[]) f(d)
                     WHERE NOT coalesce($4::tstzmultirange && f.d, false)) x
             WHERE x.reach IS NULL OR x.reach <= lower(x.d)
             ORDER BY lower(x.d)
        $q$ USING provider, sc.id, due, taken;
        GET DIAGNOSTICS made = ROW_COUNT;
    END IF;

    IF sc.id IS NOT NULL THEN
        UPDATE schedules s
           SET materialized_until = CASE WHEN to_ts = 'infinity' THEN hi
                                         ELSE greatest(s.materialized_until, hi) END
         WHERE s.id = sc.id AND lo <= greatest(coalesce(s.materialized_until, lo), now());
    END IF;
END
$$;

-- The reserved slots kept, of sched_materialize_counts (the API's "kept").
CREATE FUNCTION sched_materialize(provider bigint, from_ts timestamptz, to_ts timestamptz)
RETURNS bigint[]
LANGUAGE sql VOLATILE AS $$
    SELECT (sched_materialize_counts(provider, from_ts, to_ts)).kept
$$;

-- ---- One rule for listing and booking ------------------------------------------------

-- Whether a slot starting at starts is too near or too far by its provider's
-- schedule: 'soon' before now + min_notice minutes (NULL: the provider has no
-- schedule, or its schedule names no notice; then notice, SchedMinNotice, applies),
-- 'far' at or after now + horizon days of 24 hours (NULL: no limit, the provider has
-- no schedule); NULL otherwise. Manual slots included. One expression, each argument
-- used once, so that it is inlined wherever it is called.
CREATE FUNCTION sched_slot_timing(starts timestamptz, min_notice integer, horizon integer,
                                  notice interval) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN starts < now() + coalesce(make_interval(mins => min_notice), notice)
                THEN 'soon'
                WHEN starts >= now() + make_interval(mins => horizon * 1440) THEN 'far'
           END
$$;

-- What stands in a provider's way over [from_ts, to_ts), each answered once per
-- statement (or per slot of a list of every provider) as a multirange, so that the
-- rule below asks each slot with a comparison in memory instead of an index scan:
--   sched_occupied  the occupations of the provider's active reservations but mine
--                   (reservations_provider_busy finds them);
--   sched_away      the provider's time off (time_off_overlap's index).
-- Set-returning functions of one row, so that PostgreSQL inlines them into the
-- statement that asks, (SELECT m FROM sched_occupied(...) m), and keeps their plan
-- with the statement's.
CREATE FUNCTION sched_occupied(provider bigint, from_ts timestamptz, to_ts timestamptz,
                               mine bigint) RETURNS SETOF tstzmultirange
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT coalesce(range_agg(r.occupation), '{}')
      FROM reservations r
     WHERE r.provider_id = provider AND sched_holds(r)
       AND (mine IS NULL OR r.id <> mine)
       AND r.occupation && tstzrange(from_ts, to_ts)
$$;

CREATE FUNCTION sched_away(provider bigint, from_ts timestamptz, to_ts timestamptz)
RETURNS SETOF tstzmultirange
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT coalesce(range_agg(tstzrange(o.start_time, o.end_time)), '{}')
      FROM time_off o
     WHERE o.provider_id = provider
       AND tstzrange(o.start_time, o.end_time) && tstzrange(from_ts, to_ts)
$$;

-- What the rule below needs to judge the slot [starts, ends) of provider, whose
-- schedule is sc (NULL: none): the earliest and the latest start allowed by the
-- schedule's notice (or notice, SchedMinNotice) and horizon (none without a
-- schedule), the buffers, and what stands in the way of the slot's occupation (the
-- slot widened by the buffers): the occupations and time off that overlap it. A list
-- of one provider computes the same once for its whole window, a day either side
-- (the longest buffers: schedules_buffer_*_check; sched_slots_list_provider).
CREATE FUNCTION sched_slot_context(provider bigint, starts timestamptz, ends timestamptz,
                                   sc schedules, notice interval, mine bigint)
RETURNS TABLE (earliest timestamptz, latest timestamptz, before interval, after interval,
               occupied tstzmultirange, away tstzmultirange)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT now() + coalesce(make_interval(mins => sc.min_notice_minutes), notice),
           coalesce(now() + make_interval(mins => sc.horizon_days * 1440), 'infinity'),
           make_interval(mins => coalesce(sc.buffer_before_minutes, 0)),
           make_interval(mins => coalesce(sc.buffer_after_minutes, 0)),
           (SELECT m FROM sched_occupied(
                provider,
                starts - make_interval(mins => coalesce(sc.buffer_before_minutes, 0)),
                ends + make_interval(mins => coalesce(sc.buffer_after_minutes, 0)), mine) m),
           (SELECT m FROM sched_away(provider, starts, ends) m)
$$;

-- Why the slot [starts, ends) (id slot) cannot be booked now; NULL when it can. The
-- one rule of the bookable lists, of a slot's "available", of booking and of
-- rescheduling:
--   'soon'      it starts before earliest (now + the notice);
--   'far'       at or after latest (now + the schedule's horizon);
--   'slot'      it has an active reservation;
--   'time_off'  time off of its provider (away) overlaps it;
--   'buffer'    its occupation, [starts - before, ends + after), overlaps the
--               occupation of another active reservation of the provider (occupied):
--               reservations_provider_busy would refuse the booking.
-- The other arguments come from sched_slot_context (or the same computed once for a
-- list); mine: a reservation that does not count (the one being moved), or NULL.
--
-- A slot whose own reservation holds it is in occupied too (an occupation holds its
-- slot: reservations_occupation_check), so a slot that nothing stands in the way of
-- costs two comparisons of instants and two of multiranges, in memory; only a refused
-- one asks which reason applies. A set-returning SQL function of one row, so that
-- PostgreSQL inlines it where it is called (FROM ..., LATERAL sched_slot_refusal(...)
-- why WHERE why IS NULL) and the lists keep their index scans. STABLE: it reads with
-- the caller's snapshot; sched_booking_refusal calls it with a fresh one.
CREATE FUNCTION sched_slot_refusal(slot bigint, starts timestamptz, ends timestamptz,
                                   earliest timestamptz, latest timestamptz,
                                   before interval, after interval,
                                   occupied tstzmultirange, away tstzmultirange,
                                   mine bigint)
RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT CASE
        WHEN starts < earliest THEN 'soon'
        WHEN starts >= latest THEN 'far'
        WHEN NOT (away && tstzrange(starts, ends))
             AND NOT (occupied && tstzrange(starts - before, ends + after))
            THEN NULL
        WHEN EXISTS (SELECT 1 FROM reservations r
                      WHERE r.slot_id = slot AND sched_holds(r)
                        AND (mine IS NULL OR r.id <> mine))
            THEN 'slot'
        WHEN away && tstzrange(starts, ends) THEN 'time_off'
        ELSE 'buffer'
    END
$$;

-- Why client cannot book slot now (sched_slot_refusal's reasons, then 'client': the
-- client holds a slot whose time overlaps), or NULL. As sched_booking_conflict of
-- sql/005, it reads with a snapshot of its own, taken after the caller's row locks,
-- and so sees a rival that held them and committed. mine: the reservation being
-- moved, or NULL. PL/pgSQL, so that its query is planned once per session (a
-- VOLATILE SQL function is planned at every call: 2 ms of each booking).
CREATE FUNCTION sched_booking_refusal(client bigint, slot bigint, notice interval, mine bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN coalesce(
        (SELECT why
           FROM slots s LEFT JOIN schedules sc ON sc.provider_id = s.provider_id,
                LATERAL sched_slot_context(s.provider_id, s.start_time, s.end_time, sc,
                                           notice, mine) cx,
                LATERAL sched_slot_refusal(s.id, s.start_time, s.end_time, cx.earliest,
                                           cx.latest, cx.before, cx.after, cx.occupied,
                                           cx.away, mine) why
          WHERE s.id = slot),
        (SELECT 'client' FROM slots s
          WHERE s.id = slot
            AND EXISTS (SELECT 1 FROM reservations r
                         WHERE r.client_id = client AND sched_holds(r)
                           AND r.id IS DISTINCT FROM mine
                           AND tstzrange(r.slot_start, r.slot_end)
                               && tstzrange(s.start_time, s.end_time))));
END
$$;

-- Room for a manual window (or a slot moved by hand) [starts, ends) of provider: the
-- provider's schedule slots that overlap it are locked (in time order); any other
-- overlapping slot but mine and the identical manual slots of the grid first, first
-- + len, ..., last (as sched_slot_conflict) is a conflict, and so is an overlapping
-- schedule slot with an active reservation: then it answers true and changes
-- nothing. Otherwise it deletes the overlapping schedule slots (a manual window
-- replaces them) and answers false. Call it under the provider's row lock.
CREATE FUNCTION sched_window_clear(provider bigint, starts timestamptz, ends timestamptz,
                                   mine bigint, first timestamptz, last timestamptz,
                                   len interval) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM slots s
      WHERE s.provider_id = provider AND s.source = 'schedule'
        AND tstzrange(s.start_time, s.end_time) && tstzrange(starts, ends)
        AND s.id IS DISTINCT FROM mine
      ORDER BY s.start_time, s.id
        FOR UPDATE OF s;
    IF EXISTS (SELECT 1 FROM slots s
                WHERE s.provider_id = provider
                  AND tstzrange(s.start_time, s.end_time) && tstzrange(starts, ends)
                  AND s.id IS DISTINCT FROM mine
                  AND NOT (s.source = 'manual' AND len IS NOT NULL
                           AND s.end_time = s.start_time + len
                           AND s.start_time IN (SELECT g FROM generate_series(first, last, len) g))
                  AND (s.source = 'manual'
                       OR EXISTS (SELECT 1 FROM reservations r
                                   WHERE r.slot_id = s.id AND sched_holds(r)))) THEN
        RETURN true;
    END IF;
    DELETE FROM slots s
     WHERE s.provider_id = provider AND s.source = 'schedule'
       AND tstzrange(s.start_time, s.end_time) && tstzrange(starts, ends)
       AND s.id IS DISTINCT FROM mine;
    RETURN false;
END
$$;

-- ---- Changes of schedules, overrides and time off ----------------------------------------
--
-- Each change runs with its slots in one transaction: it locks the provider row (FOR
-- NO KEY UPDATE: after a rival change of that provider, a window or a slot move has
-- committed), reads what is in the way with a fresh snapshot, answers a conflict
-- instead of tripping a constraint, writes, then calls sched_materialize from now on.
-- Each answers the reserved slots that it had to keep (kept) and, for a change by id,
-- whether the row went away meanwhile (gone). The statements of sql/statements/
-- authorize the caller and call them.

-- Create (schedule NULL) or change provider's schedule. NULL values are unchanged
-- (on create: the defaults; slot_len and tz are required), but min_notice_minutes
-- takes notice_min (NULL: SchedMinNotice) whenever notice_given. new_weekly, a JSON
-- array of {"weekday", "start", "end"}, replaces the weekly intervals (NULL:
-- unchanged; on create, none). conflict 'schedule': the provider has one already.
-- Answers the schedule and its weekly intervals (sched_weekly_json) as saved.
CREATE FUNCTION sched_schedule_save(provider bigint, schedule bigint, tz text, slot_len integer,
                                    before_min integer, after_min integer,
                                    notice_min integer, notice_given boolean,
                                    horizon integer, new_weekly jsonb,
                                    OUT conflict text, OUT gone boolean,
                                    OUT saved schedules, OUT weekly json, OUT kept bigint[])
LANGUAGE plpgsql AS $$
BEGIN
    gone := false;
    kept := '{}';
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        gone := true;
        RETURN;
    END IF;
    IF schedule IS NULL THEN
        IF EXISTS (SELECT 1 FROM schedules s WHERE s.provider_id = provider) THEN
            conflict := 'schedule';
            RETURN;
        END IF;
        INSERT INTO schedules AS s (provider_id, time_zone, slot_minutes, buffer_before_minutes,
                                    buffer_after_minutes, min_notice_minutes, horizon_days)
        VALUES (provider, tz, slot_len, coalesce(before_min, 0), coalesce(after_min, 0),
                notice_min, coalesce(horizon, 60))
        RETURNING s.* INTO saved;
        new_weekly := coalesce(new_weekly, '[]');
    ELSE
        UPDATE schedules s
           SET time_zone = coalesce(tz, s.time_zone),
               slot_minutes = coalesce(slot_len, s.slot_minutes),
               buffer_before_minutes = coalesce(before_min, s.buffer_before_minutes),
               buffer_after_minutes = coalesce(after_min, s.buffer_after_minutes),
               min_notice_minutes = CASE WHEN notice_given THEN notice_min
                                         ELSE s.min_notice_minutes END,
               horizon_days = coalesce(horizon, s.horizon_days)
         WHERE s.id = schedule AND s.provider_id = provider
        RETURNING s.* INTO saved;
        IF NOT FOUND THEN
            gone := true;
            RETURN;
        END IF;
    END IF;
    IF new_weekly IS NOT NULL THEN
        DELETE FROM schedule_intervals i WHERE i.schedule_id = saved.id;
        INSERT INTO schedule_intervals (schedule_id, weekday, start_minute, end_minute)
        SELECT saved.id, sched_weekday(e -> 'weekday'), sched_minute(e -> 'start'),
               sched_minute(e -> 'end')
          FROM sched_json_elements(new_weekly, 'schedules_weekly_check') e;
    END IF;
    kept := sched_materialize(provider, now(), 'infinity');
    SELECT s.* INTO saved FROM schedules s WHERE s.id = saved.id;
    weekly := sched_weekly_json(saved.id);
END
$$;

-- Delete a schedule of provider, and its future slots without an active reservation
-- (those with one are kept, and keep their schedule_id until the FK sets it NULL).
CREATE FUNCTION sched_schedule_remove(provider bigint, schedule bigint,
                                      OUT deleted boolean, OUT kept bigint[])
LANGUAGE plpgsql AS $$
BEGIN
    kept := '{}';
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    DELETE FROM schedules s WHERE s.id = schedule AND s.provider_id = provider;
    deleted := FOUND;
    IF deleted THEN
        kept := sched_materialize(provider, now(), 'infinity');
    END IF;
END
$$;

-- Create (override NULL) or change an override of provider. on_date NULL: unchanged;
-- new_intervals, a JSON array of {"start", "end"} ([]: closed that day), replace the
-- override's (NULL: unchanged; on create, closed). conflict 'override': another
-- override of the provider has that date. Answers the override and its intervals
-- (sched_override_intervals_json) as saved.
CREATE FUNCTION sched_override_save(provider bigint, override bigint, on_date date,
                                    new_intervals jsonb,
                                    OUT conflict text, OUT gone boolean,
                                    OUT saved schedule_overrides, OUT intervals json,
                                    OUT kept bigint[])
LANGUAGE plpgsql AS $$
BEGIN
    gone := false;
    kept := '{}';
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        gone := true;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM schedule_overrides o
                WHERE o.provider_id = provider AND o.local_date = on_date
                  AND o.id IS DISTINCT FROM override) THEN
        conflict := 'override';
        RETURN;
    END IF;
    IF override IS NULL THEN
        INSERT INTO schedule_overrides AS o (provider_id, local_date)
        VALUES (provider, on_date)
        RETURNING o.* INTO saved;
        new_intervals := coalesce(new_intervals, '[]');
    ELSE
        UPDATE schedule_overrides o SET local_date = coalesce(on_date, o.local_date)
         WHERE o.id = override AND o.provider_id = provider
        RETURNING o.* INTO saved;
        IF NOT FOUND THEN
            gone := true;
            RETURN;
        END IF;
    END IF;
    IF new_intervals IS NOT NULL THEN
        DELETE FROM schedule_override_intervals i WHERE i.override_id = saved.id;
        INSERT INTO schedule_override_intervals (override_id, start_minute, end_minute)
        SELECT saved.id, sched_minute(e -> 'start'), sched_minute(e -> 'end')
          FROM sched_json_elements(new_intervals, 'schedule_overrides_intervals_check') e;
    END IF;
    kept := sched_materialize(provider, now(), 'infinity');
    -- As it is now: replacing its intervals changed it too (sql/008: its version).
    SELECT o.* INTO saved FROM schedule_overrides o WHERE o.id = saved.id;
    intervals := sched_override_intervals_json(saved.id);
END
$$;

CREATE FUNCTION sched_override_remove(provider bigint, override bigint,
                                      OUT deleted boolean, OUT kept bigint[])
LANGUAGE plpgsql AS $$
BEGIN
    kept := '{}';
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    DELETE FROM schedule_overrides o WHERE o.id = override AND o.provider_id = provider;
    deleted := FOUND;
    IF deleted THEN
        kept := sched_materialize(provider, now(), 'infinity');
    END IF;
END
$$;

-- Create (time_off_id NULL) or change time off of provider; NULL values unchanged (on
-- create, starts and ends are required). The provider's slots it covers are locked
-- first (in time order), so that a booking of one of them either committed before
-- (and is seen) or waits and is then refused ('time_off'). conflict 'reservation':
-- it would cover an active reservation whose slot has not ended (time off in the
-- past covers nothing worth protecting); 'time_off': it would overlap other time off
-- of the provider. Then the schedule slots it covers go (sched_materialize).
CREATE FUNCTION sched_time_off_save(provider bigint, time_off_id bigint, starts timestamptz,
                                    ends timestamptz, why text,
                                    OUT conflict text, OUT gone boolean,
                                    OUT saved time_off, OUT kept bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    cur time_off;
BEGIN
    gone := false;
    kept := '{}';
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        gone := true;
        RETURN;
    END IF;
    IF time_off_id IS NOT NULL THEN
        SELECT o.* INTO cur FROM time_off o
         WHERE o.id = time_off_id AND o.provider_id = provider FOR UPDATE;
        IF NOT FOUND THEN
            gone := true;
            RETURN;
        END IF;
        starts := coalesce(starts, cur.start_time);
        ends := coalesce(ends, cur.end_time);
        why := coalesce(why, cur.reason);
    END IF;
    IF starts IS NULL OR ends IS NULL OR ends <= starts THEN
        RAISE EXCEPTION 'time off must end after it starts'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'time_off_time_check',
                  TABLE = 'time_off';
    END IF;
    PERFORM 1 FROM slots s
      WHERE s.provider_id = provider
        AND tstzrange(s.start_time, s.end_time) && tstzrange(starts, ends)
      ORDER BY s.start_time, s.id
        FOR UPDATE OF s;
    IF EXISTS (SELECT 1 FROM reservations r
                WHERE r.provider_id = provider AND sched_holds(r) AND r.slot_end > now()
                  AND r.occupation && tstzrange(starts, ends)
                  AND tstzrange(r.slot_start, r.slot_end) && tstzrange(starts, ends)) THEN
        conflict := 'reservation';
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM time_off o
                WHERE o.provider_id = provider AND o.id IS DISTINCT FROM time_off_id
                  AND tstzrange(o.start_time, o.end_time) && tstzrange(starts, ends)) THEN
        conflict := 'time_off';
        RETURN;
    END IF;
    IF time_off_id IS NULL THEN
        INSERT INTO time_off AS o (provider_id, start_time, end_time, reason)
        VALUES (provider, starts, ends, coalesce(why, ''))
        RETURNING o.* INTO saved;
    ELSE
        UPDATE time_off o SET start_time = starts, end_time = ends, reason = why
         WHERE o.id = time_off_id
        RETURNING o.* INTO saved;
    END IF;
    kept := sched_materialize(provider, now(), 'infinity');
END
$$;

CREATE FUNCTION sched_time_off_remove(provider bigint, time_off_id bigint,
                                      OUT deleted boolean, OUT kept bigint[])
LANGUAGE plpgsql AS $$
BEGIN
    kept := '{}';
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    DELETE FROM time_off o WHERE o.id = time_off_id AND o.provider_id = provider;
    deleted := FOUND;
    IF deleted THEN
        kept := sched_materialize(provider, now(), 'infinity');
    END IF;
END
$$;

-- The horizon moving forward: provider's schedule slots from materialized_until (at
-- the earliest now) to now + horizon_days. Returns how many slots it made.
CREATE FUNCTION sched_schedule_extend(provider bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    sc schedules;
BEGIN
    PERFORM 1 FROM providers p WHERE p.id = provider FOR NO KEY UPDATE;
    SELECT * INTO sc FROM schedules s WHERE s.provider_id = provider;
    IF sc.id IS NULL THEN
        RETURN 0;
    END IF;
    RETURN (sched_materialize_counts(provider, coalesce(sc.materialized_until, now()),
                                     now() + make_interval(mins => sc.horizon_days * 1440))).made;
END
$$;
