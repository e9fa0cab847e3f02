-- sched_clients_create: make a user a client (superusers).
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  user_id      int8         the user
-- columns:
--   allowed       bool         whether the caller may do this
--   id            int8         the record made (NULL: none)
--   user_id       int8         its user
--   etag          text         its ETag (sched_etag, sql/008)
WITH me AS (SELECT m.su FROM sched_acting($1::text, $2::bool) m),
     ins AS (INSERT INTO clients AS t (user_id)
             SELECT $3::int8 FROM me WHERE me.su
             RETURNING t.id, t.user_id, t.version)
SELECT me.su AS allowed, ins.id, ins.user_id, sched_etag(ins.version, NULL) AS etag
  FROM me LEFT JOIN ins ON true
