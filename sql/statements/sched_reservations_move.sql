-- sched_reservations_move: reschedule an active reservation to another slot (its
-- client or a superuser); the status stays. Locks the reservation, its client, then
-- the new slot together with the provider's slots within reach of its buffers (in
-- time order), then the provider (FOR KEY SHARE); reads with a fresh snapshot why not
-- (sched_booking_refusal, not counting the reservation itself); a move that loses a
-- race is told so (conflict). The reservation records the new slot's provider and
-- occupation.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the reservation
-- $4  slot         int8         the new slot
-- $5  notice       interval     SchedMinNotice (unless the provider's schedule names its own)
-- $6  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the reservation exists and the caller may see it (else 404)
--   allowed       bool         the caller may move it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   active        bool         it holds its slot now (else 409)
--   slot_found    bool         the new slot exists (else 400)
--   soon          bool         the new slot starts too soon (400)
--   conflict      text         'slot' (held), 'client' (busy at that time), 'time_off' (the provider's time off), 'buffer' (too near another booking of the provider): unchanged (409)
--   id            int8         the reservation as moved (NULL: not moved)
--   client_id     int8
--   slot_id       int8
--   created_at    timestamptz
--   expires_at    timestamptz  end of the hold while pending
--   confirmed_at  timestamptz  NULL until confirmed
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
--   too_far       bool         the new slot starts beyond the provider's horizon (400)
WITH x AS (SELECT r.id, r.client_id,
                  sched_sees_reservation(me, r.client_id,
                      (SELECT vs.provider_id FROM slots vs WHERE vs.id = r.slot_id)) AS visible,
                  sched_acts_as_client(me, r.client_id) AS allowed,
                  sched_holds(r) AS active,
                  sched_etag(r.version, sched_reservation_status(r)) AS etag
             FROM reservations r, sched_acting($1::text, $2::bool) me
            WHERE r.id = $3::int8
              FOR UPDATE OF r),
     c AS (SELECT id FROM clients WHERE id = (SELECT client_id FROM x) FOR NO KEY UPDATE),
     -- the new slot as it was when the statement began, and the reach of the buffers
     t AS (SELECT s.id, s.provider_id, s.start_time, s.end_time,
                  sched_slot_timing(s.start_time, sc.min_notice_minutes, sc.horizon_days,
                                    $5::interval) AS timing,
                  make_interval(mins => coalesce(sc.buffer_before_minutes
                                                 + sc.buffer_after_minutes, 0)) AS reach
             FROM slots s LEFT JOIN schedules sc ON sc.provider_id = s.provider_id
            WHERE s.id = $4::int8 AND EXISTS (SELECT 1 FROM c)),
     -- no slot is locked for a move that cannot happen (an expired reservation, say)
     lk AS (SELECT n.id, n.provider_id, n.start_time, n.end_time
              FROM slots n, t, x
             WHERE x.visible AND x.allowed AND x.active AND sched_etag_met(x.etag, $6::text[])
               AND n.provider_id = t.provider_id
               AND tstzrange(n.start_time, n.end_time)
                   && tstzrange(t.start_time - t.reach, t.end_time + t.reach)
             ORDER BY n.start_time, n.id
               FOR NO KEY UPDATE OF n),
     s AS (SELECT lk.id, lk.provider_id, lk.start_time, lk.end_time
             FROM lk JOIN providers p ON p.id = lk.provider_id
            WHERE lk.id = $4::int8
              FOR KEY SHARE OF p),
     chk AS (SELECT x.id, s.id AS slot_id, s.provider_id, s.start_time, s.end_time,
                    sched_booking_refusal(x.client_id, s.id, $5::interval, x.id) AS why
               FROM x, s, t
              WHERE x.visible AND x.allowed AND x.active AND sched_etag_met(x.etag, $6::text[])
                AND t.timing IS NULL),
     w AS (UPDATE reservations AS r
              SET slot_id = chk.slot_id, slot_start = chk.start_time,
                  slot_end = chk.end_time, held_from = now(),
                  provider_id = chk.provider_id,
                  occupation = sched_occupation(chk.provider_id, chk.start_time, chk.end_time)
             FROM chk
            WHERE r.id = chk.id AND chk.why IS NULL
           RETURNING r.id, r.client_id, r.slot_id, r.created_at, r.expires_at,
                     r.confirmed_at, sched_reservation_status(r) AS status, r.version)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.visible AND x.allowed AND NOT sched_etag_met(x.etag, $6::text[]), false)
           AS unmet,
       coalesce(sched_etag(w.version, w.status), x.etag) AS etag,
       coalesce(x.active, false) AS active,
       EXISTS (SELECT 1 FROM t) AS slot_found,
       EXISTS (SELECT 1 FROM t WHERE t.timing = 'soon')
           OR coalesce((SELECT chk.why = 'soon' FROM chk), false) AS soon,
       coalesce((SELECT chk.why FROM chk WHERE chk.why NOT IN ('soon', 'far')),
                -- the slot moved away while this waited for its lock
                (SELECT 'slot' FROM t, x WHERE NOT EXISTS (SELECT 1 FROM s)
                                           AND x.visible AND x.allowed AND x.active
                                           AND sched_etag_met(x.etag, $6::text[])))
           AS conflict,
       w.id, w.client_id, w.slot_id, w.created_at, w.expires_at, w.confirmed_at, w.status,
       EXISTS (SELECT 1 FROM t WHERE t.timing = 'far')
           OR coalesce((SELECT chk.why = 'far' FROM chk), false) AS too_far
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
