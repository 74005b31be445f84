//! [`AttachmentStore`] for every [`Backend`]: uploads are written chunk by chunk, and
//! finishing one is audited.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::attachment::{Attachment, AttachmentId};
use ward_core::audit::NewAuditEvent;

use super::{always, audited};
use crate::backend::Backend;
use crate::ops::attachments;
use crate::{AttachmentStore, StoreError, StoreResult};

#[async_trait]
impl<B: Backend> AttachmentStore for B {
    async fn begin_attachment(&self, attachment: &Attachment) -> StoreResult<()> {
        let attachment = attachment.clone();
        self.write(move |c| {
            Box::pin(async move { attachments::insert_attachment(c, &attachment).await })
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
                if attachments::insert_attachment_chunk(c, id, index, &sealed).await? {
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
        let attachment = attachment.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move {
                if !attachments::finish_attachment(c, &attachment).await? {
                    return Err(StoreError::Conflict("the upload is incomplete"));
                }
                Ok(())
            })
        })
        .await
    }

    async fn discard_upload(&self, id: AttachmentId) -> StoreResult<()> {
        self.write(move |c| Box::pin(attachments::delete_uploading_attachment(c, id)))
            .await
    }

    async fn discard_stale_uploads(&self, before: Timestamp) -> StoreResult<usize> {
        self.write(move |c| {
            Box::pin(async move {
                let stale = attachments::stale_uploads(c, before).await?;
                for id in &stale {
                    attachments::delete_uploading_attachment(c, *id).await?;
                }
                Ok(stale.len())
            })
        })
        .await
    }

    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>> {
        self.read(move |c| Box::pin(attachments::attachment(c, id)))
            .await
    }

    async fn attachment_chunk(&self, id: AttachmentId, index: u32) -> StoreResult<Option<Vec<u8>>> {
        self.read(move |c| Box::pin(attachments::attachment_chunk(c, id, index)))
            .await
    }
}
