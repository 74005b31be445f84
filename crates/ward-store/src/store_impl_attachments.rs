//! [`crate::AttachmentStore`], implemented once for both backends like
//! [`crate::store_impl_clinical`]: reads through `$qa` (sqlx), writes through the backend's
//! writer `$w`.

macro_rules! impl_attachment_store {
    ($store:ty, $qa:path, $w:path) => {
        use std::sync::Arc;

        use async_trait::async_trait;
        use ward_core::Timestamp;
        use ward_core::attachment::{Attachment, AttachmentId};
        use ward_core::audit::NewAuditEvent;
        use $qa as qa;
        use $w as w;

        use crate::{AttachmentStore, StoreError, StoreResult};

        #[async_trait]
        impl AttachmentStore for $store {
            async fn begin_attachment(&self, attachment: &Attachment) -> StoreResult<()> {
                let attachment = attachment.clone();
                self.write(move |c| {
                    Box::pin(async move { w::insert_attachment(c, &attachment).await })
                })
                .await
            }

            async fn put_attachment_chunk(
                &self,
                id: AttachmentId,
                index: u32,
                sealed: Vec<u8>,
            ) -> StoreResult<()> {
                self.write(move |c| {
                    Box::pin(async move {
                        if w::insert_attachment_chunk(c, id, index, &sealed).await? {
                            Ok(())
                        } else {
                            Err(StoreError::NotFound("upload"))
                        }
                    })
                })
                .await
            }

            async fn finish_attachment(
                &self,
                attachment: &Attachment,
                audit: NewAuditEvent,
            ) -> StoreResult<()> {
                let (attachment, h) = (attachment.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::finish_attachment(c, &attachment).await? {
                            return Err(StoreError::Conflict("the upload is incomplete"));
                        }
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(())
                    })
                })
                .await
            }

            async fn discard_upload(&self, id: AttachmentId) -> StoreResult<()> {
                self.write(move |c| {
                    Box::pin(async move { w::delete_uploading_attachment(c, id).await })
                })
                .await
            }

            async fn discard_stale_uploads(&self, before: Timestamp) -> StoreResult<usize> {
                self.write(move |c| {
                    Box::pin(async move {
                        let stale = w::stale_uploads(c, before).await?;
                        for id in &stale {
                            w::delete_uploading_attachment(c, *id).await?;
                        }
                        Ok(stale.len())
                    })
                })
                .await
            }

            async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>> {
                self.read(move |c| Box::pin(qa::attachment(c, id))).await
            }

            async fn attachment_chunk(
                &self,
                id: AttachmentId,
                index: u32,
            ) -> StoreResult<Option<Vec<u8>>> {
                self.read(move |c| Box::pin(qa::attachment_chunk(c, id, index)))
                    .await
            }
        }
    };
}

pub(crate) use impl_attachment_store;
