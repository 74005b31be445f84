-- Compliance: signed audit checkpoints.

-- The chain's hash at `seq`, signed with the deployment's Ed25519 audit key.
CREATE TABLE audit_checkpoints (
    seq        BIGINT PRIMARY KEY,
    head_hash  BYTEA NOT NULL,
    signed_at  BIGINT NOT NULL,
    public_key BYTEA NOT NULL,
    signature  BYTEA NOT NULL
);
