//! The store traits of compliance: signed audit checkpoints. Implemented once for both
//! backends in [`crate::store_impl_compliance`].

use async_trait::async_trait;
use ward_core::audit::{AuditCheckpoint, ChainHash};

use crate::StoreResult;

/// Signed checkpoints of the audit chain.
#[async_trait]
pub trait CheckpointStore: Send + Sync {
    /// The last event's seq and chain hash; `None` for an empty log.
    async fn audit_head(&self) -> StoreResult<Option<(i64, ChainHash)>>;
    /// Keeps a checkpoint; false if one for its seq exists (another node signed it).
    async fn insert_checkpoint(&self, checkpoint: &AuditCheckpoint) -> StoreResult<bool>;
    /// Every checkpoint, in seq order.
    async fn checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>>;
}
