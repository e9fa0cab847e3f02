-- sched_slots_update: move a slot, or give it to another provider: its provider
-- (keeping it) or a superuser. A slot with an active reservation does not move
-- (slots_reserved); an overlap with another slot of the provider is a conflict. The
-- providers' row locks (the slot's and the new one, in id order) make it queue
-- behind windows and other moves.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the slot
-- $4  provider     int8         NULL: unchanged
-- $5  start_time   timestamptz  NULL: unchanged
-- $6  end_time     timestamptz  NULL: unchanged
-- columns:
--   visible       bool         the slot exists (else 404)
--   allowed       bool         the caller may change it (else 403)
--   conflict      bool         it would overlap another slot of the provider: unchanged (409)
--   id            int8         the slot as changed (NULL: not changed)
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
WITH cur AS (SELECT s.id, s.provider_id, coalesce($4::int8, s.provider_id) AS to_provider,
                    coalesce($5::timestamptz, s.start_time) AS starts,
                    coalesce($6::timestamptz, s.end_time) AS ends
               FROM slots s WHERE s.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, cur
             WHERE p.id IN (cur.provider_id, cur.to_provider)
             ORDER BY p.id FOR NO KEY UPDATE OF p),
     x AS (SELECT cur.id, true AS visible,
                  sched_acts_as_provider(me, cur.provider_id)
                  AND (me.su OR cur.to_provider = cur.provider_id) AS allowed,
                  cur.ends > cur.starts
                  AND sched_slot_conflict(cur.to_provider, cur.starts, cur.ends, cur.id,
                                          NULL, NULL, NULL) AS conflict
             FROM cur, sched_principal($1::text, $2::bool) me
            WHERE (SELECT count(*) FROM lk) > 0),
     w AS (UPDATE slots AS s
              SET provider_id = coalesce($4::int8, s.provider_id),
                  start_time = coalesce($5::timestamptz, s.start_time),
                  end_time = coalesce($6::timestamptz, s.end_time)
             FROM x
            WHERE s.id = x.id AND x.allowed AND NOT x.conflict
           RETURNING s.id, s.provider_id, s.start_time, s.end_time)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.conflict, false) AS conflict,
       w.id, w.provider_id, w.start_time, w.end_time
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
