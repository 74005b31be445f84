//! The store trait of separation of duties: privileged changes (accounts with the audit or
//! compliance permissions, second-factor resets of their holders) requested by one person and
//! approved or rejected by another. Implemented once for every backend in `impls/approvals.rs`.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::id::UserId;
use ward_core::privileged::{ChangeId, ChangeState, PrivilegedChange};

use crate::StoreResult;

/// Requests for privileged changes and their decisions.
#[async_trait]
pub trait ApprovalStore: Send + Sync {
    /// Records a pending request with the audit event of its asking.
    async fn request_privileged_change(
        &self,
        change: &PrivilegedChange,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    async fn privileged_change(&self, id: ChangeId) -> StoreResult<Option<PrivilegedChange>>;
    /// Requests, newest first: optionally only those of one requester, or in one state as of
    /// `now` (a pending request past its time is `Expired`).
    async fn privileged_changes(
        &self,
        requested_by: Option<UserId>,
        state: Option<ChangeState>,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PrivilegedChange>>;
    /// Approves a request that is still pending and not expired at `at`, and makes its change
    /// (creates the account, or removes the subject's second factor and ends their sessions),
    /// with the approval's audit event and the change's own, in one transaction. False
    /// (nothing written) if it was decided already or has expired; the change's own failure
    /// (a username taken meanwhile, no factor left to remove) writes nothing either.
    async fn approve_privileged_change(
        &self,
        change: &PrivilegedChange,
        by: UserId,
        at: Timestamp,
        approval: NewAuditEvent,
        effect: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// Rejects a request still pending at `at`, with its audit event; false (nothing written)
    /// if it was decided already or has expired.
    async fn reject_privileged_change(
        &self,
        id: ChangeId,
        by: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
}
