-- sched_ctl_quiet: schedctl's session: notices such as "already exists, skipping" stay
-- quiet, warnings of a migration are shown.
-- flags: unprepared
SET client_min_messages = warning
