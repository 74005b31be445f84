-- Separation of duties: changes that grant the audit or compliance permissions (an account
-- whose role holds them) or remove a holder's second factor wait here for a second person's
-- approval. A pending request past expires_at has expired; nothing needs to sweep it.

CREATE TABLE privileged_changes (
    id            UUID PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('create_user', 'reset_totp')),
    subject_id    UUID NOT NULL,       -- the account to create (no row yet) or to reset
    username      TEXT,                -- create_user: the account as it will be made
    display_name  TEXT,
    role          TEXT REFERENCES roles (name),
    password_hash TEXT,                -- Argon2id, as the user row will hold it; never the password
    requested_by  UUID NOT NULL REFERENCES users (id),
    requested_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by    UUID REFERENCES users (id),
    decided_at    BIGINT
);
CREATE INDEX privileged_changes_by_time ON privileged_changes (requested_at);
CREATE INDEX privileged_changes_by_requester ON privileged_changes (requested_by, requested_at);
