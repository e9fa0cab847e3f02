-- 007: every change recorded. The database writes an event for each row that an
-- INSERT, UPDATE or DELETE changes in a table of the API, in the transaction of the
-- change, whoever makes it: the module, schedctl, psql. The history of an object
-- (GET /{collection}/{id}/history/) and the feed of all changes (GET /events/) read
-- them; so will the webhooks.
--
-- Who made a change: the module runs its writes through sched_acting (below), which
-- puts the caller's user id in the transaction-local setting sched.actor in the
-- statement's own round trip; the triggers read it. Changes made outside the module
-- have no actor (NULL) unless the session sets sched.actor itself.
--
-- What an event holds: the object ('reservation', ...) and its id; the action
-- ('created', 'updated', 'deleted', and for reservations 'confirmed', 'cancelled',
-- 'rescheduled'); "changes", {"field": [old, new]} in the API's field names (a
-- creation gives [null, value] for each field, a deletion [value, null]: these two
-- keep the object, data or old_data, and the changes are read from it); "data",
-- the object as the API shows it after the change (NULL once deleted). A user's
-- password hash is never copied: a changed one is "password": "changed". An update
-- that changes no field of the API (a schedule's materialized_until moving on, say)
-- records nothing.
--
-- The weekly intervals of a schedule and the intervals of an override are rows of
-- their own tables but fields of their parent in the API ("weekly", "intervals"):
-- their changes are recorded as a change of the parent, one event per parent and
-- statement, [the intervals before the statement, after it].
--
-- The order of the feed. Event ids come from a sequence, taken when the row is
-- written, so a transaction can commit an event with a smaller id after another
-- transaction's larger one was read. The feed is therefore ordered by the writing
-- transaction's id (xid, 64 bits, never wrapping), then the event id, and shows an
-- event only once every transaction with a smaller xid has ended: xid below
-- pg_snapshot_xmin(pg_current_snapshot()). A transaction that has not written yet
-- will get a larger xid than any shown, so a reader that remembers the last
-- (xid, id) it saw misses nothing, ever. The price: a long transaction holds back
-- the events of the transactions that started writing after it, until it ends.

CREATE TABLE events (
    id        bigint      GENERATED ALWAYS AS IDENTITY,
    xid       xid8        NOT NULL DEFAULT pg_current_xact_id(),
    at        timestamptz NOT NULL DEFAULT now(),
    actor     bigint,
    object    text        NOT NULL,
    object_id bigint      NOT NULL,
    action    text        NOT NULL,
    changes   jsonb,
    data      jsonb,
    old_data  jsonb,
    CONSTRAINT events_pkey PRIMARY KEY (id),
    CONSTRAINT events_object_check CHECK (object IN ('user', 'client', 'provider', 'slot',
        'reservation', 'schedule', 'schedule_override', 'time_off')),
    CONSTRAINT events_action_check CHECK (action IN ('created', 'updated', 'deleted',
        'confirmed', 'cancelled', 'rescheduled')),
    -- A creation keeps the object (data), a deletion the object it was (old_data),
    -- any other change its changes and the object after it; the changes of a
    -- creation or a deletion follow from the object (sched_event_changes).
    CONSTRAINT events_changes_check CHECK ((changes IS NULL) = (action IN ('created', 'deleted'))
                                           AND (changes IS NULL OR jsonb_typeof(changes) = 'object')),
    CONSTRAINT events_data_check CHECK ((data IS NULL) = (action = 'deleted')),
    CONSTRAINT events_old_data_check CHECK ((old_data IS NULL) = (action <> 'deleted'))
);

-- The feed, in its order; the history of one object; retention, by age.
CREATE INDEX events_feed_idx ON events (xid, id);
CREATE INDEX events_object_idx ON events (object, object_id, id);
CREATE INDEX events_at_idx ON events (at);

-- ---- Who acts ---------------------------------------------------------------------

-- The user id of sched.actor, NULL when unset or empty.
CREATE FUNCTION sched_actor() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('sched.actor', true), '')::bigint
$$;

-- sched_principal, for statements that write: it also names the caller as the
-- actor of the events of this transaction. Volatile, so it runs once, before the
-- writes of the statement that joins it (they read the caller from it).
CREATE FUNCTION sched_acting(username text, open_access boolean)
RETURNS SETOF sched_me
LANGUAGE plpgsql VOLATILE ROWS 1 AS $$
DECLARE
    me sched_me;
BEGIN
    SELECT * INTO me FROM sched_principal(username, open_access);
    PERFORM set_config('sched.actor', coalesce(me.user_id::text, ''), true);
    RETURN NEXT me;
END
$$;

-- ---- Objects as the API shows them -------------------------------------------------

-- A time as the API writes it: RFC 3339 in UTC with a Z, a fraction only when there
-- is one; null for NULL and infinity. to_json of a timestamp writes ISO 8601 whatever
-- the session's DateStyle, and faster than to_char.
CREATE FUNCTION sched_event_time(t timestamptz) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NULL OR NOT isfinite(t) THEN 'null'::jsonb
                ELSE to_jsonb((to_json(t AT TIME ZONE 'UTC') #>> '{}') || 'Z') END
$$;

CREATE FUNCTION sched_event_json(u users) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', u.id, 'username', u.username, 'email', u.email,
                              'is_superuser', u.is_superuser, 'is_active', u.is_active,
                              'date_joined', sched_event_time(u.date_joined))
$$;

CREATE FUNCTION sched_event_json(c clients) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', c.id, 'user', c.user_id)
$$;

CREATE FUNCTION sched_event_json(p providers) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', p.id, 'user', p.user_id)
$$;

CREATE FUNCTION sched_event_json(s slots) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', s.id, 'provider', s.provider_id,
                              'start_time', sched_event_time(s.start_time),
                              'end_time', sched_event_time(s.end_time), 'source', s.source)
$$;

CREATE FUNCTION sched_event_json(r reservations) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', r.id, 'client', r.client_id, 'slot', r.slot_id,
                              'created_at', sched_event_time(r.created_at),
                              'confirmed', sched_reservation_status(r) = 'confirmed',
                              'status', sched_reservation_status(r),
                              'expires_at', sched_event_time(r.expires_at),
                              'confirmed_at', sched_event_time(r.confirmed_at))
$$;

CREATE FUNCTION sched_event_json(s schedules) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', s.id, 'provider', s.provider_id,
                              'time_zone', s.time_zone, 'slot_minutes', s.slot_minutes,
                              'buffer_before_minutes', s.buffer_before_minutes,
                              'buffer_after_minutes', s.buffer_after_minutes,
                              'min_notice_minutes', s.min_notice_minutes,
                              'horizon_days', s.horizon_days,
                              'weekly', sched_weekly_json(s.id)::jsonb,
                              'materialized_until', sched_event_time(s.materialized_until))
$$;

CREATE FUNCTION sched_event_json(o schedule_overrides) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', o.id, 'provider', o.provider_id,
                              'date', to_char(o.local_date, 'YYYY-MM-DD'),
                              'intervals', sched_override_intervals_json(o.id)::jsonb)
$$;

CREATE FUNCTION sched_event_json(t time_off) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object('id', t.id, 'provider', t.provider_id,
                              'start_time', sched_event_time(t.start_time),
                              'end_time', sched_event_time(t.end_time), 'reason', t.reason)
$$;

-- {"field": [old, new]} for each field of old or new (API objects; NULL: none) that
-- differs, but id and a schedule's materialized_until (bookkeeping of the horizon).
CREATE FUNCTION sched_event_changes(old jsonb, new jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(coalesce(old -> k, 'null'),
                                                          coalesce(new -> k, 'null'))
                                     ORDER BY k), '{}')
      FROM (SELECT jsonb_object_keys(coalesce(old, '{}')) UNION
            SELECT jsonb_object_keys(coalesce(new, '{}'))) f(k)
     WHERE k NOT IN ('id', 'materialized_until')
       AND (old -> k) IS DISTINCT FROM (new -> k)
$$;

-- What an update did, beyond the fields: nothing for most objects; a user's
-- password, without its hash.
CREATE FUNCTION sched_event_secrets(old anyelement, new anyelement) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '{}'::jsonb
$$;

CREATE FUNCTION sched_event_secrets(old users, new users) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN old.password IS DISTINCT FROM new.password
                THEN '{"password": "changed"}'::jsonb ELSE '{}'::jsonb END
$$;

-- The action of an update: 'updated', but for a reservation that was confirmed,
-- cancelled or moved to another slot.
CREATE FUNCTION sched_event_action(old anyelement, new anyelement) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'updated'
$$;

CREATE FUNCTION sched_event_action(old reservations, new reservations) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN old.cancelled_at IS NULL AND new.cancelled_at IS NOT NULL THEN 'cancelled'
                WHEN old.confirmed_at IS NULL AND new.confirmed_at IS NOT NULL THEN 'confirmed'
                WHEN old.slot_id <> new.slot_id THEN 'rescheduled'
                ELSE 'updated' END
$$;

-- ---- The triggers -----------------------------------------------------------------

-- TRUNCATE fires no row trigger: it would remove rows without their events.
CREATE FUNCTION sched_events_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE of % would leave no event of its rows; use DELETE', TG_TABLE_NAME
        USING ERRCODE = 'feature_not_supported';
END
$$;

-- One statement's rows of one table, from its transition tables (old_rows,
-- new_rows): one INSERT for all of them. A transition table's rows are records; the
-- function of each table names its row type, so that sched_event_json and its kin
-- resolve to that table's. The functions are made from one text, below.
DO $do$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('users', 'user'), ('clients', 'client'),
                                   ('providers', 'provider'), ('slots', 'slot'),
                                   ('reservations', 'reservation'), ('schedules', 'schedule'),
                                   ('schedule_overrides', 'schedule_override'),
                                   ('time_off', 'time_off')) v(tab, obj) LOOP
        EXECUTE format($f$
            CREATE FUNCTION %1$I() RETURNS trigger
            LANGUAGE plpgsql AS $$
            DECLARE
                who bigint := sched_actor();
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO events (actor, object, object_id, action, data)
                    SELECT who, %3$L, r.id, 'created', sched_event_json(r::%2$I)
                      FROM new_rows r
                     ORDER BY r.id;
                ELSIF TG_OP = 'UPDATE' THEN
                    INSERT INTO events (actor, object, object_id, action, changes, data)
                    SELECT who, %3$L, c.id, c.action, c.changes, c.data
                      FROM (SELECT n.id, sched_event_action(o::%2$I, n::%2$I) AS action,
                                   sched_event_json(n::%2$I) AS data,
                                   sched_event_changes(sched_event_json(o::%2$I),
                                                       sched_event_json(n::%2$I))
                                   || sched_event_secrets(o::%2$I, n::%2$I) AS changes
                              FROM old_rows o JOIN new_rows n ON n.id = o.id) c
                     WHERE c.changes <> '{}'
                     ORDER BY c.id;
                ELSE
                    INSERT INTO events (actor, object, object_id, action, old_data)
                    SELECT who, %3$L, r.id, 'deleted', sched_event_json(r::%2$I)
                      FROM old_rows r
                     ORDER BY r.id;
                END IF;
                RETURN NULL;
            END
            $$$f$, 'sched_events_' || t.tab, t.tab, t.obj);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION sched_events_no_truncate()',
                       t.tab || '_events_truncate', t.tab);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       t.tab || '_events_insert', t.tab, 'sched_events_' || t.tab);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows'
                       ' NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       t.tab || '_events_update', t.tab, 'sched_events_' || t.tab);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       t.tab || '_events_delete', t.tab, 'sched_events_' || t.tab);
    END LOOP;
END
$do$;

-- Intervals: a change of the parent's "weekly" (schedules) or "intervals"
-- (overrides). A statement may change the intervals of a parent in several steps
-- (a DELETE then an INSERT, in a function or in the CTEs of one statement), each
-- firing this trigger; the first records the event, the next ones complete it. The
-- intervals before the statement are those after it, plus those it deleted, minus
-- those it inserted (rows by id and value: an interval inserted then deleted by the
-- statement was never there). The rows deleted and inserted so far by the
-- statement are kept in the transaction-local setting sched.intervals, with the
-- statement's start and the event's id. A parent created or deleted by the same
-- transaction has its own event: its creation's data is brought up to date, and
-- nothing else is recorded.
CREATE FUNCTION sched_events_record_intervals() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    weekly boolean := TG_TABLE_NAME = 'schedule_intervals';
    obj text := CASE WHEN weekly THEN 'schedule' ELSE 'schedule_override' END;
    field text := CASE WHEN weekly THEN 'weekly' ELSE 'intervals' END;
    stmt text := statement_timestamp()::text || ' ' || pg_current_xact_id()::text;
    kept jsonb := nullif(current_setting('sched.intervals', true), '')::jsonb;
    mine jsonb;
    parent record;
    acc jsonb;
    before jsonb;
    after jsonb;
    now_data jsonb;
    ev bigint;
BEGIN
    IF kept IS NULL OR kept ->> 'stmt' IS DISTINCT FROM stmt THEN
        kept := jsonb_build_object('stmt', stmt, 'parents', '{}'::jsonb);
    END IF;
    -- This firing's rows, by parent: {"<parent>": {"del": [...], "ins": [...]}}.
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_object_agg(p, jsonb_build_object('del', '[]'::jsonb, 'ins', rs)) INTO mine
          FROM (SELECT CASE WHEN weekly THEN (to_jsonb(n) ->> 'schedule_id')
                            ELSE (to_jsonb(n) ->> 'override_id') END AS p,
                       jsonb_agg(to_jsonb(n)) AS rs
                  FROM new_rows n GROUP BY 1) g;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_object_agg(p, jsonb_build_object('del', rs, 'ins', '[]'::jsonb)) INTO mine
          FROM (SELECT CASE WHEN weekly THEN (to_jsonb(o) ->> 'schedule_id')
                            ELSE (to_jsonb(o) ->> 'override_id') END AS p,
                       jsonb_agg(to_jsonb(o)) AS rs
                  FROM old_rows o GROUP BY 1) g;
    ELSE
        SELECT jsonb_object_agg(p, jsonb_build_object('del', coalesce(d, '[]'::jsonb),
                                                      'ins', coalesce(i, '[]'::jsonb))) INTO mine
          FROM (SELECT coalesce(od.p, nw.p) AS p, od.rs AS d, nw.rs AS i
                  FROM (SELECT CASE WHEN weekly THEN (to_jsonb(o) ->> 'schedule_id')
                                    ELSE (to_jsonb(o) ->> 'override_id') END AS p,
                               jsonb_agg(to_jsonb(o)) AS rs
                          FROM old_rows o GROUP BY 1) od
                  FULL JOIN
                       (SELECT CASE WHEN weekly THEN (to_jsonb(n) ->> 'schedule_id')
                                    ELSE (to_jsonb(n) ->> 'override_id') END AS p,
                               jsonb_agg(to_jsonb(n)) AS rs
                          FROM new_rows n GROUP BY 1) nw ON nw.p = od.p) g;
    END IF;

    FOR parent IN SELECT key AS id, value AS rows FROM jsonb_each(coalesce(mine, '{}')) LOOP
        acc := coalesce(kept -> 'parents' -> parent.id,
                        jsonb_build_object('del', '[]'::jsonb, 'ins', '[]'::jsonb));
        acc := jsonb_build_object('del', (acc -> 'del') || (parent.rows -> 'del'),
                                  'ins', (acc -> 'ins') || (parent.rows -> 'ins'),
                                  'event', acc -> 'event');
        IF weekly THEN
            SELECT sched_event_json(s) INTO now_data FROM schedules s
             WHERE s.id = parent.id::bigint;
        ELSE
            SELECT sched_event_json(o) INTO now_data FROM schedule_overrides o
             WHERE o.id = parent.id::bigint;
        END IF;
        IF now_data IS NOT NULL THEN
            -- The intervals now, as rows; before = now + deleted - inserted.
            IF weekly THEN
                SELECT coalesce(jsonb_agg(to_jsonb(i)), '[]') INTO after
                  FROM schedule_intervals i WHERE i.schedule_id = parent.id::bigint;
            ELSE
                SELECT coalesce(jsonb_agg(to_jsonb(i)), '[]') INTO after
                  FROM schedule_override_intervals i WHERE i.override_id = parent.id::bigint;
            END IF;
            SELECT coalesce(jsonb_agg(x.e), '[]') INTO before
              FROM (SELECT e FROM jsonb_array_elements(after || (acc -> 'del')) e
                    EXCEPT ALL
                    SELECT e FROM jsonb_array_elements(acc -> 'ins') e) x;
            before := sched_event_intervals(before, weekly);
            ev := (acc ->> 'event')::bigint;
            IF ev IS NULL THEN
                -- A parent created by this transaction: its creation's event.
                SELECT e.id INTO ev FROM events e
                 WHERE e.object = obj AND e.object_id = parent.id::bigint
                   AND e.xid = pg_current_xact_id() AND e.action = 'created';
                IF ev IS NOT NULL THEN
                    UPDATE events e SET data = now_data WHERE e.id = ev;
                ELSIF before IS DISTINCT FROM now_data -> field THEN
                    INSERT INTO events (actor, object, object_id, action, changes, data)
                    VALUES (sched_actor(), obj, parent.id::bigint, 'updated',
                            jsonb_build_object(field, jsonb_build_array(before, now_data -> field)),
                            now_data)
                    RETURNING id INTO ev;
                END IF;
            ELSIF before IS NOT DISTINCT FROM now_data -> field
                  AND EXISTS (SELECT 1 FROM events e WHERE e.id = ev AND e.action = 'updated') THEN
                -- Back to what it was (the same hours deleted and inserted again): the
                -- event of this statement goes.
                DELETE FROM events e WHERE e.id = ev;
                ev := NULL;
            ELSE
                UPDATE events e
                   SET data = now_data,
                       changes = CASE WHEN e.action = 'created' THEN NULL
                                      ELSE e.changes || jsonb_build_object(field,
                                               jsonb_build_array(before, now_data -> field))
                                 END
                 WHERE e.id = ev;
            END IF;
            acc := acc || jsonb_build_object('event', ev);
        END IF;
        kept := jsonb_set(kept, ARRAY['parents', parent.id], acc);
    END LOOP;
    PERFORM set_config('sched.intervals', kept::text, true);
    RETURN NULL;
END
$$;

-- Interval rows (as to_jsonb gives them) as the API shows them, in its order.
CREATE FUNCTION sched_event_intervals(rows jsonb, weekly boolean) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_agg(CASE WHEN weekly
                                   THEN jsonb_build_object('weekday', (e ->> 'weekday')::int,
                                            'start', sched_hhmm((e ->> 'start_minute')::int),
                                            'end', sched_hhmm((e ->> 'end_minute')::int))
                                   ELSE jsonb_build_object(
                                            'start', sched_hhmm((e ->> 'start_minute')::int),
                                            'end', sched_hhmm((e ->> 'end_minute')::int)) END
                              ORDER BY (e ->> 'weekday')::int NULLS FIRST,
                                       (e ->> 'start_minute')::int), '[]')
      FROM jsonb_array_elements(rows) e
$$;

CREATE TRIGGER schedule_intervals_events_truncate BEFORE TRUNCATE ON schedule_intervals
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_no_truncate();
CREATE TRIGGER schedule_override_intervals_events_truncate BEFORE TRUNCATE
    ON schedule_override_intervals
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_no_truncate();
CREATE TRIGGER schedule_intervals_events_insert AFTER INSERT ON schedule_intervals
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_record_intervals();
CREATE TRIGGER schedule_intervals_events_update AFTER UPDATE ON schedule_intervals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_record_intervals();
CREATE TRIGGER schedule_intervals_events_delete AFTER DELETE ON schedule_intervals
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_record_intervals();
CREATE TRIGGER schedule_override_intervals_events_insert AFTER INSERT
    ON schedule_override_intervals REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_record_intervals();
CREATE TRIGGER schedule_override_intervals_events_update AFTER UPDATE
    ON schedule_override_intervals REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_record_intervals();
CREATE TRIGGER schedule_override_intervals_events_delete AFTER DELETE
    ON schedule_override_intervals REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sched_events_record_intervals();

-- ---- Reading them -----------------------------------------------------------------

-- Whether an object of the API exists now.
CREATE FUNCTION sched_object_exists(obj text, obj_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE obj
        WHEN 'user' THEN EXISTS (SELECT 1 FROM users t WHERE t.id = obj_id)
        WHEN 'client' THEN EXISTS (SELECT 1 FROM clients t WHERE t.id = obj_id)
        WHEN 'provider' THEN EXISTS (SELECT 1 FROM providers t WHERE t.id = obj_id)
        WHEN 'slot' THEN EXISTS (SELECT 1 FROM slots t WHERE t.id = obj_id)
        WHEN 'reservation' THEN EXISTS (SELECT 1 FROM reservations t WHERE t.id = obj_id)
        WHEN 'schedule' THEN EXISTS (SELECT 1 FROM schedules t WHERE t.id = obj_id)
        WHEN 'schedule_override' THEN EXISTS (SELECT 1 FROM schedule_overrides t
                                               WHERE t.id = obj_id)
        WHEN 'time_off' THEN EXISTS (SELECT 1 FROM time_off t WHERE t.id = obj_id)
        ELSE false END
$$;

-- Whether the caller may read the history of an object: whoever may read the object
-- while it exists (the rules of its GET); superusers, also once it is gone (an object
-- that never was has no history: none of its events). Anonymous callers never
-- (unless access is open).
CREATE FUNCTION sched_sees_history(me sched_me, obj text, obj_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN me.su THEN EXISTS (SELECT 1 FROM events e
                                 WHERE e.object = obj AND e.object_id = obj_id)
                        OR sched_object_exists(obj, obj_id)
        WHEN me.user_id IS NULL THEN false
        WHEN obj = 'user' THEN obj_id = me.user_id
        WHEN obj = 'client' THEN EXISTS (SELECT 1 FROM clients c
                                          WHERE c.id = obj_id AND c.user_id = me.user_id)
        WHEN obj = 'provider' THEN EXISTS (SELECT 1 FROM providers p
                                            WHERE p.id = obj_id AND p.user_id = me.user_id)
        WHEN obj = 'reservation' THEN EXISTS (
            SELECT 1 FROM reservations r JOIN slots s ON s.id = r.slot_id
             WHERE r.id = obj_id AND sched_sees_reservation(me, r.client_id, s.provider_id))
        ELSE sched_object_exists(obj, obj_id) END
$$;
