-- 004: the JSON of the hottest answers, built for less CPU. A page of bookable slots
-- builds a hundred slot objects, and json_build_object looks up how to print each of
-- its arguments on every call, while to_char parses its format pattern each time.
--
-- Times: to_json of a timestamp (without zone, here UTC) prints the ISO 8601 form
-- "2026-11-30T12:30:00[.fraction]" whatever DateStyle says, with the fraction's
-- trailing zeros dropped: the RFC 3339 text is that plus 'Z', about four times
-- faster than to_char. Not STRICT, so that it can be inlined (the CASE yields NULL
-- for NULL, and for the infinities, which RFC 3339 cannot write).
CREATE OR REPLACE FUNCTION sched_rfc3339(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN isfinite(t) THEN btrim(to_json(t AT TIME ZONE 'UTC')::text, '"') || 'Z' END
$$;

-- Objects of numbers and times alone, concatenated: nothing in them needs escaping,
-- and every column is NOT NULL. About three times faster than json_build_object.
CREATE OR REPLACE FUNCTION sched_slots_json(s slots) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT '{"id":' || s.id || ',"provider":' || s.provider_id
        || ',"start_time":"' || sched_rfc3339(s.start_time)
        || '","end_time":"' || sched_rfc3339(s.end_time) || '"}'
$$;

CREATE OR REPLACE FUNCTION sched_clients_json(c clients) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT '{"id":' || c.id || ',"user":' || c.user_id || '}'
$$;

CREATE OR REPLACE FUNCTION sched_providers_json(p providers) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT '{"id":' || p.id || ',"user":' || p.user_id || '}'
$$;
