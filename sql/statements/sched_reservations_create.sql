-- sched_reservations_create: book a slot for a client (the client itself, or a
-- superuser): a pending reservation that holds the slot until it expires. Locks the
-- client, then the slot together with the provider's slots within reach of its
-- buffers (in time order), then the provider (FOR KEY SHARE), so that bookings of one
-- client, of one slot and of neighbours whose occupations could overlap queue; then
-- reads with a fresh snapshot why not (sched_booking_refusal: the rule of the bookable
-- list, and the client's other bookings). A booking that loses a race is told so, not
-- refused by a constraint. The reservation records its provider and its occupation
-- (the slot and the buffers of the provider's schedule: reservations_provider_busy).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  client       int8         the client
-- $4  slot         int8         the slot
-- $5  hold         interval     SchedHoldTime
-- $6  notice       interval     SchedMinNotice: the slot must start after now + notice (unless the provider's schedule names its own)
-- $7  key          text         the Idempotency-Key (NULL: none)
-- $8  request      text         what the key is remembered with
-- columns:
--   allowed        bool         the caller may book for this client (else 403)
--   client_found   bool         the client exists (else 400)
--   slot_found     bool         the slot exists (else 400)
--   soon           bool         the slot starts too soon (400)
--   conflict       text         'slot' (held), 'client' (busy at that time), 'time_off' (the provider's time off), 'buffer' (too near another booking of the provider): nothing made (409)
--   id            int8         the reservation made (NULL: none)
--   client_id     int8
--   slot_id       int8
--   created_at    timestamptz
--   expires_at    timestamptz  end of the hold while pending
--   confirmed_at  timestamptz  NULL until confirmed
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
--   too_far       bool         the slot starts beyond the provider's horizon (400)
--   etag          text         its ETag (sched_etag, sql/008)
WITH c AS (SELECT id FROM clients WHERE id = $3::int8 FOR NO KEY UPDATE),
     -- the slot as it was when the statement began, and the reach of the buffers
     t AS (SELECT s.id, s.provider_id, s.start_time, s.end_time,
                  sched_slot_timing(s.start_time, sc.min_notice_minutes, sc.horizon_days,
                                    $6::interval) AS timing,
                  make_interval(mins => coalesce(sc.buffer_before_minutes
                                                 + sc.buffer_after_minutes, 0)) AS reach
             FROM slots s LEFT JOIN schedules sc ON sc.provider_id = s.provider_id
            WHERE s.id = $4::int8 AND EXISTS (SELECT 1 FROM c)),
     lk AS (SELECT n.id, n.provider_id, n.start_time, n.end_time
              FROM slots n, t
             WHERE n.provider_id = t.provider_id
               AND tstzrange(n.start_time, n.end_time)
                   && tstzrange(t.start_time - t.reach, t.end_time + t.reach)
             ORDER BY n.start_time, n.id
               FOR NO KEY UPDATE OF n),
     s AS (SELECT lk.id, lk.provider_id, lk.start_time, lk.end_time
             FROM lk JOIN providers p ON p.id = lk.provider_id
            WHERE lk.id = $4::int8
              FOR KEY SHARE OF p),
     chk AS (SELECT c.id AS client_id, s.id AS slot_id, s.provider_id, s.start_time,
                    s.end_time, sched_booking_refusal(c.id, s.id, $6::interval, NULL) AS why
               FROM c, s, t, sched_acting($1::text, $2::bool) me
              WHERE sched_acts_as_client(me, c.id) AND t.timing IS NULL),
     ins AS (INSERT INTO reservations AS r
                    (client_id, slot_id, expires_at, held_until, slot_start, slot_end,
                     provider_id, occupation)
             SELECT client_id, slot_id, now() + $5::interval, now() + $5::interval,
                    start_time, end_time, provider_id,
                    sched_occupation(provider_id, start_time, end_time)
               FROM chk WHERE why IS NULL
             ON CONFLICT DO NOTHING
             RETURNING r.id, r.client_id, r.slot_id, r.created_at, r.expires_at,
                       r.confirmed_at, sched_reservation_status(r) AS status,
                       sched_etag(r.version, sched_reservation_status(r)) AS etag),
     k AS (INSERT INTO idempotency_keys
                  (key, request, reservation_id, client_id, slot_id, reserved_at, expires_at)
           SELECT $7::text, $8::text, ins.id, ins.client_id, ins.slot_id, ins.created_at,
                  ins.expires_at
             FROM ins WHERE $7::text IS NOT NULL)
SELECT sched_acts_as_client(me, $3::int8) AS allowed,
       EXISTS (SELECT 1 FROM c) AS client_found,
       EXISTS (SELECT 1 FROM t) AS slot_found,
       EXISTS (SELECT 1 FROM t WHERE t.timing = 'soon')
           OR coalesce((SELECT chk.why = 'soon' FROM chk), false) AS soon,
       CASE WHEN ins.id IS NULL THEN coalesce(
           (SELECT chk.why FROM chk WHERE chk.why NOT IN ('soon', 'far')),
           -- the slot moved away while this waited for its lock
           (SELECT 'slot' FROM t WHERE NOT EXISTS (SELECT 1 FROM s)
                                   AND EXISTS (SELECT 1 FROM c)),
           -- nothing stood in the way, yet the insert made nothing: it waited for a
           -- rival's insert that a constraint weighed against it: a fresh look says why
           (SELECT sched_booking_refusal(chk.client_id, chk.slot_id, $6::interval, NULL)
              FROM chk WHERE chk.why IS NULL)) END AS conflict,
       ins.id, ins.client_id, ins.slot_id, ins.created_at, ins.expires_at, ins.confirmed_at,
       ins.status,
       EXISTS (SELECT 1 FROM t WHERE t.timing = 'far')
           OR coalesce((SELECT chk.why = 'far' FROM chk), false) AS too_far,
       ins.etag
  FROM sched_acting($1::text, $2::bool) me LEFT JOIN ins ON true
