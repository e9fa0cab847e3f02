-- sched_providers_get: one provider record (no row: none, or not the caller's to see).
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  id           int8         the record
-- columns:
--   id            int8         the record
--   user_id       int8         its user
--   etag          text         the ETag, without its quotes (sched_etag, sql/008)
SELECT t.id, t.user_id, sched_etag(t.version, NULL) AS etag
  FROM providers t, sched_principal($1::text, $2::bool) me
 WHERE t.id = $3::int8
   AND sched_sees_user(me, t.user_id)
