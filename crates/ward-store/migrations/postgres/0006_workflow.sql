-- Edit, recall and lifespan of messages; scheduled sends; break-glass access; alerts.

ALTER TABLE messages ADD COLUMN edited_at BIGINT;
ALTER TABLE messages ADD COLUMN recalled_at BIGINT;
ALTER TABLE messages ADD COLUMN expires_at BIGINT;   -- when devices are told to delete it
ALTER TABLE messages ADD COLUMN expired_at BIGINT;   -- when they were
CREATE INDEX messages_expiring ON messages (expires_at)
    WHERE expires_at IS NOT NULL AND expired_at IS NULL;

ALTER TABLE conversations ADD COLUMN lifespan_secs BIGINT;

-- Earlier bodies of edited messages, kept for compliance until retention ends.
CREATE TABLE message_versions (
    message_id  UUID NOT NULL REFERENCES messages (id),
    version     BIGINT NOT NULL,     -- 1 is the body as first sent
    epoch       BIGINT NOT NULL,
    sealed_body BYTEA NOT NULL,        -- AES-256-GCM under the conversation's epoch key
    replaced_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, version)
);

CREATE TABLE scheduled_messages (
    id              UUID PRIMARY KEY,
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    sender_id       UUID NOT NULL REFERENCES users (id),
    session_id      UUID NOT NULL REFERENCES sessions (id),
    client_id       UUID NOT NULL UNIQUE,
    priority        TEXT NOT NULL,
    epoch           BIGINT NOT NULL,
    sealed_body     BYTEA NOT NULL,    -- AES-256-GCM under the conversation's epoch key
    attachments     TEXT NOT NULL,    -- attachment ids, comma-separated
    lifespan_secs   BIGINT,
    send_at         BIGINT NOT NULL,
    state           TEXT NOT NULL,    -- pending | sent | cancelled | failed
    message_id      UUID,
    failure         TEXT,             -- why it could not be sent (no PHI)
    created_at      BIGINT NOT NULL
);
CREATE INDEX scheduled_due ON scheduled_messages (send_at) WHERE state = 'pending';
CREATE INDEX scheduled_by_sender ON scheduled_messages (sender_id, send_at);

CREATE TABLE break_glass (
    id              UUID PRIMARY KEY,
    patient_id      UUID NOT NULL REFERENCES patients (id),
    user_id         UUID NOT NULL REFERENCES users (id),
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    epoch           BIGINT NOT NULL,
    sealed_reason   BYTEA NOT NULL,    -- AES-256-GCM under the care-team thread's epoch key
    opened_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    ended_at        BIGINT
);
CREATE INDEX break_glass_open ON break_glass (ends_at) WHERE ended_at IS NULL;
CREATE INDEX break_glass_by_patient ON break_glass (patient_id, opened_at);

CREATE TABLE alerts (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL,
    subject_id      UUID REFERENCES users (id),
    patient_id      UUID REFERENCES patients (id),
    audit_seq       BIGINT NOT NULL,  -- the audit event behind it
    raised_at       BIGINT NOT NULL,
    acknowledged_by UUID REFERENCES users (id),
    acknowledged_at BIGINT
);
CREATE INDEX alerts_by_time ON alerts (raised_at);
