-- sched_time_off_update: change time off (its provider or a superuser), and the
-- provider's slots in the same transaction (sched_time_off_save, sql/006). NULL
-- values are unchanged.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the time off
-- $4  start_time   timestamptz  NULL: unchanged
-- $5  end_time     timestamptz  NULL: unchanged
-- $6  reason       text         NULL: unchanged
-- columns:
--   visible       bool         the time off exists (else 404)
--   allowed       bool         the caller may change it (else 403)
--   conflict      text         'reservation' or 'time_off', as for create: unchanged (409)
--   id            int8         the time off
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   reason        text         ("" when none)
--   kept          int8[]       reserved slots no longer due that had to stay
WITH x AS (SELECT o.id, o.provider_id, sched_acts_as_provider(me, o.provider_id) AS allowed
             FROM time_off o, sched_acting($1::text, $2::bool) me
            WHERE o.id = $3::int8),
     lk AS (SELECT p.id FROM providers p, x
             WHERE p.id = x.provider_id AND x.allowed
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.*
             FROM lk, x, LATERAL sched_time_off_save(lk.id, x.id, $4::timestamptz,
                                                     $5::timestamptz, $6::text) r)
SELECT x.id IS NOT NULL AND NOT coalesce(w.gone, false) AS visible,
       coalesce(x.allowed, false) AS allowed,
       w.conflict,
       (w.saved).id, (w.saved).provider_id, (w.saved).start_time, (w.saved).end_time,
       (w.saved).reason, w.kept
  FROM (SELECT 1) one LEFT JOIN x ON true LEFT JOIN w ON true
