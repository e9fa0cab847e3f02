-- sched_reservations_confirm: confirm a pending reservation (its client or a superuser): it holds its slot
-- for good. Confirming a confirmed one changes nothing.
-- flags: principal retry-safe conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the reservation
-- $4  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the reservation exists and the caller may see it (else 404)
--   allowed       bool         the caller may do this (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   id            int8         the reservation: as changed, or as it was when it could not change (its status tells why)
--   client_id     int8
--   slot_id       int8
--   created_at    timestamptz
--   expires_at    timestamptz  end of the hold while pending
--   confirmed_at  timestamptz  NULL until confirmed
--   status        text         pending, confirmed, expired or cancelled (sched_reservation_status)
WITH x AS (SELECT r AS res,
                  sched_sees_reservation(me, r.client_id,
                      (SELECT vs.provider_id FROM slots vs WHERE vs.id = r.slot_id)) AS visible,
                  sched_acts_as_client(me, r.client_id) AS allowed,
                  sched_etag(r.version, sched_reservation_status(r)) AS etag
             FROM reservations r, sched_acting($1::text, $2::bool) me
            WHERE r.id = $3::int8
              FOR UPDATE OF r),
     w AS (UPDATE reservations AS r SET confirmed_at = now(), held_until = 'infinity'
             FROM x
            WHERE r.id = (x.res).id AND x.visible AND x.allowed
              AND sched_etag_met(x.etag, $4::text[]) AND sched_reservation_status(x.res) = 'pending'
           RETURNING r)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.visible AND x.allowed AND NOT sched_etag_met(x.etag, $4::text[]), false)
           AS unmet,
       coalesce(sched_etag((w.r).version, sched_reservation_status(w.r)), x.etag) AS etag,
       (coalesce(w.r, x.res)).id, (coalesce(w.r, x.res)).client_id,
       (coalesce(w.r, x.res)).slot_id, (coalesce(w.r, x.res)).created_at,
       (coalesce(w.r, x.res)).expires_at, (coalesce(w.r, x.res)).confirmed_at,
       sched_reservation_status(coalesce(w.r, x.res)) AS status
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
