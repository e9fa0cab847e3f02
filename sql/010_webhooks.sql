-- 010: webhooks. Every event (sql/007) that a webhook subscribes to is delivered to
-- its URL at least once, by the sender inside httpd (src/sched_sender.c), from these
-- tables: nothing is lost when httpd stops or the receiver is down, and several httpd
-- servers on one database send each attempt once.
--
-- How an event becomes an HTTP request:
-- 1. The fan-out (sched_webhooks_fanout) reads the events in the feed's order (sql/007:
--    by transaction, then id, only once no earlier one can still appear) after the
--    position it has reached, and makes a delivery row per (webhook, event) for the
--    active webhooks that subscribe to the event's type and existed when it happened.
--    One server at a time does it (the position's row, locked with SKIP LOCKED).
-- 2. A sender claims the deliveries that are due (next_attempt_at reached) with FOR
--    UPDATE SKIP LOCKED and puts a lease on them (lease_until) in one short statement,
--    then sends them with no transaction open. Another sender skips a leased delivery
--    until its lease runs out: a sender that died while sending (httpd killed) leaves
--    its deliveries to the others, or to itself once it is back.
-- 3. It records each attempt (webhook_attempts) and what comes next: delivered (a
--    2xx), another attempt later (anything else, a timeout, a refused connection), or
--    none (the retries are spent, or 410 Gone, which also disables the webhook). The
--    record counts only when the delivery's attempt is still the one the sender
--    claimed: a sender whose lease ran out cannot overwrite a later claim.
-- Events trigger a NOTIFY on the channel sched_webhooks when an active webhook
-- exists and a sender is waiting for work, so that it wakes at once; senders poll as
-- well, for what a lost notification or a retry's time brings. A sender at work is
-- not notified: a NOTIFY serializes the commits of the transactions that send one
-- (PostgreSQL takes a lock for the notification queue), which under load would cost
-- the bookings more than the sending itself.

CREATE TABLE webhooks (
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    url        text        NOT NULL,
    events     text[]      NOT NULL,
    -- the signing key: whsec_ + base64 of it is answered once, when it is made
    secret     bytea       NOT NULL,
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    version    bigint      NOT NULL DEFAULT 1,
    CONSTRAINT webhooks_pkey PRIMARY KEY (id),
    CONSTRAINT webhooks_url_check CHECK (url ~ '^https?://' AND octet_length(url) <= 2048),
    CONSTRAINT webhooks_events_check CHECK (cardinality(events) BETWEEN 1 AND 64
                                            AND array_position(events, NULL) IS NULL),
    CONSTRAINT webhooks_secret_check CHECK (octet_length(secret) BETWEEN 24 AND 64),
    CONSTRAINT webhooks_version_check CHECK (version >= 1)
);

CREATE TRIGGER webhooks_version BEFORE UPDATE ON webhooks FOR EACH ROW
    WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION sched_version_bump();

-- One per (webhook, event): what is left to do.
CREATE TABLE webhook_deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    webhook_id      bigint      NOT NULL,
    event_id        bigint      NOT NULL,
    -- attempts made or under way; the claim that makes attempt n sets it to n
    attempts        integer     NOT NULL DEFAULT 0,
    -- when the next attempt is due; NULL: none (delivered, or given up)
    next_attempt_at timestamptz,
    -- a sender's claim: nobody else sends it before this time
    lease_until     timestamptz,
    delivered_at    timestamptz,
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_deliveries_once UNIQUE (webhook_id, event_id),
    CONSTRAINT webhook_deliveries_webhook_fkey FOREIGN KEY (webhook_id)
        REFERENCES webhooks (id) ON DELETE CASCADE,
    -- events are kept SchedEventRetention; their deliveries go with them
    CONSTRAINT webhook_deliveries_event_fkey FOREIGN KEY (event_id)
        REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_attempts_check CHECK (attempts >= 0)
);

-- The senders' queue: each webhook's due deliveries, oldest first; and the attempts
-- under way (leased) of each webhook.
CREATE INDEX webhook_deliveries_queue_idx ON webhook_deliveries (webhook_id, next_attempt_at, id)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_leased_idx ON webhook_deliveries (webhook_id)
    WHERE lease_until IS NOT NULL;
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- One per attempt: GET /webhooks/{id}/deliveries/.
CREATE TABLE webhook_attempts (
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    delivery_id     bigint      NOT NULL,
    webhook_id      bigint      NOT NULL,
    attempt         integer     NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    -- the receiver's HTTP status; NULL when there was none (error says why)
    status          integer,
    error           text,
    next_attempt_at timestamptz,
    CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_attempts_delivery_fkey FOREIGN KEY (delivery_id)
        REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    CONSTRAINT webhook_attempts_attempt_check CHECK (attempt >= 1),
    CONSTRAINT webhook_attempts_status_check CHECK (status BETWEEN 100 AND 599),
    CONSTRAINT webhook_attempts_outcome_check CHECK ((status IS NULL) <> (error IS NULL)
                                                     OR status IS NOT NULL)
);

CREATE INDEX webhook_attempts_webhook_idx ON webhook_attempts (webhook_id, id);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id);

-- How far the fan-out has read the feed: one row.
CREATE TABLE webhook_fanout (
    one       boolean NOT NULL DEFAULT true,
    xid       xid8    NOT NULL,
    event_id  bigint  NOT NULL,
    CONSTRAINT webhook_fanout_pkey PRIMARY KEY (one),
    CONSTRAINT webhook_fanout_one CHECK (one)
);

-- No webhook exists yet: the events written before this point concern none.
INSERT INTO webhook_fanout (xid, event_id)
SELECT pg_current_xact_id(), coalesce(max(id), 0) FROM events;

-- Whether an event of this type goes to a webhook that subscribes to types.
CREATE FUNCTION sched_webhook_wants(types text[], type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '*' = ANY (types) OR type = ANY (types)
$$;

-- The fan-out: up to batch events after the position, into deliveries. Answers the
-- events read and the deliveries made; (0, 0) when another server is at it or
-- nothing is new.
CREATE FUNCTION sched_webhooks_fanout(batch bigint, OUT events bigint, OUT deliveries bigint)
LANGUAGE plpgsql AS $$
DECLARE
    pos  webhook_fanout;
    safe xid8 := pg_snapshot_xmin(pg_current_snapshot());
BEGIN
    events := 0;
    deliveries := 0;
    SELECT * INTO pos FROM webhook_fanout FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- No active webhook: no event is wanted; the position moves to the newest safe
    -- event at once (a bulk load, or a long history, costs nothing to skip).
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE active) THEN
        UPDATE webhook_fanout f SET xid = e.xid, event_id = e.id
          FROM (SELECT ev.xid, ev.id FROM events ev
                 WHERE ev.xid < safe AND (ev.xid, ev.id) > (pos.xid, pos.event_id)
                 ORDER BY ev.xid DESC, ev.id DESC LIMIT 1) e;
        RETURN;
    END IF;
    WITH ev AS (SELECT e.id, e.xid, e.at, e.object || '.' || e.action AS type
                  FROM events e
                 WHERE e.xid < safe AND (e.xid, e.id) > (pos.xid, pos.event_id)
                 ORDER BY e.xid, e.id
                 LIMIT batch),
         ins AS (INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at)
                 SELECT w.id, ev.id, now()
                   FROM ev
                   JOIN webhooks w ON w.active AND w.created_at <= ev.at
                                  AND sched_webhook_wants(w.events, ev.type)
                  ORDER BY ev.xid, ev.id, w.id
                     ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING
                 RETURNING 1),
         last AS (SELECT ev.xid, ev.id FROM ev ORDER BY ev.xid DESC, ev.id DESC LIMIT 1),
         moved AS (UPDATE webhook_fanout f SET xid = last.xid, event_id = last.id
                     FROM last
                   RETURNING 1)
    SELECT (SELECT count(*) FROM ev), (SELECT count(*) FROM ins)
      INTO events, deliveries;
END
$$;

-- The senders' connections (by backend pid), and whether each is waiting for work.
-- Unlogged: after a crash it is empty until the senders connect again.
CREATE UNLOGGED TABLE webhook_senders (
    pid     integer     NOT NULL,
    asleep  boolean     NOT NULL,
    since   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_senders_pkey PRIMARY KEY (pid)
);

-- Wake a waiting sender when events commit that an active webhook may want (NOTIFY
-- is sent at commit, once per transaction and channel).
CREATE FUNCTION sched_webhooks_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhook_senders WHERE asleep)
       AND EXISTS (SELECT 1 FROM webhooks WHERE active) THEN
        PERFORM pg_notify('sched_webhooks', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_webhooks_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION sched_webhooks_notify();
