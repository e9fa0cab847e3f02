-- sched_history_list: a page of the changes of one object, oldest first: for whoever
-- may read the object, and for superusers once it is gone (sched_sees_history). One
-- row at least: a first row with found false is an object the caller may not read
-- (or that never was); a row with a NULL id is an empty page.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  object       text         user, client, provider, slot, reservation, schedule, schedule_override, time_off
-- $4  object_id    int8         the object
-- $5  after        int8         the cursor: the last event of the page before (NULL: from the start)
-- $6  rows         int8         rows to answer (the page's limit + 1: one more tells that a next page exists)
-- columns:
--   found         bool         the caller may read this history (else 404)
--   id            int8         the event
--   at            timestamptz  when: its transaction's start
--   actor         int8         the user who made the change (NULL: not made through the API)
--   action        text         created, updated, deleted, confirmed, cancelled, rescheduled
--   changes       json         {"field": [old, new]}
SELECT v.found, e.id, e.at, e.actor, e.action,
       coalesce(e.changes, sched_event_changes(e.old_data, e.data))::json AS changes
  FROM sched_principal($1::text, $2::bool) me
 CROSS JOIN LATERAL (SELECT sched_sees_history(me, $3::text, $4::int8) AS found) v
  LEFT JOIN LATERAL (
        SELECT ev.*
          FROM events ev
         WHERE v.found
           AND ev.object = $3::text AND ev.object_id = $4::int8
           AND ev.id > coalesce($5::int8, 0)
         ORDER BY ev.id
         LIMIT $6::int8) e ON true
 ORDER BY e.id
