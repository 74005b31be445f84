-- Attachments: uploaded files, sealed in chunks under their conversation's epoch key.

CREATE TABLE attachments (
    id               BLOB PRIMARY KEY,
    conversation_id  BLOB NOT NULL REFERENCES conversations (id),
    uploader_id      BLOB NOT NULL REFERENCES users (id),
    epoch            INTEGER NOT NULL,
    state            TEXT NOT NULL DEFAULT 'uploading',  -- uploading | ready
    media_type       TEXT NOT NULL,
    size             INTEGER NOT NULL DEFAULT 0,
    chunk_count      INTEGER NOT NULL DEFAULT 0,
    sealed_name      BLOB,               -- AES-256-GCM under the epoch key
    sealed_thumbnail BLOB,               -- AES-256-GCM under the epoch key
    metadata         TEXT NOT NULL DEFAULT '{}',  -- what was stripped, as JSON (no contents)
    message_id       BLOB REFERENCES messages (id),  -- set once, when a message carries it
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_uploading ON attachments (created_at) WHERE state = 'uploading';

CREATE TABLE attachment_chunks (
    attachment_id BLOB NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    sealed        BLOB NOT NULL,
    PRIMARY KEY (attachment_id, idx)
) STRICT;

-- A message's attachment list (names, types, sizes), sealed like its body.
ALTER TABLE messages ADD COLUMN sealed_attachments BLOB;
