-- Identity, sessions, throttling, policy, keys and the audit chain.
-- Timestamps are bigint microseconds since the Unix epoch, as in the SQLite schema, so that
-- audit events hash identically on both backends.

CREATE TABLE roles (
    name        TEXT PRIMARY KEY,
    permissions TEXT NOT NULL,
    builtin     BOOLEAN NOT NULL
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL REFERENCES roles (name),
    status        TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE totp_factors (
    user_id        UUID PRIMARY KEY REFERENCES users (id),
    sealed_secret  BYTEA NOT NULL,
    confirmed      BOOLEAN NOT NULL,
    last_used_step BIGINT,
    created_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
    id                UUID PRIMARY KEY,
    user_id           UUID NOT NULL REFERENCES users (id),
    token_hash        BYTEA NOT NULL UNIQUE,
    device_name       TEXT NOT NULL,
    scope             TEXT NOT NULL,
    address           TEXT,
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    ended_at          BIGINT,
    end_reason        TEXT,
    wipe_requested_at BIGINT,
    wipe_confirmed_at BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);

CREATE TABLE login_failures (
    id       BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL,
    address  TEXT,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures (username, at);
CREATE INDEX login_failures_by_address ON login_failures (address, at);
CREATE INDEX login_failures_by_time ON login_failures (at);

CREATE TABLE policy (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    document   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE data_keys (
    scope_kind  TEXT NOT NULL,
    scope_id    UUID NOT NULL,
    epoch       BIGINT NOT NULL,
    root_key_id TEXT NOT NULL,
    wrapped     BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, epoch)
);

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    id          UUID NOT NULL UNIQUE,
    at          BIGINT NOT NULL,
    actor_id    UUID,
    session_id  UUID,
    address     TEXT,
    action      TEXT NOT NULL,
    target_kind TEXT,
    target_id   UUID,
    patient_id  UUID,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL
);
CREATE INDEX audit_by_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_by_target ON audit_events (target_id, seq);
CREATE INDEX audit_by_patient ON audit_events (patient_id, seq);
CREATE INDEX audit_by_time ON audit_events (at);
