-- sched_reservations_delete: delete a reservation (its client or a superuser); the
-- slot is free again.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the reservation
-- columns:
--   visible       bool         the reservation exists and the caller may see it (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   deleted       bool         it was deleted
WITH x AS (SELECT r.id,
                  sched_sees_reservation(me, r.client_id,
                      (SELECT vs.provider_id FROM slots vs WHERE vs.id = r.slot_id)) AS visible,
                  sched_acts_as_client(me, r.client_id) AS allowed
             FROM reservations r, sched_acting($1::text, $2::bool) me
            WHERE r.id = $3::int8),
     w AS (DELETE FROM reservations r USING x
            WHERE r.id = x.id AND x.visible AND x.allowed
           RETURNING r.id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       EXISTS (SELECT 1 FROM w) AS deleted
  FROM (SELECT 1) one LEFT JOIN x ON true
