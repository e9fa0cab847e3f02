-- 001: users, and the client and provider records that give a user a role.
--
-- Every constraint is named: the module maps constraint names, then SQLSTATEs, to
-- HTTP answers (src/sched_sqlstate.c): the named ones each to their own (a foreign
-- key of a request's field, such as clients_user_fkey, to 400: no such user); by
-- class, 23505 unique -> 409, 23503 foreign key -> 409, 23514 check -> 400.

-- RFC 3339 text for a timestamptz: UTC, 'Z', a fraction only when one is stored
-- ("2026-12-01T08:00:00Z", "2026-12-01T08:00:00.25Z").
-- STABLE, as to_char is: a SQL function is inlined into the statement that calls it
-- only when it claims no more than its body, and inlining saves a call per value.
CREATE FUNCTION sched_rfc3339(t timestamptz) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_part('microseconds', t)::bigint % 1000000 = 0 THEN ''
                ELSE rtrim(to_char(t AT TIME ZONE 'UTC', '.US'), '0') END
        || 'Z'
$$;

-- The users table is also read by httpd's mod_authn_dbd (AuthDBDUserPWQuery):
-- password holds a bcrypt hash ("$2y$..."), which apr_password_validate checks.
CREATE TABLE users (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    username     text        NOT NULL,
    password     text        NOT NULL,
    email        text        NOT NULL DEFAULT '',
    is_superuser boolean     NOT NULL DEFAULT false,
    is_active    boolean     NOT NULL DEFAULT true,
    date_joined  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_username_check CHECK (username ~ '^[A-Za-z0-9@.+_-]{1,150}$'),
    CONSTRAINT users_password_check CHECK (password LIKE '$2_$%'),
    CONSTRAINT users_email_check CHECK (email = '' OR (length(email) <= 254
                                                       AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'))
);

CREATE TABLE clients (
    id      bigint GENERATED ALWAYS AS IDENTITY,
    user_id bigint NOT NULL,
    CONSTRAINT clients_pkey PRIMARY KEY (id),
    CONSTRAINT clients_user_key UNIQUE (user_id),
    CONSTRAINT clients_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE providers (
    id      bigint GENERATED ALWAYS AS IDENTITY,
    user_id bigint NOT NULL,
    CONSTRAINT providers_pkey PRIMARY KEY (id),
    CONSTRAINT providers_user_key UNIQUE (user_id),
    CONSTRAINT providers_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

-- The JSON representation of each resource, built here so that a statement returns
-- the response text itself. A user's never holds the password. Each is one
-- expression, so that PostgreSQL inlines it into the statements that call it.
CREATE FUNCTION sched_users_json(u users) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', u.id, 'username', u.username, 'email', u.email,
                             'is_superuser', u.is_superuser, 'is_active', u.is_active,
                             'date_joined', sched_rfc3339(u.date_joined))::text
$$;

CREATE FUNCTION sched_clients_json(c clients) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', c.id, 'user', c.user_id)::text
$$;

CREATE FUNCTION sched_providers_json(p providers) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', p.id, 'user', p.user_id)::text
$$;
