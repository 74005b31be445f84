-- Attachments: uploaded files, sealed in chunks under their conversation's epoch key.

CREATE TABLE attachments (
    id               UUID PRIMARY KEY,
    conversation_id  UUID NOT NULL REFERENCES conversations (id),
    uploader_id      UUID NOT NULL REFERENCES users (id),
    epoch            BIGINT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'uploading',  -- uploading | ready
    media_type       TEXT NOT NULL,
    size             BIGINT NOT NULL DEFAULT 0,
    chunk_count      BIGINT NOT NULL DEFAULT 0,
    sealed_name      BYTEA,               -- AES-256-GCM under the epoch key
    sealed_thumbnail BYTEA,               -- AES-256-GCM under the epoch key
    metadata         TEXT NOT NULL DEFAULT '{}',  -- what was stripped, as JSON (no contents)
    message_id       UUID REFERENCES messages (id),  -- set once, when a message carries it
    created_at       BIGINT NOT NULL
);
CREATE INDEX attachments_uploading ON attachments (created_at) WHERE state = 'uploading';

CREATE TABLE attachment_chunks (
    attachment_id UUID NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    idx           BIGINT NOT NULL,
    sealed        BYTEA NOT NULL,
    PRIMARY KEY (attachment_id, idx)
);

-- A message's attachment list (names, types, sizes), sealed like its body.
ALTER TABLE messages ADD COLUMN sealed_attachments BYTEA;
