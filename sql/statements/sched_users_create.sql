-- sched_users_create: a new user, by a superuser.
-- flags: principal
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  username     text         checked by users_username_check
-- $4  password     text         its bcrypt hash
-- $5  email        text         NULL: none ('')
-- $6  is_superuser bool         NULL: false
-- $7  is_active    bool         NULL: true
-- columns:
--   allowed       bool         whether the caller may create users
--   id            int8         the user made (NULL: none)
--   username      text
--   email         text         '' when none
--   is_superuser  bool
--   is_active     bool
--   date_joined   timestamptz
--   etag          text         its ETag (sched_etag, sql/008)
WITH me AS (SELECT m.su FROM sched_acting($1::text, $2::bool) m),
     ins AS (INSERT INTO users AS u (username, password, email, is_superuser, is_active)
             SELECT $3::text, $4::text, coalesce($5::text, ''), coalesce($6::bool, false),
                    coalesce($7::bool, true)
               FROM me WHERE me.su
             RETURNING u.id, u.username, u.email, u.is_superuser, u.is_active, u.date_joined,
                      u.version)
SELECT me.su AS allowed, ins.id, ins.username, ins.email, ins.is_superuser, ins.is_active,
       ins.date_joined, sched_etag(ins.version, NULL) AS etag
  FROM me LEFT JOIN ins ON true
