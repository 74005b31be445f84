-- Edit, recall and lifespan of messages; scheduled sends; break-glass access; alerts.

ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN recalled_at INTEGER;
ALTER TABLE messages ADD COLUMN expires_at INTEGER;   -- when devices are told to delete it
ALTER TABLE messages ADD COLUMN expired_at INTEGER;   -- when they were
CREATE INDEX messages_expiring ON messages (expires_at)
    WHERE expires_at IS NOT NULL AND expired_at IS NULL;

ALTER TABLE conversations ADD COLUMN lifespan_secs INTEGER;

-- Earlier bodies of edited messages, kept for compliance until retention ends.
CREATE TABLE message_versions (
    message_id  BLOB NOT NULL REFERENCES messages (id),
    version     INTEGER NOT NULL,     -- 1 is the body as first sent
    epoch       INTEGER NOT NULL,
    sealed_body BLOB NOT NULL,        -- AES-256-GCM under the conversation's epoch key
    replaced_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, version)
) STRICT;

CREATE TABLE scheduled_messages (
    id              BLOB PRIMARY KEY,
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    sender_id       BLOB NOT NULL REFERENCES users (id),
    session_id      BLOB NOT NULL REFERENCES sessions (id),
    client_id       BLOB NOT NULL UNIQUE,
    priority        TEXT NOT NULL,
    epoch           INTEGER NOT NULL,
    sealed_body     BLOB NOT NULL,    -- AES-256-GCM under the conversation's epoch key
    attachments     TEXT NOT NULL,    -- attachment ids, comma-separated
    lifespan_secs   INTEGER,
    send_at         INTEGER NOT NULL,
    state           TEXT NOT NULL,    -- pending | sent | cancelled | failed
    message_id      BLOB,
    failure         TEXT,             -- why it could not be sent (no PHI)
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX scheduled_due ON scheduled_messages (send_at) WHERE state = 'pending';
CREATE INDEX scheduled_by_sender ON scheduled_messages (sender_id, send_at);

CREATE TABLE break_glass (
    id              BLOB PRIMARY KEY,
    patient_id      BLOB NOT NULL REFERENCES patients (id),
    user_id         BLOB NOT NULL REFERENCES users (id),
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    epoch           INTEGER NOT NULL,
    sealed_reason   BLOB NOT NULL,    -- AES-256-GCM under the care-team thread's epoch key
    opened_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    ended_at        INTEGER
) STRICT;
CREATE INDEX break_glass_open ON break_glass (ends_at) WHERE ended_at IS NULL;
CREATE INDEX break_glass_by_patient ON break_glass (patient_id, opened_at);

CREATE TABLE alerts (
    id              BLOB PRIMARY KEY,
    kind            TEXT NOT NULL,
    subject_id      BLOB REFERENCES users (id),
    patient_id      BLOB REFERENCES patients (id),
    audit_seq       INTEGER NOT NULL,  -- the audit event behind it
    raised_at       INTEGER NOT NULL,
    acknowledged_by BLOB REFERENCES users (id),
    acknowledged_at INTEGER
) STRICT;
CREATE INDEX alerts_by_time ON alerts (raised_at);
