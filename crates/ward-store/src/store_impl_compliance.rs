//! [`crate::CheckpointStore`], implemented once for both backends like
//! [`crate::store_impl_workflow`]: reads through `$qc` (sqlx), writes through the writer `$w`.

macro_rules! impl_compliance_store {
    ($store:ty, $qc:path, $w:path) => {
        use async_trait::async_trait;
        use ward_core::audit::{AuditCheckpoint, ChainHash};
        use $qc as qc;
        use $w as w;

        use crate::{CheckpointStore, StoreResult};

        #[async_trait]
        impl CheckpointStore for $store {
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
        }
    };
}

pub(crate) use impl_compliance_store;
