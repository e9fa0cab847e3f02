-- sched_slots_update: move a slot, or give it to another provider: its provider
-- (keeping it) or a superuser. A slot with an active reservation does not move
-- (slots_reserved); schedule slots without an active reservation where it lands are
-- replaced (sched_window_clear); an overlap with any other slot of the provider is a
-- conflict. A slot moved or given away by hand is manual from then on. The
-- providers' row locks (the slot's and the new one, in id order) make it queue
-- behind windows, other moves and schedule changes.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the slot
-- $4  provider     int8         NULL: unchanged
-- $5  start_time   timestamptz  NULL: unchanged
-- $6  end_time     timestamptz  NULL: unchanged
-- $7  notice       interval     SchedMinNotice: the slot's availability is part of its ETag
-- $8  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the slot exists (else 404)
--   allowed       bool         the caller may change it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   conflict      bool         it would overlap another slot of the provider: unchanged (409)
--   id            int8         the slot as changed (NULL: not changed)
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   source        text         manual or schedule (manual once moved)
WITH cur AS (SELECT s.id, s.provider_id, coalesce($4::int8, s.provider_id) AS to_provider,
                    coalesce($5::timestamptz, s.start_time) AS starts,
                    coalesce($6::timestamptz, s.end_time) AS ends
               FROM slots s WHERE s.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, cur
             WHERE p.id IN (cur.provider_id, cur.to_provider)
             ORDER BY p.id FOR NO KEY UPDATE OF p),
     -- the slot itself, locked after its providers (the order of every change of
     -- slots), as it is now: its ETag
     ls AS (SELECT sched_etag(s.version, sched_slot_state(s, $7::interval)) AS etag
              FROM slots s
             WHERE s.id = $3::int8 AND (SELECT count(*) FROM lk) > 0
               FOR NO KEY UPDATE OF s),
     a AS (SELECT cur.*, sched_acts_as_provider(me, cur.provider_id)
                         AND (me.su OR cur.to_provider = cur.provider_id) AS allowed,
                  ls.etag, sched_etag_met(ls.etag, $8::text[]) AS met
             FROM cur, ls, sched_acting($1::text, $2::bool) me),
     x AS (SELECT a.id, true AS visible, a.allowed, a.etag, a.met,
                  CASE WHEN a.allowed AND a.met AND a.ends > a.starts
                       THEN sched_window_clear(a.to_provider, a.starts, a.ends, a.id,
                                               NULL, NULL, NULL)
                       ELSE false END AS conflict
             FROM a),
     w AS (UPDATE slots AS s
              SET provider_id = coalesce($4::int8, s.provider_id),
                  start_time = coalesce($5::timestamptz, s.start_time),
                  end_time = coalesce($6::timestamptz, s.end_time),
                  source = CASE WHEN coalesce($4::int8, s.provider_id) = s.provider_id
                                     AND coalesce($5::timestamptz, s.start_time) = s.start_time
                                     AND coalesce($6::timestamptz, s.end_time) = s.end_time
                                THEN s.source ELSE 'manual' END,
                  schedule_id = CASE WHEN coalesce($4::int8, s.provider_id) = s.provider_id
                                          AND coalesce($5::timestamptz, s.start_time) = s.start_time
                                          AND coalesce($6::timestamptz, s.end_time) = s.end_time
                                     THEN s.schedule_id END
             FROM x
            WHERE s.id = x.id AND x.allowed AND x.met AND NOT x.conflict
           RETURNING s.id, s.provider_id, s.start_time, s.end_time, s.source,
                     sched_etag(s.version, sched_slot_state(s, $7::interval)) AS etag)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.allowed AND NOT x.met, false) AS unmet, coalesce(w.etag, x.etag) AS etag,
       coalesce(x.conflict, false) AS conflict,
       w.id, w.provider_id, w.start_time, w.end_time, w.source
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
