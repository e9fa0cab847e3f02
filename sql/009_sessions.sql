-- 009: the sessions of the web interface. httpd's mod_session_dbd keeps them here
-- (the statements it runs are the DBDPrepareSQL lines of conf/sched.conf), so that
-- every httpd server on this database knows every session, and a logout on one ends
-- the session on all: the row goes. What a row holds is mod_auth_form's user name and
-- password, encrypted by mod_session_crypto before it is stored (SessionCryptoPassphrase
-- of the servers); the key is the random id the browser's cookie carries.
CREATE TABLE sessions (
    key    text   NOT NULL,
    value  text   NOT NULL,
    -- when it ends, in microseconds since 1970 (apr_time_t); 0: never. mod_session
    -- moves it on with each use (SessionMaxAge: the idle timeout).
    expiry bigint NOT NULL,
    -- when it began: the statement that reads a session refuses one older than the
    -- sessions' lifetime (conf/sched.conf), however recently it was used.
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_pkey PRIMARY KEY (key)
);

-- The cleanup of ended sessions.
CREATE INDEX sessions_expiry_idx ON sessions (expiry) WHERE expiry <> 0;
