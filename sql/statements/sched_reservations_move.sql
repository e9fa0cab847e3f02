-- sched_reservations_move: reschedule an active reservation to another slot (its
-- client or a superuser); the status stays. Locks the reservation, its client, then
-- the new slot; a move that loses a race is told so (conflict).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the reservation
-- $4  slot         int8         the new slot
-- $5  notice       interval     SchedMinNotice
-- columns:
--   visible       bool         the reservation exists and the caller may see it (else 404)
--   allowed       bool         the caller may move it (else 403)
--   active        bool         it holds its slot now (else 409)
--   slot_found    bool         the new slot exists (else 400)
--   soon          bool         the new slot starts too soon (400)
--   conflict      text         'slot' (held) or 'client' (busy at that time): unchanged (409)
--   id            int8         the reservation as moved (NULL: not moved)
--   client_id     int8
--   slot_id       int8
--   created_at    timestamptz
--   expires_at    timestamptz  end of the hold while pending
--   confirmed_at  timestamptz  NULL until confirmed
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
WITH x AS (SELECT r.id, r.client_id,
                  sched_sees_reservation(me, r.client_id,
                      (SELECT vs.provider_id FROM slots vs WHERE vs.id = r.slot_id)) AS visible,
                  sched_acts_as_client(me, r.client_id) AS allowed,
                  sched_holds(r) AS active
             FROM reservations r, sched_principal($1::text, $2::bool) me
            WHERE r.id = $3::int8
              FOR UPDATE OF r),
     c AS (SELECT id FROM clients WHERE id = (SELECT client_id FROM x) FOR NO KEY UPDATE),
     s AS (SELECT s.id, s.start_time, s.end_time
             FROM slots s JOIN providers p ON p.id = s.provider_id
            WHERE s.id = $4::int8 AND EXISTS (SELECT 1 FROM c)
              FOR NO KEY UPDATE OF s FOR KEY SHARE OF p),
     chk AS (SELECT x.id, s.id AS slot_id, s.start_time, s.end_time,
                    sched_booking_conflict(x.client_id, s.id, s.start_time, s.end_time, x.id)
                    AS conflict
               FROM x, s
              WHERE x.visible AND x.allowed AND x.active
                AND s.start_time >= now() + $5::interval),
     w AS (UPDATE reservations AS r
              SET slot_id = chk.slot_id, slot_start = chk.start_time,
                  slot_end = chk.end_time, held_from = now()
             FROM chk
            WHERE r.id = chk.id AND chk.conflict IS NULL
           RETURNING r.id, r.client_id, r.slot_id, r.created_at, r.expires_at,
                     r.confirmed_at, sched_reservation_status(r) AS status)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.active, false) AS active,
       EXISTS (SELECT 1 FROM s) AS slot_found,
       EXISTS (SELECT 1 FROM s WHERE s.start_time < now() + $5::interval) AS soon,
       (SELECT chk.conflict FROM chk) AS conflict,
       w.id, w.client_id, w.slot_id, w.created_at, w.expires_at, w.confirmed_at, w.status
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
