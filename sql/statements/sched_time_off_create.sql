-- sched_time_off_create: time off of a provider (by that provider or a superuser): no
-- slot of the provider that overlaps it is listed or bookable, and its schedule
-- slots there go, in the same transaction (sched_time_off_save, sql/006). The slots
-- it covers are locked first, so that a booking of one either committed before and is
-- seen, or waits and is then refused. end <= start is refused by time_off_time_check
-- (23514, 400).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  provider     int8         the provider
-- $4  start_time   timestamptz
-- $5  end_time     timestamptz
-- $6  reason       text         NULL: ""
-- columns:
--   allowed        bool         the caller may act for this provider (else 403)
--   provider_found bool         the provider exists (else 400)
--   conflict       text         'reservation' (it covers an active reservation that has not ended) or 'time_off' (it overlaps other time off of the provider): nothing made (409)
--   id            int8         the time off
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   reason        text         ("" when none)
--   kept          int8[]       reserved slots no longer due that had to stay
--   etag          text         its ETag (sched_etag, sql/008)
WITH lk AS (SELECT p.id FROM providers p, sched_acting($1::text, $2::bool) me
             WHERE p.id = $3::int8 AND sched_acts_as_provider(me, p.id)
               FOR NO KEY UPDATE OF p),
     w AS (SELECT r.*
             FROM lk, LATERAL sched_time_off_save(lk.id, NULL, $4::timestamptz,
                                                  $5::timestamptz, $6::text) r)
SELECT sched_acts_as_provider(me, $3::int8) AS allowed,
       EXISTS (SELECT 1 FROM providers p WHERE p.id = $3::int8) AS provider_found,
       w.conflict,
       (w.saved).id, (w.saved).provider_id, (w.saved).start_time, (w.saved).end_time,
       (w.saved).reason, w.kept, sched_etag((w.saved).version, NULL) AS etag
  FROM sched_acting($1::text, $2::bool) me LEFT JOIN w ON true
