//! [`crate::ComplianceStore`], implemented once for both backends like
//! [`crate::store_impl_workflow`]: reads through `$qc` (sqlx), writes through the writer `$w`
//! (those that append to the audit chain taking the ordering lock first).

macro_rules! impl_compliance_store {
    ($store:ty, $qc:path, $w:path) => {
        use async_trait::async_trait;
        use std::sync::Arc;

        use ward_core::Timestamp;
        use ward_core::audit::{AuditCheckpoint, ChainHash, NewAuditEvent};
        use ward_core::id::{ConversationId, UserId};
        use ward_core::keys::{Epoch, KeyScope};
        use ward_core::oversight::Alert;
        use ward_core::retention::{EpochCandidate, HoldId, LegalHold};
        use $qc as qc;
        use $w as w;

        use crate::{ComplianceStore, StoreResult};

        #[async_trait]
        impl ComplianceStore for $store {
            async fn audit_head(&self) -> StoreResult<Option<(i64, ChainHash)>> {
                self.read(|c| Box::pin(qc::audit_head(c))).await
            }

            async fn insert_checkpoint(&self, checkpoint: &AuditCheckpoint) -> StoreResult<bool> {
                let checkpoint = checkpoint.clone();
                self.write(move |c| {
                    Box::pin(async move { w::insert_checkpoint(c, &checkpoint).await })
                })
                .await
            }

            async fn checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>> {
                self.read(|c| Box::pin(qc::checkpoints(c))).await
            }

            async fn raise_alert(
                &self,
                alert: &Alert,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Alert>> {
                let (alert, h) = (alert.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::insert_alert(c, &alert).await? {
                            return Ok(None);
                        }
                        w::append_audit(c, &*h, &audit).await?;
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
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::set_retention(c, conversation, secs).await? {
                            return Ok(false);
                        }
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(true)
                    })
                })
                .await
            }

            async fn disposal_candidates(&self) -> StoreResult<Vec<EpochCandidate>> {
                self.read(|c| Box::pin(qc::disposal_candidates(c))).await
            }

            async fn epoch_senders(
                &self,
                conversation: ConversationId,
                epoch: Epoch,
            ) -> StoreResult<Vec<UserId>> {
                self.read(move |c| Box::pin(qc::epoch_senders(c, conversation, epoch)))
                    .await
            }

            async fn shred_epoch(
                &self,
                conversation: ConversationId,
                epoch: Epoch,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<bool> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::shred_epoch(c, conversation, epoch, at).await? {
                            return Ok(false);
                        }
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(true)
                    })
                })
                .await
            }

            async fn shredded_since(
                &self,
                since: Timestamp,
            ) -> StoreResult<Vec<(ConversationId, Epoch)>> {
                self.read(move |c| Box::pin(qc::shredded_since(c, since)))
                    .await
            }

            async fn key_shredded(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<bool> {
                self.read(move |c| Box::pin(qc::key_shredded(c, scope, epoch)))
                    .await
            }

            async fn place_hold(&self, hold: &LegalHold, audit: NewAuditEvent) -> StoreResult<()> {
                let (hold, h) = (hold.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        w::place_hold(c, &hold).await?;
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(())
                    })
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
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::release_hold(c, hold, by, at).await? {
                            return Ok(false);
                        }
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(true)
                    })
                })
                .await
            }

            async fn legal_hold(&self, hold: HoldId) -> StoreResult<Option<LegalHold>> {
                self.read(move |c| Box::pin(qc::legal_hold(c, hold))).await
            }

            async fn legal_holds(&self, active_only: bool) -> StoreResult<Vec<LegalHold>> {
                self.read(move |c| Box::pin(qc::legal_holds(c, active_only)))
                    .await
            }
        }
    };
}

pub(crate) use impl_compliance_store;
