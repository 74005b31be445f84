//! [`ComplianceStore`] for every [`Backend`]: each write that appends to the audit chain takes
//! the ordering lock first, and makes its change and its audit event in one transaction.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditCheckpoint, ChainHash, NewAuditEvent, Outcome};
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::{Epoch, KeyScope};
use ward_core::oversight::{AccessDecision, Alert};
use ward_core::retention::{EpochCandidate, HoldId, LegalHold};

use super::{always, audited, changed};
use crate::backend::Backend;
use crate::ops::{compliance, oversight};
use crate::{ComplianceStore, StoreResult};

#[async_trait]
impl<B: Backend> ComplianceStore for B {
    async fn audit_head(&self) -> StoreResult<Option<(i64, ChainHash)>> {
        self.read(|c| Box::pin(compliance::audit_head(c))).await
    }

    async fn insert_checkpoint(&self, checkpoint: &AuditCheckpoint) -> StoreResult<bool> {
        let checkpoint = checkpoint.clone();
        self.write(move |c| {
            Box::pin(async move { compliance::insert_checkpoint(c, &checkpoint).await })
        })
        .await
    }

    async fn checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>> {
        self.read(|c| Box::pin(compliance::checkpoints(c))).await
    }

    async fn raise_alert(&self, alert: &Alert, audit: NewAuditEvent) -> StoreResult<Option<Alert>> {
        let alert = alert.clone();
        audited(self, audit, Option::is_some, move |c| {
            Box::pin(async move {
                if !oversight::insert_alert(c, &alert).await? {
                    return Ok(None);
                }
                Ok(Some(alert))
            })
        })
        .await
    }

    async fn set_retention(
        &self,
        conversation: ConversationId,
        secs: Option<i64>,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(compliance::set_retention(c, conversation, secs))
        })
        .await
    }

    async fn disposal_candidates(&self) -> StoreResult<Vec<EpochCandidate>> {
        self.read(|c| Box::pin(compliance::disposal_candidates(c)))
            .await
    }

    async fn epoch_senders(
        &self,
        conversation: ConversationId,
        epoch: Epoch,
    ) -> StoreResult<Vec<UserId>> {
        self.read(move |c| Box::pin(compliance::epoch_senders(c, conversation, epoch)))
            .await
    }

    async fn shred_epoch(
        &self,
        conversation: ConversationId,
        epoch: Epoch,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(compliance::shred_epoch(c, conversation, epoch, at))
        })
        .await
    }

    async fn shredded_since(&self, since: Timestamp) -> StoreResult<Vec<(ConversationId, Epoch)>> {
        self.read(move |c| Box::pin(compliance::shredded_since(c, since)))
            .await
    }

    async fn key_shredded(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<bool> {
        self.read(move |c| Box::pin(compliance::key_shredded(c, scope, epoch)))
            .await
    }

    async fn place_hold(&self, hold: &LegalHold, audit: NewAuditEvent) -> StoreResult<()> {
        let hold = hold.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { compliance::place_hold(c, &hold).await })
        })
        .await
    }

    async fn release_hold(
        &self,
        hold: HoldId,
        by: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(compliance::release_hold(c, hold, by, at))
        })
        .await
    }

    async fn legal_hold(&self, hold: HoldId) -> StoreResult<Option<LegalHold>> {
        self.read(move |c| Box::pin(compliance::legal_hold(c, hold)))
            .await
    }

    async fn legal_holds(&self, active_only: bool) -> StoreResult<Vec<LegalHold>> {
        self.read(move |c| Box::pin(compliance::legal_holds(c, active_only)))
            .await
    }

    async fn alerts_for_review(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Alert>> {
        self.read(move |c| Box::pin(oversight::alerts_for_review(c, from, to, limit)))
            .await
    }

    async fn record_access_decision(
        &self,
        decision: &AccessDecision,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let decision = decision.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { oversight::insert_decision(c, &decision).await })
        })
        .await
    }

    async fn latest_access_decisions(&self) -> StoreResult<Vec<AccessDecision>> {
        self.read(|c| Box::pin(oversight::latest_decisions(c)))
            .await
    }

    async fn last_sign_ins(&self) -> StoreResult<Vec<(UserId, Timestamp)>> {
        self.read(|c| Box::pin(compliance::last_sign_ins(c))).await
    }

    async fn second_factor_users(&self) -> StoreResult<Vec<UserId>> {
        self.read(|c| Box::pin(compliance::second_factor_users(c)))
            .await
    }

    async fn count_audit(
        &self,
        action: AuditAction,
        outcome: Option<Outcome>,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<u64> {
        self.read(move |c| Box::pin(compliance::count_audit(c, action, outcome, from, to)))
            .await
    }
}
