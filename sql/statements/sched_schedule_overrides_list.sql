-- sched_schedule_overrides_list: a page of schedule overrides by id. Whoever may list
-- bookable slots may read them.
-- flags: retry-safe
-- $1  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $2  provider     int8         ?provider= (NULL: any)
-- $3  from         date         ?from=: dates on or after it (NULL: no limit)
-- $4  to           date         ?to=: dates on or before it (NULL: no limit)
-- $5  rows         int8         rows to answer (the page's limit + 1)
-- columns:
--   id            int8         the override
--   provider_id   int8
--   local_date    date         the date, in the zone of the provider's schedule
--   intervals     json         [{"start":"09:00","end":"12:00"},...] by start ([]: closed that day)
SELECT o.id, o.provider_id, o.local_date, sched_override_intervals_json(o.id) AS intervals
  FROM schedule_overrides o
 WHERE o.id > coalesce($1::int8, 0)
   AND ($2::int8 IS NULL OR o.provider_id = $2::int8)
   AND ($3::date IS NULL OR o.local_date >= $3::date)
   AND ($4::date IS NULL OR o.local_date <= $4::date)
 ORDER BY o.id
 LIMIT $5::int8
