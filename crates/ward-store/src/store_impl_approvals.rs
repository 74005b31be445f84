//! [`crate::ApprovalStore`], implemented once for both backends like
//! [`crate::store_impl_compliance`]: reads through `$qa` (sqlx), writes through the writer `$w`,
//! each taking the ordering lock first. An approval makes its change with the backend's own
//! user writes (`insert_user`, `delete_totp`), in the approval's transaction.

macro_rules! impl_approval_store {
    ($store:ty, $qa:path, $w:path) => {
        use std::sync::Arc;

        use async_trait::async_trait;
        use ward_core::Timestamp;
        use ward_core::audit::NewAuditEvent;
        use ward_core::id::UserId;
        use ward_core::privileged::{ChangeId, ChangeState, PrivilegedChange};
        use $qa as qa;
        use $w as w;

        use crate::{ApprovalStore, StoreResult};

        #[async_trait]
        impl ApprovalStore for $store {
            async fn request_privileged_change(
                &self,
                change: &PrivilegedChange,
                audit: NewAuditEvent,
            ) -> StoreResult<()> {
                let (change, h) = (change.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        w::insert_privileged_change(c, &change).await?;
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(())
                    })
                })
                .await
            }

            async fn privileged_change(
                &self,
                id: ChangeId,
            ) -> StoreResult<Option<PrivilegedChange>> {
                self.read(move |c| Box::pin(qa::privileged_change(c, id)))
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
                    Box::pin(qa::privileged_changes(c, requested_by, state, now, limit))
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
                let (change, h) = (change.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        let approved = ChangeState::Approved;
                        if !w::decide_privileged_change(c, change.id, approved, by, at).await? {
                            return Ok(false);
                        }
                        match change.new_user(at) {
                            Some(user) => w::insert_user(c, &user).await?,
                            None => w::delete_totp(c, change.subject, at).await?,
                        }
                        w::append_audit(c, &*h, &approval).await?;
                        w::append_audit(c, &*h, &effect).await?;
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
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        let rejected = ChangeState::Rejected;
                        if !w::decide_privileged_change(c, id, rejected, by, at).await? {
                            return Ok(false);
                        }
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(true)
                    })
                })
                .await
            }
        }
    };
}

pub(crate) use impl_approval_store;
