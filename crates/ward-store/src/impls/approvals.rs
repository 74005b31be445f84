//! [`ApprovalStore`] for every [`Backend`]: each write takes the ordering lock first. An
//! approval makes its change with the user writes of [`identity`] (`insert_user`,
//! `delete_totp`), in the approval's transaction.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::id::UserId;
use ward_core::privileged::{ChangeId, ChangeState, PrivilegedChange};

use super::{always, audited, changed};
use crate::backend::Backend;
use crate::exec::Exec;
use crate::ops::{approvals, audit, identity};
use crate::{ApprovalStore, StoreResult};

#[async_trait]
impl<B: Backend> ApprovalStore for B {
    async fn request_privileged_change(
        &self,
        change: &PrivilegedChange,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let change = change.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { approvals::insert_privileged_change(c, &change).await })
        })
        .await
    }

    async fn privileged_change(&self, id: ChangeId) -> StoreResult<Option<PrivilegedChange>> {
        self.read(move |c| Box::pin(approvals::privileged_change(c, id)))
            .await
    }

    async fn privileged_changes(
        &self,
        requested_by: Option<UserId>,
        state: Option<ChangeState>,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PrivilegedChange>> {
        self.read(move |c| {
            Box::pin(approvals::privileged_changes(
                c,
                requested_by,
                state,
                now,
                limit,
            ))
        })
        .await
    }

    async fn approve_privileged_change(
        &self,
        change: &PrivilegedChange,
        by: UserId,
        at: Timestamp,
        approval: NewAuditEvent,
        effect: NewAuditEvent,
    ) -> StoreResult<bool> {
        let (change, h) = (change.clone(), self.hasher());
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                let approved = ChangeState::Approved;
                if !approvals::decide_privileged_change(c, change.id, approved, by, at).await? {
                    return Ok(false);
                }
                match change.new_user(at) {
                    Some(user) => identity::insert_user(c, &user).await?,
                    None => identity::delete_totp(c, change.subject, at).await?,
                }
                audit::append_audit(c, &*h, &approval).await?;
                audit::append_audit(c, &*h, &effect).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn reject_privileged_change(
        &self,
        id: ChangeId,
        by: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(async move {
                let rejected = ChangeState::Rejected;
                approvals::decide_privileged_change(c, id, rejected, by, at).await
            })
        })
        .await
    }
}
