//! The store trait of uploaded files. Implemented once for every backend in
//! `impls/attachments.rs`.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::attachment::{Attachment, AttachmentId};
use ward_core::audit::NewAuditEvent;

use crate::StoreResult;

/// Uploaded files: written chunk by chunk while uploading, then finished (audited) or
/// discarded; read back chunk by chunk.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Starts an upload (state `uploading`), which chunks are then added to.
    async fn begin_attachment(&self, attachment: &Attachment) -> StoreResult<()>;
    /// Adds a sealed chunk to an upload in progress; NotFound if there is none.
    async fn put_attachment_chunk(
        &self,
        id: AttachmentId,
        index: u32,
        sealed: Vec<u8>,
    ) -> StoreResult<()>;
    /// Marks an upload ready with its final description, with its audit event. Conflict if it
    /// is not uploading or does not hold `chunk_count` chunks.
    async fn finish_attachment(
        &self,
        attachment: &Attachment,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    /// Deletes an upload that did not finish, and its chunks.
    async fn discard_upload(&self, id: AttachmentId) -> StoreResult<()>;
    /// Deletes uploads started before `before` that never finished (a crash mid-upload); how
    /// many.
    async fn discard_stale_uploads(&self, before: Timestamp) -> StoreResult<usize>;
    /// A finished upload.
    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>>;
    async fn attachment_chunk(&self, id: AttachmentId, index: u32) -> StoreResult<Option<Vec<u8>>>;
}
