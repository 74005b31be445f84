-- Compliance: signed audit checkpoints; alerts of the monitoring rules; retention by
-- destroying epoch keys; legal holds.

-- The chain's hash at `seq`, signed with the deployment's Ed25519 audit key.
CREATE TABLE audit_checkpoints (
    seq        INTEGER PRIMARY KEY,
    head_hash  BLOB NOT NULL,
    signed_at  INTEGER NOT NULL,
    public_key BLOB NOT NULL,
    signature  BLOB NOT NULL
) STRICT;

-- The audit events behind an alert (comma-separated seqs); one alert per rule and event.
ALTER TABLE alerts ADD COLUMN evidence TEXT;
CREATE UNIQUE INDEX alerts_once ON alerts (kind, audit_seq);

-- An admin's retention for one conversation, overriding its kind's (seconds).
ALTER TABLE conversations ADD COLUMN retention_secs INTEGER;

-- Epoch keys destroyed by retention: never made again, so what they sealed stays unreadable.
CREATE TABLE shredded_keys (
    scope_kind  TEXT NOT NULL,
    scope_id    BLOB NOT NULL,
    epoch       INTEGER NOT NULL,
    shredded_at INTEGER NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, epoch)
) STRICT;

CREATE INDEX messages_by_epoch ON messages (conversation_id, epoch);

CREATE TABLE legal_holds (
    id            BLOB PRIMARY KEY,
    scope         TEXT NOT NULL,     -- conversation, patient or user
    subject_id    BLOB NOT NULL,
    epoch         INTEGER NOT NULL,
    sealed_reason BLOB NOT NULL,  -- AES-256-GCM under the compliance records key
    placed_by     BLOB NOT NULL REFERENCES users (id),
    placed_at     INTEGER NOT NULL,
    released_by   BLOB REFERENCES users (id),
    released_at   INTEGER
) STRICT;
