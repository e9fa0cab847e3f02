-- sched_reservations_key: the first answer to an Idempotency-Key, if younger than 24
-- hours; keys older than that are deleted on the way, a few at a time.
-- flags: retry-safe
-- $1  key          text         the Idempotency-Key header
-- columns:
--   request        text         the request it came with ("client=1&slot=2&user=ada")
--   reservation_id int8         the reservation it made
--   client_id      int8         as the first answer showed it
--   slot_id        int8
--   reserved_at    timestamptz  its created_at
--   expires_at     timestamptz
--   body           text         the first answer as JSON, for keys remembered before 005 (else NULL)
--   etag           text         the first answer's ETag: a reservation as made is version 1, pending
WITH mine AS (DELETE FROM idempotency_keys
               WHERE key = $1::text AND created_at <= now() - interval '24 hours'),
     old AS (DELETE FROM idempotency_keys
              WHERE key IN (SELECT key FROM idempotency_keys
                             WHERE created_at <= now() - interval '24 hours'
                             ORDER BY created_at LIMIT 32))
SELECT request, reservation_id, client_id, slot_id, reserved_at, expires_at, body,
       sched_etag(1, 'pending') AS etag
  FROM idempotency_keys
 WHERE key = $1::text AND created_at > now() - interval '24 hours'
