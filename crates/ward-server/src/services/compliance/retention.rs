//! Retention and legal holds. An admin sets retention per conversation kind (the policy) or
//! per conversation; compliance officers place and release holds. The background loop
//! disposes of every closed key epoch of a conversation whose newest message is past its
//! retention and that no active hold covers, by destroying the epoch's data key: its messages,
//! earlier versions and attachments become unreadable in the database and in every backup
//! that does not carry the key (see ARCHITECTURE.md). Each disposal is audited.

use std::collections::HashSet;

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::KeyScope;
use ward_core::oversight::check_reason;
use ward_core::retention::{EpochCandidate, HoldId, HoldScope, LegalHold, check_retention};
use ward_core::role::Permission;
use ward_crypto::seal::Binding;

use super::{Compliance, RECORDS_EPOCH};
use crate::services::{Caller, ServiceError};

/// A hold with its reason opened.
#[derive(Debug, Clone)]
pub struct PlainHold {
    pub hold: LegalHold,
    pub reason: String,
}

/// What the active holds cover.
#[derive(Debug, Default)]
struct Held {
    conversations: HashSet<Uuid>,
    patients: HashSet<Uuid>,
    users: HashSet<UserId>,
}

impl Compliance {
    /// Sets or clears one conversation's retention (admins).
    pub async fn set_retention(
        &self,
        caller: &Caller,
        id: ConversationId,
        secs: Option<i64>,
    ) -> Result<(), ServiceError> {
        self.access
            .require(caller, Permission::PolicyManage, AuditAction::RetentionSet)
            .await?;
        if let Some(secs) = secs {
            check_retention("retention_secs", secs)?;
        }
        let audit = caller
            .event(AuditAction::RetentionSet, Outcome::Success)
            .target(TargetKind::Conversation, Some(*id.as_uuid()))
            .detail(match secs {
                Some(secs) => format!(r#"{{"retention_secs":{secs}}}"#),
                None => r#"{"retention_secs":null}"#.to_owned(),
            });
        if !self.store.set_retention(id, secs, audit).await? {
            return Err(ServiceError::NotFound("conversation"));
        }
        Ok(())
    }

    /// Places a legal hold (compliance officers); the subject must exist.
    pub async fn place_hold(
        &self,
        caller: &Caller,
        scope: HoldScope,
        subject: Uuid,
        reason: &str,
    ) -> Result<PlainHold, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ComplianceManage,
                AuditAction::HoldPlaced,
            )
            .await?;
        let reason = check_reason(reason)?;
        let exists = match scope {
            HoldScope::Conversation => self
                .store
                .conversation(ConversationId::from_uuid(subject))
                .await?
                .is_some(),
            HoldScope::Patient => self
                .store
                .patient(ward_core::id::PatientId::from_uuid(subject))
                .await?
                .is_some(),
            HoldScope::User => self.store.user(UserId::from_uuid(subject)).await?.is_some(),
        };
        if !exists {
            return Err(ServiceError::NotFound(scope.as_str()));
        }
        let (id, now) = (Uuid::now_v7(), self.now());
        let sealed_reason = self
            .keys
            .seal(
                KeyScope::ComplianceRecords,
                RECORDS_EPOCH,
                Binding::HoldReason { hold: id },
                reason.as_bytes(),
            )
            .await?;
        let hold = LegalHold {
            id,
            scope,
            subject_id: subject,
            epoch: RECORDS_EPOCH,
            sealed_reason,
            placed_by: caller.user.id,
            placed_at: now,
            released_by: None,
            released_at: None,
        };
        let audit = caller
            .event(AuditAction::HoldPlaced, Outcome::Success)
            .target(TargetKind::LegalHold, Some(id))
            .patient(
                (scope == HoldScope::Patient).then(|| ward_core::id::PatientId::from_uuid(subject)),
            )
            .detail(format!(
                r#"{{"scope":"{}","subject":"{subject}"}}"#,
                scope.as_str()
            ));
        self.store.place_hold(&hold, audit).await?;
        Ok(PlainHold {
            hold,
            reason: reason.to_owned(),
        })
    }

    /// Releases a hold (compliance officers); 409 if it was released already.
    pub async fn release_hold(
        &self,
        caller: &Caller,
        id: HoldId,
    ) -> Result<PlainHold, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ComplianceManage,
                AuditAction::HoldReleased,
            )
            .await?;
        let now = self.now();
        let audit = caller
            .event(AuditAction::HoldReleased, Outcome::Success)
            .target(TargetKind::LegalHold, Some(id));
        if !self
            .store
            .release_hold(id, caller.user.id, now, audit)
            .await?
        {
            return match self.store.legal_hold(id).await? {
                Some(_) => Err(ServiceError::Conflict("the hold was released already")),
                None => Err(ServiceError::NotFound("legal hold")),
            };
        }
        let hold = self
            .store
            .legal_hold(id)
            .await?
            .ok_or(ServiceError::NotFound("legal hold"))?;
        self.open_hold(hold).await
    }

    /// Every hold, newest first, or only the active ones (compliance officers).
    pub async fn legal_holds(
        &self,
        caller: &Caller,
        active_only: bool,
    ) -> Result<Vec<PlainHold>, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ComplianceManage,
                AuditAction::HoldsListed,
            )
            .await?;
        let mut plain = Vec::new();
        for hold in self.store.legal_holds(active_only).await? {
            plain.push(self.open_hold(hold).await?);
        }
        let audit = caller
            .event(AuditAction::HoldsListed, Outcome::Success)
            .detail(format!(r#"{{"count":{}}}"#, plain.len()));
        self.store.append_audit(audit).await?;
        Ok(plain)
    }

    async fn open_hold(&self, hold: LegalHold) -> Result<PlainHold, ServiceError> {
        let reason = self
            .keys
            .open_text(
                KeyScope::ComplianceRecords,
                hold.epoch,
                Binding::HoldReason { hold: hold.id },
                &hold.sealed_reason,
            )
            .await?;
        Ok(PlainHold { hold, reason })
    }

    /// Destroys the key of every closed epoch past its retention that no hold covers; how many
    /// epochs were disposed of.
    pub async fn dispose_due(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let retention = self.policy.get().await?.retention;
        let current = self.keys.epoch_of(now);
        let due: Vec<EpochCandidate> = self
            .store
            .disposal_candidates()
            .await?
            .into_iter()
            .filter(|c| c.epoch < current)
            .filter(|c| {
                c.retention_secs
                    .or_else(|| retention.for_kind(c.kind))
                    .is_some_and(|secs| c.last_sent_at.plus_secs(secs) <= now)
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let held = self.held().await?;
        let mut disposed = 0;
        for candidate in due {
            if self.is_held(&held, &candidate).await? {
                continue;
            }
            let (conversation, epoch) = (candidate.conversation_id, candidate.epoch);
            let (starts, ends) = self.keys.epoch_bounds(epoch);
            let audit = NewAuditEvent::new(AuditAction::EpochDisposed, Outcome::Success)
                .target(TargetKind::Conversation, Some(*conversation.as_uuid()))
                .patient(candidate.patient_id)
                .detail(format!(
                    r#"{{"epoch_start":"{starts}","epoch_end":"{ends}","epoch_index":{},"messages":{},"key":"destroyed"}}"#,
                    epoch.index(),
                    candidate.messages
                ));
            if self
                .store
                .shred_epoch(conversation, epoch, now, audit)
                .await?
            {
                let scope = KeyScope::Conversation(conversation);
                self.store.destroy_data_key(scope, epoch).await?;
                self.keys.forget(scope, epoch);
                tracing::info!(%conversation, epoch = epoch.index(), "epoch disposed of");
                disposed += 1;
            }
        }
        Ok(disposed)
    }

    /// Drops from this node's memory the keys that retention destroyed at or after `since`,
    /// on whichever node it ran, so no node opens a disposed epoch with a cached key.
    pub async fn forget_shredded_keys(&self, since: Timestamp) -> Result<(), ServiceError> {
        for (conversation, epoch) in self.store.shredded_since(since).await? {
            self.keys
                .forget(KeyScope::Conversation(conversation), epoch);
        }
        Ok(())
    }

    async fn held(&self) -> Result<Held, ServiceError> {
        let mut held = Held::default();
        for hold in self.store.legal_holds(true).await? {
            match hold.scope {
                HoldScope::Conversation => held.conversations.insert(hold.subject_id),
                HoldScope::Patient => held.patients.insert(hold.subject_id),
                HoldScope::User => held.users.insert(UserId::from_uuid(hold.subject_id)),
            };
        }
        Ok(held)
    }

    async fn is_held(&self, held: &Held, c: &EpochCandidate) -> Result<bool, ServiceError> {
        if held.conversations.contains(c.conversation_id.as_uuid())
            || c.patient_id
                .is_some_and(|p| held.patients.contains(p.as_uuid()))
        {
            return Ok(true);
        }
        if held.users.is_empty() {
            return Ok(false);
        }
        let senders = self.store.epoch_senders(c.conversation_id, c.epoch).await?;
        Ok(senders.iter().any(|s| held.users.contains(s)))
    }
}
