//! Attachments: a streamed upload is sniffed, checked against the allow-list, stripped of
//! metadata where Ward can do that, and sealed chunk by chunk under the conversation's epoch
//! key ([`upload`]); a message carries a sealed list of its attachments ([`message_list`]); a
//! download is permission-checked, audited, and opened one chunk at a time (here).

mod message_list;
mod upload;

use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::attachment::{Attachment, AttachmentId};
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::conversation::Conversation;
use ward_core::keys::KeyScope;
use ward_crypto::seal::Binding;

use ward_core::clock::Clock;
use ward_store::Store;

use super::{Access, Caller, Keys, ServiceError, Shared};
use crate::opened::AttachmentInfo;

/// How big uploads may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// Largest upload of any type, in bytes.
    pub max_bytes: u64,
    /// Largest image or document that is inspected whole, in bytes.
    pub max_inspected_bytes: u64,
    /// Bounds on image pixels and archive expansion.
    pub media: ward_media::Limits,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        Self {
            max_bytes: 100 * 1024 * 1024,
            max_inspected_bytes: 32 * 1024 * 1024,
            media: ward_media::Limits::default(),
        }
    }
}

/// Most attachments one message carries.
pub const MAX_ATTACHMENTS_PER_MESSAGE: usize = 10;

/// How long an unfinished upload may sit before it is swept.
pub const STALE_UPLOAD_SECS: i64 = 3600;

/// Uploads, downloads and the attachment lists messages carry: the store, the conversations'
/// keys, the membership check, the limits and the clock, nothing else.
#[derive(Debug, Clone)]
pub struct Attachments {
    store: Arc<dyn Store>,
    keys: Keys,
    access: Access,
    limits: AttachmentLimits,
    clock: Arc<dyn Clock>,
}

/// An attachment being downloaded: its description and its chunks, opened one at a time.
#[derive(Debug)]
pub struct Download {
    pub info: AttachmentInfo,
    attachments: Attachments,
    attachment: Attachment,
    next: u32,
}

impl Download {
    /// The next chunk of plaintext, or `None` after the last.
    pub async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, ServiceError>> {
        if self.next >= self.attachment.chunk_count {
            return None;
        }
        let index = self.next;
        self.next += 1;
        Some(self.attachments.open_chunk(&self.attachment, index).await)
    }
}

impl Attachments {
    pub(super) fn new(shared: &Shared, limits: AttachmentLimits) -> Self {
        Self {
            store: Arc::clone(&shared.store),
            keys: shared.keys.clone(),
            access: shared.access.clone(),
            limits,
            clock: Arc::clone(&shared.clock),
        }
    }

    /// An attachment the caller may download, with its chunks to follow. The download is
    /// audited before the first byte goes out.
    pub async fn download(
        &self,
        caller: &Caller,
        id: AttachmentId,
    ) -> Result<Download, ServiceError> {
        let (attachment, conversation) = self.visible_attachment(caller, id).await?;
        let info = self.attachment_info(&attachment).await?;
        let event =
            Access::conversation_event(caller, AuditAction::AttachmentDownloaded, &conversation)
                .target(TargetKind::Attachment, Some(id))
                .detail(format!(
                    r#"{{"conversation":"{}","message":{},"size":{}}}"#,
                    conversation.id,
                    attachment
                        .message_id
                        .map_or_else(|| "null".to_owned(), |m| format!(r#""{m}""#)),
                    attachment.size
                ));
        self.store.append_audit(event).await?;
        Ok(Download {
            info,
            attachments: self.clone(),
            attachment,
            next: 0,
        })
    }

    /// An image attachment's thumbnail (a JPEG), audited like a download.
    pub async fn thumbnail(
        &self,
        caller: &Caller,
        id: AttachmentId,
    ) -> Result<Vec<u8>, ServiceError> {
        let (attachment, conversation) = self.visible_attachment(caller, id).await?;
        let Some(sealed) = &attachment.sealed_thumbnail else {
            return Err(ServiceError::NotFound("thumbnail"));
        };
        let thumbnail = self.open_part(&attachment, Part::Thumbnail, sealed).await?;
        let event =
            Access::conversation_event(caller, AuditAction::AttachmentDownloaded, &conversation)
                .target(TargetKind::Attachment, Some(id))
                .detail(r#"{"thumbnail":true}"#.to_owned());
        self.store.append_audit(event).await?;
        Ok(thumbnail)
    }

    /// The attachment, if the caller may see it: the uploader's own upload before it is sent,
    /// and afterwards any member who may read its message, or whoever an escalation brought
    /// to that message. Otherwise it does not exist for them (404, audited).
    async fn visible_attachment(
        &self,
        caller: &Caller,
        id: AttachmentId,
    ) -> Result<(Attachment, Conversation), ServiceError> {
        let action = AuditAction::AttachmentDownloaded;
        let denied = || async {
            let event = caller
                .event(action, Outcome::Denied)
                .target(TargetKind::Attachment, Some(id));
            self.store.append_audit(event).await?;
            Err(ServiceError::NotFound("attachment"))
        };
        let Some(attachment) = self.store.attachment(id).await? else {
            return denied().await;
        };
        if let Some(message) = attachment.message_id
            && self
                .access
                .grants(caller)
                .await?
                .iter()
                .any(|g| g.message_id == message)
        {
            let message = self.store.message(message).await?;
            let conversation = self.store.conversation(attachment.conversation_id).await?;
            return match (message, conversation) {
                (Some(m), Some(conversation)) if !m.withdrawn() => Ok((attachment, conversation)),
                _ => denied().await,
            };
        }
        let conversation = self
            .access
            .member_conversation(caller, attachment.conversation_id, action)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound(_) => ServiceError::NotFound("attachment"),
                other => other,
            })?;
        match attachment.message_id {
            None if attachment.uploader_id != caller.user.id => return denied().await,
            // A recalled or expired message's files are gone for its members too, and a
            // message sent before the caller joined is not theirs to read.
            Some(message) => {
                let start = self.access.history_start(caller, &conversation).await?;
                if self
                    .store
                    .message(message)
                    .await?
                    .is_none_or(|m| m.withdrawn() || m.seq <= start)
                {
                    return denied().await;
                }
            }
            None => {}
        }
        Ok((attachment, conversation))
    }

    /// Describes an attachment, opening its name.
    pub(crate) async fn attachment_info(
        &self,
        attachment: &Attachment,
    ) -> Result<AttachmentInfo, ServiceError> {
        let name = match &attachment.sealed_name {
            Some(sealed) => {
                let plain = self.open_part(attachment, Part::Name, sealed).await?;
                Some(String::from_utf8_lossy(&plain).into_owned())
            }
            None => None,
        };
        let metadata = serde_json::from_str(&attachment.metadata)
            .map_err(|_| ServiceError::Store(ward_store::StoreError::Corrupt("attachment")))?;
        Ok(AttachmentInfo {
            id: attachment.id,
            name,
            media_type: attachment.media_type.clone(),
            size: attachment.size,
            thumbnail: attachment.sealed_thumbnail.is_some(),
            metadata,
        })
    }

    pub(crate) async fn open_chunk(
        &self,
        attachment: &Attachment,
        index: u32,
    ) -> Result<Vec<u8>, ServiceError> {
        let sealed = self
            .store
            .attachment_chunk(attachment.id, index)
            .await?
            .ok_or(ServiceError::Store(ward_store::StoreError::Corrupt(
                "attachment",
            )))?;
        let last = index + 1 == attachment.chunk_count;
        self.open_part(attachment, Part::Chunk { index, last }, &sealed)
            .await
    }

    /// Seals one part of an attachment under its conversation's key for its epoch.
    async fn seal_part(
        &self,
        attachment: &Attachment,
        part: Part,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, ServiceError> {
        let scope = KeyScope::Conversation(attachment.conversation_id);
        let binding = part.binding(attachment);
        self.keys
            .seal(scope, attachment.epoch, binding, plaintext)
            .await
    }

    /// Opens a part sealed by [`Attachments::seal_part`].
    async fn open_part(
        &self,
        attachment: &Attachment,
        part: Part,
        sealed: &[u8],
    ) -> Result<Vec<u8>, ServiceError> {
        let scope = KeyScope::Conversation(attachment.conversation_id);
        let binding = part.binding(attachment);
        self.keys
            .open(scope, attachment.epoch, binding, sealed)
            .await
    }

    /// Deletes uploads that never finished (a crash mid-upload); how many.
    pub async fn sweep_stale_uploads(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let before = now.minus_secs(STALE_UPLOAD_SECS);
        Ok(self.store.discard_stale_uploads(before).await?)
    }
}

/// Which sealed part of an attachment: each is bound to the attachment and its place.
#[derive(Debug, Clone, Copy)]
enum Part {
    Chunk { index: u32, last: bool },
    Name,
    Thumbnail,
}

impl Part {
    fn binding(self, a: &Attachment) -> Binding {
        let (conversation, attachment, epoch) = (a.conversation_id, a.id, a.epoch);
        match self {
            Self::Chunk { index, last } => Binding::AttachmentChunk {
                conversation,
                attachment,
                epoch,
                index,
                last,
            },
            Self::Name => Binding::AttachmentName {
                conversation,
                attachment,
                epoch,
            },
            Self::Thumbnail => Binding::AttachmentThumbnail {
                conversation,
                attachment,
                epoch,
            },
        }
    }
}
