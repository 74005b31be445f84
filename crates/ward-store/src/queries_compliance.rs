//! The reads of audit checkpoints, instantiated per backend like [`crate::queries`].

macro_rules! define_compliance_queries {
    ($conn:ty) => {
        use ward_core::Timestamp;
        use ward_core::audit::{AuditCheckpoint, ChainHash};

        use crate::{StoreError, StoreResult};

        pub(crate) type Conn = $conn;

        pub(crate) async fn audit_head(c: &mut Conn) -> StoreResult<Option<(i64, ChainHash)>> {
            let row: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *c)
                    .await?;
            row.map(|(seq, hash)| {
                let hash = hash
                    .try_into()
                    .map_err(|_| StoreError::CorruptAudit { seq })?;
                Ok((seq, hash))
            })
            .transpose()
        }

        pub(crate) async fn checkpoints(c: &mut Conn) -> StoreResult<Vec<AuditCheckpoint>> {
            let rows: Vec<(i64, Vec<u8>, i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(
                "SELECT seq, head_hash, signed_at, public_key, signature \
                 FROM audit_checkpoints ORDER BY seq",
            )
            .fetch_all(&mut *c)
            .await?;
            // A field of the wrong length cannot verify: it is kept as zeros, which the
            // verifier reports as a forged checkpoint at that seq.
            Ok(rows
                .into_iter()
                .map(|(seq, head, signed_at, key, signature)| AuditCheckpoint {
                    seq,
                    head: head.try_into().unwrap_or([0; 32]),
                    signed_at: Timestamp::from_micros(signed_at),
                    public_key: key.try_into().unwrap_or([0; 32]),
                    signature: signature.try_into().unwrap_or([0; 64]),
                })
                .collect())
        }
    };
}

pub(crate) use define_compliance_queries;
