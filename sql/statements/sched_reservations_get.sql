-- sched_reservations_get: one reservation (no row: none, or not the caller's to see).
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the reservation
-- columns:
--   id            int8         the reservation
--   client_id     int8
--   slot_id       int8
--   created_at    timestamptz
--   expires_at    timestamptz  end of the hold while pending
--   confirmed_at  timestamptz  NULL until confirmed
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
--   etag          text         the ETag, without its quotes (sched_etag, sql/008)
SELECT r.id, r.client_id, r.slot_id, r.created_at, r.expires_at, r.confirmed_at,
       sched_reservation_status(r) AS status,
       sched_etag(r.version, sched_reservation_status(r)) AS etag
  FROM reservations r JOIN slots s ON s.id = r.slot_id,
       sched_principal($1::text, $2::bool) me
 WHERE r.id = $3::int8
   AND sched_sees_reservation(me, r.client_id, s.provider_id)
