-- sched_reservations_create: book a slot for a client (the client itself, or a
-- superuser): a pending reservation that holds the slot until it expires. Locks the
-- client, then the slot, so that bookings of one client and of one slot queue. The
-- insert does nothing where the exclusion constraints would refuse it (ON CONFLICT
-- DO NOTHING: no error); only then is what stood in the way read (conflict), with a
-- fresh snapshot that sees the booking that won.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  client       int8         the client
-- $4  slot         int8         the slot
-- $5  hold         interval     SchedHoldTime
-- $6  notice       interval     SchedMinNotice: the slot must start after now + notice
-- $7  key          text         the Idempotency-Key (NULL: none)
-- $8  request      text         what the key is remembered with
-- columns:
--   allowed        bool         the caller may book for this client (else 403)
--   client_found   bool         the client exists (else 400)
--   slot_found     bool         the slot exists (else 400)
--   soon           bool         the slot starts too soon (400)
--   conflict       text         'slot' (held) or 'client' (busy at that time): nothing made (409)
--   id            int8         the reservation made (NULL: none)
--   client_id     int8
--   slot_id       int8
--   created_at    timestamptz
--   expires_at    timestamptz  end of the hold while pending
--   confirmed_at  timestamptz  NULL until confirmed
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
WITH c AS (SELECT id FROM clients WHERE id = $3::int8 FOR NO KEY UPDATE),
     s AS (SELECT s.id, s.start_time, s.end_time
             FROM slots s JOIN providers p ON p.id = s.provider_id
            WHERE s.id = $4::int8 AND EXISTS (SELECT 1 FROM c)
              FOR NO KEY UPDATE OF s FOR KEY SHARE OF p),
     ok AS (SELECT c.id AS client_id, s.id AS slot_id, s.start_time, s.end_time
              FROM c, s, sched_principal($1::text, $2::bool) me
             WHERE sched_acts_as_client(me, c.id) AND s.start_time >= now() + $6::interval),
     ins AS (INSERT INTO reservations AS r
                    (client_id, slot_id, expires_at, held_until, slot_start, slot_end)
             SELECT client_id, slot_id, now() + $5::interval, now() + $5::interval,
                    start_time, end_time
               FROM ok
             ON CONFLICT DO NOTHING
             RETURNING r.id, r.client_id, r.slot_id, r.created_at, r.expires_at,
                       r.confirmed_at, sched_reservation_status(r) AS status),
     k AS (INSERT INTO idempotency_keys
                  (key, request, reservation_id, client_id, slot_id, reserved_at, expires_at)
           SELECT $7::text, $8::text, ins.id, ins.client_id, ins.slot_id, ins.created_at,
                  ins.expires_at
             FROM ins WHERE $7::text IS NOT NULL)
SELECT sched_acts_as_client(me, $3::int8) AS allowed,
       EXISTS (SELECT 1 FROM c) AS client_found,
       EXISTS (SELECT 1 FROM s) AS slot_found,
       EXISTS (SELECT 1 FROM s WHERE s.start_time < now() + $6::interval) AS soon,
       -- Only when nothing was made, and only then: what stood in the way.
       CASE WHEN ins.id IS NULL THEN
           (SELECT sched_booking_conflict(ok.client_id, ok.slot_id, ok.start_time,
                                          ok.end_time, NULL) FROM ok)
       END AS conflict,
       ins.id, ins.client_id, ins.slot_id, ins.created_at, ins.expires_at, ins.confirmed_at,
       ins.status
  FROM sched_principal($1::text, $2::bool) me LEFT JOIN ins ON true
