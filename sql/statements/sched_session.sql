-- sched_session: the settings of every new database session of the module, before it
-- runs anything. Generic plans: the statements are written so that the plan made once
-- for any parameters is the right one (t/85-plans.t checks the hot ones), and
-- PostgreSQL's default would plan the first five executions anew each time, then keep
-- re-planning whenever a plan for the values at hand looks cheaper (a page of slots:
-- 0.3 ms to run, 1.3 ms to plan).
-- flags: unprepared
SET plan_cache_mode = force_generic_plan
