-- Compliance: signed audit checkpoints; alerts of the monitoring rules.

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
