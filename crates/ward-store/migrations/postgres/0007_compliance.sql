-- Compliance: signed audit checkpoints; alerts of the monitoring rules; retention by
-- destroying epoch keys; legal holds.

-- The chain's hash at `seq`, signed with the deployment's Ed25519 audit key.
CREATE TABLE audit_checkpoints (
    seq        BIGINT PRIMARY KEY,
    head_hash  BYTEA NOT NULL,
    signed_at  BIGINT NOT NULL,
    public_key BYTEA NOT NULL,
    signature  BYTEA NOT NULL
);

-- The audit events behind an alert (comma-separated seqs); one alert per rule and event.
ALTER TABLE alerts ADD COLUMN evidence TEXT;
CREATE UNIQUE INDEX alerts_once ON alerts (kind, audit_seq);

-- An admin's retention for one conversation, overriding its kind's (seconds).
ALTER TABLE conversations ADD COLUMN retention_secs BIGINT;

-- Epoch keys destroyed by retention: never made again, so what they sealed stays unreadable.
CREATE TABLE shredded_keys (
    scope_kind  TEXT NOT NULL,
    scope_id    UUID NOT NULL,
    epoch       BIGINT NOT NULL,
    shredded_at BIGINT NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, epoch)
);

CREATE INDEX messages_by_epoch ON messages (conversation_id, epoch);

CREATE TABLE legal_holds (
    id            UUID PRIMARY KEY,
    scope         TEXT NOT NULL,     -- conversation, patient or user
    subject_id    UUID NOT NULL,
    epoch         BIGINT NOT NULL,
    sealed_reason BYTEA NOT NULL,  -- AES-256-GCM under the compliance records key
    placed_by     UUID NOT NULL REFERENCES users (id),
    placed_at     BIGINT NOT NULL,
    released_by   UUID REFERENCES users (id),
    released_at   BIGINT
);
