-- sched_reservations_delete: delete a reservation (its client or a superuser); the
-- slot is free again.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the reservation
-- $4  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the reservation exists and the caller may see it (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   deleted       bool         it was deleted
WITH x AS (SELECT r.id,
                  sched_sees_reservation(me, r.client_id,
                      (SELECT vs.provider_id FROM slots vs WHERE vs.id = r.slot_id)) AS visible,
                  sched_acts_as_client(me, r.client_id) AS allowed,
                  sched_etag(r.version, sched_reservation_status(r)) AS etag
             FROM reservations r, sched_acting($1::text, $2::bool) me
            WHERE r.id = $3::int8
              FOR UPDATE OF r),
     w AS (DELETE FROM reservations r USING x
            WHERE r.id = x.id AND x.visible AND x.allowed AND sched_etag_met(x.etag, $4::text[])
           RETURNING r.id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.visible AND x.allowed AND NOT sched_etag_met(x.etag, $4::text[]), false)
           AS unmet,
       x.etag, EXISTS (SELECT 1 FROM w) AS deleted
  FROM (SELECT 1) one LEFT JOIN x ON true
