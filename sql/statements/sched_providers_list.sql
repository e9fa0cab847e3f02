-- sched_providers_list: a page of provider records by id; users see their own, superusers all.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  after        int8         the cursor: the last id of the page before (NULL: from the start)
-- $4  user_id      int8         ?user= (NULL: any)
-- $5  rows         int8         rows to answer (the page's limit + 1)
-- columns:
--   id            int8         the record
--   user_id       int8         its user
SELECT t.id, t.user_id
  FROM providers t, sched_principal($1::text, $2::bool) me
 WHERE t.id > coalesce($3::int8, 0)
   AND ($4::int8 IS NULL OR t.user_id = $4::int8)
   AND sched_sees_user(me, t.user_id)
 ORDER BY t.id
 LIMIT $5::int8
