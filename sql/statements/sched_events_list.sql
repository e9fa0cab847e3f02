-- sched_events_list: a page of the feed of changes (superusers), after a cursor, in the
-- order that misses none: by the writing transaction, then id, and only the events of
-- transactions older than any still running (sql/007). One row at least: a first row
-- with allowed false is a caller who may not read the feed; a row with a NULL id is
-- an empty page.
-- flags: principal retry-safe
-- $1  username     text         the caller: the user name httpd authenticated (NULL: anonymous)
-- $2  open_access  bool         SchedOpenAccess: no authorization at all
-- $3  after_xid    int8         the cursor: the transaction of the last event read (NULL: from the start)
-- $4  after_id     int8         the cursor: the last event read
-- $5  rows         int8         rows to answer (the page's limit + 1: one more tells that a next page exists)
-- columns:
--   allowed       bool         the caller may read the feed (else 403)
--   id            int8         the event
--   xid           int8         its transaction (the cursor's first part)
--   at            timestamptz  when: its transaction's start
--   actor         int8         the user who made the change (NULL: not made through the API)
--   object        text         user, client, provider, slot, reservation, schedule, schedule_override, time_off
--   object_id     int8
--   action        text         created, updated, deleted, confirmed, cancelled, rescheduled
--   changes       json         {"field": [old, new]}
--   data          json         the object after the change (NULL once deleted)
SELECT me.su AS allowed, e.id, e.xid::text::int8 AS xid, e.at, e.actor, e.object, e.object_id,
       e.action, coalesce(e.changes, sched_event_changes(e.old_data, e.data))::json AS changes,
       e.data::json AS data
  FROM sched_principal($1::text, $2::bool) me
  LEFT JOIN LATERAL (
        SELECT ev.*
          FROM events ev
         WHERE me.su
           AND ev.xid < pg_snapshot_xmin(pg_current_snapshot())
           AND (ev.xid, ev.id) > (coalesce($3::int8, 0)::text::xid8, coalesce($4::int8, 0))
         ORDER BY ev.xid, ev.id
         LIMIT $5::int8) e ON true
 ORDER BY e.xid, e.id
