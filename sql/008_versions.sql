-- 008: a version per row, for ETags and conditional requests. Every table of the API
-- gets a version that each UPDATE that changes the row bumps (a trigger, so psql's
-- updates count too; never xmin, which changes with a mere lock and with VACUUM
-- FREEZE). Changing a schedule's weekly hours or an override's intervals bumps their
-- parent: they are fields of it in the API.
--
-- The ETag of an object is sched_etag(version, state): the version, and for what the
-- database's clock changes without a write, the state the API shows (a reservation's
-- status, a slot's availability). The statements compute it, answer it, and compare
-- If-Match with it in the statement that writes, on the row they have locked first:
-- of two writers holding the same ETag one wins, and the other, which waited for the
-- lock, sees the new version and is told 412.

-- The version follows the row's own: whatever the UPDATE said about it.
CREATE FUNCTION sched_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'clients', 'providers', 'slots', 'reservations',
                             'schedules', 'schedule_overrides', 'time_off'] LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN version bigint NOT NULL DEFAULT 1', t);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (version >= 1)',
                       t, t || '_version_check');
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW'
                       ' WHEN (OLD IS DISTINCT FROM NEW)'
                       ' EXECUTE FUNCTION sched_version_bump()', t || '_version', t);
    END LOOP;
END
$do$;

-- The parents of the intervals a statement changed, bumped once each.
CREATE FUNCTION sched_version_bump_parents() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'schedule_intervals' THEN
        IF TG_OP <> 'DELETE' THEN
            UPDATE schedules s SET version = s.version + 1
             WHERE s.id IN (SELECT n.schedule_id FROM new_rows n);
        END IF;
        IF TG_OP <> 'INSERT' THEN
            UPDATE schedules s SET version = s.version + 1
             WHERE s.id IN (SELECT o.schedule_id FROM old_rows o);
        END IF;
    ELSE
        IF TG_OP <> 'DELETE' THEN
            UPDATE schedule_overrides s SET version = s.version + 1
             WHERE s.id IN (SELECT n.override_id FROM new_rows n);
        END IF;
        IF TG_OP <> 'INSERT' THEN
            UPDATE schedule_overrides s SET version = s.version + 1
             WHERE s.id IN (SELECT o.override_id FROM old_rows o);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['schedule_intervals', 'schedule_override_intervals'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION sched_version_bump_parents()',
                       t || '_version_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows'
                       ' NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION sched_version_bump_parents()',
                       t || '_version_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION sched_version_bump_parents()',
                       t || '_version_delete', t);
    END LOOP;
END
$do$;

-- The ETag of an object, without its quotes: "<version>" or "<version>-<state>".
CREATE FUNCTION sched_etag(version bigint, state text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT version::text || coalesce('-' || state, '')
$$;

-- Whether a write may go ahead: no If-Match (NULL; If-Match: * is NULL too, the
-- object exists), or the current ETag among those it names.
CREATE FUNCTION sched_etag_met(etag text, if_match text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT if_match IS NULL OR etag = ANY (if_match)
$$;

-- A slot's availability as its GET shows it ('a' bookable now, 'b' not), by the rule
-- of the bookable list: the state of a slot's ETag.
CREATE FUNCTION sched_slot_state(s slots, notice interval) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN why IS NULL THEN 'a' ELSE 'b' END
      FROM (SELECT 1) one LEFT JOIN schedules sc ON sc.provider_id = s.provider_id,
           LATERAL sched_slot_context(s.provider_id, s.start_time, s.end_time, sc, notice,
                                      NULL) cx,
           LATERAL sched_slot_refusal(s.id, s.start_time, s.end_time, cx.earliest, cx.latest,
                                      cx.before, cx.after, cx.occupied, cx.away, NULL) why
$$;

