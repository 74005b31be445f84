//! The store trait of compliance: signed audit checkpoints, the monitoring rules' alerts,
//! retention (destroying epoch keys) and legal holds.
//! Implemented once for every backend in `impls/compliance.rs`.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditCheckpoint, ChainHash, NewAuditEvent, Outcome};
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::{Epoch, KeyScope};
use ward_core::oversight::{AccessDecision, Alert};
use ward_core::retention::{EpochCandidate, HoldId, LegalHold};

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

    /// Sets or clears a conversation's own retention, with its audit event; false (nothing
    /// written) if there is no such conversation.
    async fn set_retention(
        &self,
        conversation: ConversationId,
        secs: Option<i64>,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// Every conversation epoch with messages whose key was not destroyed, with what retention
    /// needs to judge it. Includes the current epochs; the caller skips those.
    async fn disposal_candidates(&self) -> StoreResult<Vec<EpochCandidate>>;
    /// Who sent the messages of a conversation epoch.
    async fn epoch_senders(
        &self,
        conversation: ConversationId,
        epoch: Epoch,
    ) -> StoreResult<Vec<UserId>>;
    /// Destroys a conversation epoch's data key, records that it was and appends the audit
    /// event, in one transaction; false (nothing written) if it was destroyed already.
    async fn shred_epoch(
        &self,
        conversation: ConversationId,
        epoch: Epoch,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// The conversation epochs whose keys were destroyed at or after `since` (on any node).
    async fn shredded_since(&self, since: Timestamp) -> StoreResult<Vec<(ConversationId, Epoch)>>;
    /// Whether retention destroyed this key (it is then never made again).
    async fn key_shredded(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<bool>;
    async fn place_hold(&self, hold: &LegalHold, audit: NewAuditEvent) -> StoreResult<()>;
    /// False (nothing written) if there is no such hold or it was released already.
    async fn release_hold(
        &self,
        hold: HoldId,
        by: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    async fn legal_hold(&self, hold: HoldId) -> StoreResult<Option<LegalHold>>;
    /// Holds, newest first; with `active_only`, those not released.
    async fn legal_holds(&self, active_only: bool) -> StoreResult<Vec<LegalHold>>;

    /// Alerts raised in `[from, to)` and every one not signed off, newest first.
    async fn alerts_for_review(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Alert>>;
    /// Records an access-review decision with its audit event.
    async fn record_access_decision(
        &self,
        decision: &AccessDecision,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    /// Each reviewed account's latest decision.
    async fn latest_access_decisions(&self) -> StoreResult<Vec<AccessDecision>>;
    /// Each user's latest successful sign-in.
    async fn last_sign_ins(&self) -> StoreResult<Vec<(UserId, Timestamp)>>;
    /// Users with a confirmed second factor.
    async fn second_factor_users(&self) -> StoreResult<Vec<UserId>>;
    /// How many audit events of `action` (with `outcome`, if given) fall in `[from, to)`.
    async fn count_audit(
        &self,
        action: AuditAction,
        outcome: Option<Outcome>,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<u64>;
}
