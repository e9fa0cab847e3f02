-- sched_session_foreign: the statements other modules prepared on a new connection
-- (mod_dbd prepares mod_authn_dbd's query, say, when it opens one): after a reset the
-- new backend has none of them, and the module prepares them again.
-- flags: unprepared
-- columns:
--   statement  text  the PREPARE statement, as pg_prepared_statements shows it
--   authn      bool  it is an authentication module's (mod_authn_dbd, mod_authz_dbd: their labels)
SELECT statement, name ~ '^auth[nz]_dbd_' AS authn
  FROM pg_prepared_statements WHERE name NOT LIKE 'sched\_%' AND from_sql
