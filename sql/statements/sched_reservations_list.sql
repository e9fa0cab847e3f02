-- sched_reservations_list: a page of reservations by id: a client's own, those on a
-- provider's slots, all for superusers.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $4  client       int8         ?client= (NULL: any)
-- $5  provider     int8         ?provider= (NULL: any)
-- $6  slot         int8         ?slot= (NULL: any)
-- $7  status       text         ?status= (NULL: any)
-- $8  rows         int8         rows to answer (the page's limit + 1)
-- columns:
--   id            int8         the reservation
--   client_id     int8
--   slot_id       int8
--   created_at    timestamptz
--   expires_at    timestamptz  end of the hold while pending
--   confirmed_at  timestamptz  NULL until confirmed
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
SELECT r.id, r.client_id, r.slot_id, r.created_at, r.expires_at, r.confirmed_at,
       sched_reservation_status(r) AS status
  FROM reservations r JOIN slots s ON s.id = r.slot_id,
       sched_principal($1::text, $2::bool) me
 WHERE r.id > coalesce($3::int8, 0)
   AND ($4::int8 IS NULL OR r.client_id = $4::int8)
   AND ($5::int8 IS NULL OR s.provider_id = $5::int8)
   AND ($6::int8 IS NULL OR r.slot_id = $6::int8)
   AND ($7::text IS NULL OR sched_reservation_status(r) = $7::text)
   AND sched_sees_reservation(me, r.client_id, s.provider_id)
 ORDER BY r.id
 LIMIT $8::int8
