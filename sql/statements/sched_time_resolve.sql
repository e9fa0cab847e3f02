-- sched_time_resolve: a time sent without an offset, read in SchedNaiveTimeZone.
-- flags: retry-safe
-- $1  local  text  the time as sent, without an offset ("2026-12-01T09:00:00")
-- $2  zone   text  SchedNaiveTimeZone (an IANA name)
-- columns:
--   usec  int8  the instant, in microseconds since 1970 (UTC)
SELECT (extract(epoch FROM $1::timestamp AT TIME ZONE $2::text) * 1000000)::int8 AS usec
