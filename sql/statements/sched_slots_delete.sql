-- sched_slots_delete: delete a slot with no active reservation (slots_reserved), by
-- its provider or a superuser.
-- flags: principal conditional
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the slot
-- $4  notice       interval     SchedMinNotice: the slot's availability is part of its ETag
-- $5  if_match     text[]       the ETags that If-Match names (NULL: none, or *)
-- columns:
--   visible       bool         the slot exists (else 404)
--   allowed       bool         the caller may delete it (else 403)
--   unmet         bool         If-Match names none of its ETags: nothing changed (412)
--   etag          text         its ETag (sched_etag): after the change, else as it is
--   deleted       bool         it was deleted
WITH x AS (SELECT s.id, true AS visible, sched_acts_as_provider(me, s.provider_id) AS allowed,
                  sched_etag(s.version, sched_slot_state(s, $4::interval)) AS etag
             FROM slots s, sched_acting($1::text, $2::bool) me
            WHERE s.id = $3::int8
              FOR UPDATE OF s),
     w AS (DELETE FROM slots s USING x
            WHERE s.id = x.id AND x.allowed AND sched_etag_met(x.etag, $5::text[])
           RETURNING s.id)
SELECT coalesce(x.visible, false) AS visible, coalesce(x.allowed, false) AS allowed,
       coalesce(x.allowed AND NOT sched_etag_met(x.etag, $5::text[]), false) AS unmet,
       x.etag, EXISTS (SELECT 1 FROM w) AS deleted
  FROM (SELECT 1) one LEFT JOIN x ON true
