-- 003: who is calling. httpd authenticates; the module passes the user name it set
-- (r->user, NULL when anonymous) and whether SchedOpenAccess is on to each statement,
-- which joins this one row and filters by it: what a user may not see is not found,
-- and listing, paging and counting can never show another user's rows.
CREATE FUNCTION sched_principal(username text, open_access boolean)
RETURNS TABLE (user_id bigint, su boolean, client_id bigint, provider_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT u.id, coalesce(u.is_superuser, false) OR coalesce(open_access, false),
           c.id, p.id
      FROM (SELECT 1) AS one
      LEFT JOIN users u ON u.username = sched_principal.username AND u.is_active
      LEFT JOIN clients c ON c.user_id = u.id
      LEFT JOIN providers p ON p.user_id = u.id
$$;
