-- Compliance: signed audit checkpoints.

-- The chain's hash at `seq`, signed with the deployment's Ed25519 audit key.
CREATE TABLE audit_checkpoints (
    seq        INTEGER PRIMARY KEY,
    head_hash  BLOB NOT NULL,
    signed_at  INTEGER NOT NULL,
    public_key BLOB NOT NULL,
    signature  BLOB NOT NULL
) STRICT;
