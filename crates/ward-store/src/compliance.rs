//! The store trait of compliance: signed audit checkpoints and the monitoring rules' alerts.
//! Implemented once for both backends in [`crate::store_impl_compliance`].

use async_trait::async_trait;
use ward_core::audit::{AuditCheckpoint, ChainHash, NewAuditEvent};
use ward_core::oversight::Alert;

use crate::StoreResult;

/// Signed checkpoints of the audit chain; alerts raised by the monitoring rules.
#[async_trait]
pub trait ComplianceStore: Send + Sync {
    /// The last event's seq and chain hash; `None` for an empty log.
    async fn audit_head(&self) -> StoreResult<Option<(i64, ChainHash)>>;
    /// Keeps a checkpoint; false if one for its seq exists (another node signed it).
    async fn insert_checkpoint(&self, checkpoint: &AuditCheckpoint) -> StoreResult<bool>;
    /// Every checkpoint, in seq order.
    async fn checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>>;
    /// Raises an alert with the audit event that records it; `None` (nothing written) if one
    /// of its kind was raised by the same audit event already.
    async fn raise_alert(&self, alert: &Alert, audit: NewAuditEvent) -> StoreResult<Option<Alert>>;
}
