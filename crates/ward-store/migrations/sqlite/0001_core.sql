-- Identity, sessions, throttling, policy, keys and the audit chain.
-- Timestamps are integer microseconds since the Unix epoch; ids are 16-byte UUIDs.

CREATE TABLE roles (
    name        TEXT PRIMARY KEY,
    permissions TEXT NOT NULL,          -- JSON array of permission codes
    builtin     INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            BLOB PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL REFERENCES roles (name),
    status        TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE totp_factors (
    user_id        BLOB PRIMARY KEY REFERENCES users (id),
    sealed_secret  BLOB NOT NULL,       -- AES-256-GCM under the account-secrets data key
    confirmed      INTEGER NOT NULL,
    last_used_step INTEGER,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    id                BLOB PRIMARY KEY,
    user_id           BLOB NOT NULL REFERENCES users (id),
    token_hash        BLOB NOT NULL UNIQUE,   -- SHA-256 of the bearer token
    device_name       TEXT NOT NULL,
    scope             TEXT NOT NULL,
    address           TEXT,
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    ended_at          INTEGER,
    end_reason        TEXT,
    wipe_requested_at INTEGER,
    wipe_confirmed_at INTEGER
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address  TEXT,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_by_username ON login_failures (username, at);
CREATE INDEX login_failures_by_address ON login_failures (address, at);
CREATE INDEX login_failures_by_time ON login_failures (at);

CREATE TABLE policy (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    document   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE data_keys (
    scope_kind  TEXT NOT NULL,
    scope_id    BLOB NOT NULL,
    epoch       INTEGER NOT NULL,
    root_key_id TEXT NOT NULL,
    wrapped     BLOB NOT NULL,          -- the data key, AES-256-GCM under the root key
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, epoch)
) STRICT;

CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    id          BLOB NOT NULL UNIQUE,
    at          INTEGER NOT NULL,
    actor_id    BLOB,
    session_id  BLOB,
    address     TEXT,
    action      TEXT NOT NULL,
    target_kind TEXT,
    target_id   BLOB,
    patient_id  BLOB,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
) STRICT;
CREATE INDEX audit_by_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_by_target ON audit_events (target_id, seq);
CREATE INDEX audit_by_patient ON audit_events (patient_id, seq);
CREATE INDEX audit_by_time ON audit_events (at);
