//! [`crate::ComplianceStore`], implemented once for both backends like
//! [`crate::store_impl_workflow`]: reads through `$qc` (sqlx), writes through the writer `$w`
//! (those that append to the audit chain taking the ordering lock first).

macro_rules! impl_compliance_store {
    ($store:ty, $qc:path, $w:path) => {
        use async_trait::async_trait;
        use std::sync::Arc;

        use ward_core::audit::{AuditCheckpoint, ChainHash, NewAuditEvent};
        use ward_core::oversight::Alert;
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
        }
    };
}

pub(crate) use impl_compliance_store;
