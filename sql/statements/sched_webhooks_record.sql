-- sched_webhooks_record: what the attempts of a claim got, one array element each:
-- the attempt is recorded, and the delivery is done (a 2xx, or no attempt left) or due
-- again later; its lease ends. An element whose delivery has been claimed again since
-- (the lease ran out, another sender took it) is not recorded. 410 Gone disables the
-- webhook.
-- flags:
-- $1  deliveries   int8[]       the deliveries
-- $2  attempts     int4[]       the attempt each claim made
-- $3  ats          timestamptz[]  when each was sent
-- $4  statuses     int4[]       the receiver's HTTP status (NULL: none)
-- $5  errors       text[]       why there was none (NULL: there was one)
-- $6  next_in      float8[]     seconds until the next attempt (NULL: none)
-- $7  gone         bool[]       the receiver said 410 Gone: disable the webhook
-- columns:
--   recorded      int8         attempts recorded
--   disabled      int8         webhooks disabled
WITH r AS (SELECT *
             FROM unnest($1::int8[], $2::int4[], $3::timestamptz[], $4::int4[], $5::text[],
                         $6::float8[], $7::bool[])
                  AS r(delivery_id, attempt, at, status, error, next_in, gone)),
     cur AS (SELECT d.id, d.webhook_id, r.attempt, r.at, r.status, r.error, r.gone,
                    CASE WHEN r.next_in IS NOT NULL
                         THEN now() + make_interval(secs => r.next_in) END AS next_at
               FROM webhook_deliveries d
               JOIN r ON r.delivery_id = d.id AND r.attempt = d.attempts
                FOR NO KEY UPDATE OF d),
     up AS (UPDATE webhook_deliveries d
               SET lease_until = NULL, next_attempt_at = cur.next_at,
                   delivered_at = CASE WHEN cur.status BETWEEN 200 AND 299 THEN cur.at
                                       ELSE d.delivered_at END
              FROM cur
             WHERE d.id = cur.id
            RETURNING d.id),
     att AS (INSERT INTO webhook_attempts (delivery_id, webhook_id, attempt, at, status,
                                           error, next_attempt_at)
             SELECT cur.id, cur.webhook_id, cur.attempt, cur.at, cur.status, cur.error,
                    cur.next_at
               FROM cur JOIN up ON up.id = cur.id
             RETURNING 1),
     off AS (UPDATE webhooks w SET active = false
              WHERE w.active AND w.id IN (SELECT cur.webhook_id FROM cur WHERE cur.gone)
             RETURNING 1)
SELECT (SELECT count(*) FROM att) AS recorded, (SELECT count(*) FROM off) AS disabled
