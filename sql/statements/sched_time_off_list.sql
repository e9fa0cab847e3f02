-- sched_time_off_list: a page of time off by id. Whoever may list bookable slots may
-- read it.
-- flags: retry-safe
-- $1  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $2  provider     int8         ?provider= (NULL: any)
-- $3  rows         int8         rows to answer (the page's limit + 1)
-- columns:
--   id            int8         the time off
--   provider_id   int8
--   start_time    timestamptz
--   end_time      timestamptz
--   reason        text         ("" when none)
SELECT o.id, o.provider_id, o.start_time, o.end_time, o.reason
  FROM time_off o
 WHERE o.id > coalesce($1::int8, 0)
   AND ($2::int8 IS NULL OR o.provider_id = $2::int8)
 ORDER BY o.id
 LIMIT $3::int8
