//! Attachments: a streamed upload is sniffed, checked against the allow-list, stripped of
//! metadata where Ward can do that, and sealed chunk by chunk under the conversation's epoch
//! key; a download is permission-checked, audited, and opened one chunk at a time.
//!
//! Images and Office/OpenDocument files must be looked at whole (stripping, decoding, archive
//! checks), so they are buffered up to `max_inspected_bytes`; everything else (PDF, audio,
//! video) streams through in chunks and is never whole in memory. A failed upload leaves
//! nothing behind: its chunks are deleted, and an upload cut off by a crash is swept later.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::attachment::{Attachment, AttachmentId, CHUNK_SIZE, check_name};
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::conversation::Conversation;
use ward_core::id::ConversationId;
use ward_core::keys::{Epoch, KeyScope};
use ward_core::role::Permission;
use ward_crypto::seal::Binding;
use ward_media::{Handling, Metadata, SNIFF_LEN};

use super::{Caller, ServiceError, Services};

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

/// An attachment as its uploader and recipients see it; also the sealed list a message
/// carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: AttachmentId,
    pub name: Option<String>,
    pub media_type: String,
    pub size: u64,
    pub thumbnail: bool,
    pub metadata: Metadata,
}

/// An attachment being downloaded: its description and its chunks, opened one at a time.
#[derive(Debug)]
pub struct Download {
    pub info: AttachmentInfo,
    services: Services,
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
        Some(self.services.open_chunk(&self.attachment, index).await)
    }
}

impl Services {
    /// Sets the upload limits (the defaults otherwise).
    pub fn with_attachment_limits(mut self, limits: AttachmentLimits) -> Self {
        self.attachment_limits = limits;
        self
    }

    /// Takes an upload into a conversation the caller is a member of. Answered after the file
    /// and its audit event are durably stored; any refusal stores nothing.
    pub async fn upload_attachment<S, E>(
        &self,
        caller: &Caller,
        conversation_id: ConversationId,
        name: Option<String>,
        body: S,
    ) -> Result<AttachmentInfo, ServiceError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    {
        let action = AuditAction::AttachmentUploaded;
        self.require(caller, Permission::MessagesSend, action)
            .await?;
        if let Some(name) = &name {
            check_name(name)?;
        }
        let conversation = self
            .member_conversation(caller, conversation_id, action)
            .await?;
        let limits = self.attachment_limits;
        let mut body = LimitedBody::new(body, limits.max_bytes);
        let mut head = Vec::with_capacity(SNIFF_LEN);
        body.read_into(&mut head, SNIFF_LEN as u64).await?;
        let handling = match ward_media::sniff(&head) {
            Ok(handling) => handling,
            Err(refused) => {
                self.audit_refused_upload(caller, &conversation, &refused)
                    .await?;
                return Err(ServiceError::Media(refused));
            }
        };
        let now = Timestamp::now();
        let mut sink = ChunkSink::new(self, caller, &conversation, now);
        let outcome = match handling {
            Handling::Stream(media_type) => {
                self.store_streamed(&mut sink, media_type, head, &mut body)
                    .await
            }
            inspected => {
                self.store_inspected(&mut sink, inspected, head, &mut body, caller, &conversation)
                    .await
            }
        };
        let (media_type, metadata, thumbnail) = match outcome {
            Ok(done) => done,
            Err(e) => {
                sink.discard().await;
                return Err(e);
            }
        };
        match sink
            .finish(name, media_type, metadata, thumbnail, caller, &conversation)
            .await
        {
            Ok(info) => Ok(info),
            Err(e) => {
                sink.discard().await;
                Err(e)
            }
        }
    }

    /// Buffers a file that must be inspected whole, checks and strips it off the runtime, and
    /// stores what is left.
    async fn store_inspected<S, E>(
        &self,
        sink: &mut ChunkSink<'_>,
        handling: Handling,
        mut whole: Vec<u8>,
        body: &mut LimitedBody<S>,
        caller: &Caller,
        conversation: &Conversation,
    ) -> Result<(&'static str, Metadata, Option<Vec<u8>>), ServiceError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    {
        let limit = self.attachment_limits.max_inspected_bytes;
        body.read_into(&mut whole, limit).await?;
        if body.has_more().await? {
            return Err(ServiceError::TooLarge {
                limit,
                what: "images and documents",
            });
        }
        let media_limits = self.attachment_limits.media;
        let inspected = tokio::task::spawn_blocking(move || {
            ward_media::inspect(handling, whole, &media_limits)
        })
        .await
        .map_err(|_| ServiceError::Unavailable)?;
        let inspected = match inspected {
            Ok(inspected) => inspected,
            Err(refused) => {
                self.audit_refused_upload(caller, conversation, &refused)
                    .await?;
                return Err(ServiceError::Media(refused));
            }
        };
        sink.begin(inspected.media_type).await?;
        sink.push(&inspected.bytes).await?;
        Ok((
            inspected.media_type,
            inspected.metadata,
            inspected.thumbnail,
        ))
    }

    /// Stores a file that is kept as uploaded, chunk by chunk as it arrives.
    async fn store_streamed<S, E>(
        &self,
        sink: &mut ChunkSink<'_>,
        media_type: &'static str,
        head: Vec<u8>,
        body: &mut LimitedBody<S>,
    ) -> Result<(&'static str, Metadata, Option<Vec<u8>>), ServiceError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    {
        sink.begin(media_type).await?;
        sink.push(&head).await?;
        while let Some(piece) = body.next_piece().await? {
            sink.push(&piece).await?;
        }
        Ok((media_type, ward_media::not_stripped(media_type), None))
    }

    /// Records a refused file (its sniffed type only, never its name or bytes).
    async fn audit_refused_upload(
        &self,
        caller: &Caller,
        conversation: &Conversation,
        refused: &ward_media::MediaError,
    ) -> Result<(), ServiceError> {
        let reason = match refused {
            ward_media::MediaError::NotAllowed { .. } => "type_not_allowed",
            ward_media::MediaError::Malformed(_) => "malformed",
            ward_media::MediaError::Bomb(_) => "expansion_bomb",
        };
        let event = caller
            .event(AuditAction::AttachmentUploaded, Outcome::Failure)
            .target(TargetKind::Conversation, Some(*conversation.id.as_uuid()))
            .patient(conversation.patient_id)
            .detail(format!(r#"{{"refused":"{reason}"}}"#));
        self.store.append_audit(event).await?;
        Ok(())
    }

    /// An attachment the caller may download, with its chunks to follow. The download is
    /// audited before the first byte goes out.
    pub async fn download_attachment(
        &self,
        caller: &Caller,
        id: AttachmentId,
    ) -> Result<Download, ServiceError> {
        let (attachment, conversation) = self.visible_attachment(caller, id).await?;
        let info = self.attachment_info(&attachment).await?;
        let event =
            Self::conversation_event(caller, AuditAction::AttachmentDownloaded, &conversation)
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
            services: self.clone(),
            attachment,
            next: 0,
        })
    }

    /// An image attachment's thumbnail (a JPEG), audited like a download.
    pub async fn attachment_thumbnail(
        &self,
        caller: &Caller,
        id: AttachmentId,
    ) -> Result<Vec<u8>, ServiceError> {
        let (attachment, conversation) = self.visible_attachment(caller, id).await?;
        let Some(sealed) = &attachment.sealed_thumbnail else {
            return Err(ServiceError::NotFound("thumbnail"));
        };
        let binding = Binding::AttachmentThumbnail {
            conversation: attachment.conversation_id,
            attachment: attachment.id,
            epoch: attachment.epoch,
        };
        let thumbnail = self
            .keys
            .open(
                KeyScope::Conversation(attachment.conversation_id),
                attachment.epoch,
                binding,
                sealed,
            )
            .await?;
        let event =
            Self::conversation_event(caller, AuditAction::AttachmentDownloaded, &conversation)
                .target(TargetKind::Attachment, Some(id))
                .detail(r#"{"thumbnail":true}"#.to_owned());
        self.store.append_audit(event).await?;
        Ok(thumbnail)
    }

    /// The attachment, if the caller may see it: the uploader's own upload before it is sent,
    /// and afterwards anyone who is a member of its conversation. Otherwise it does not exist
    /// for them (404, audited).
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
        let conversation = self
            .member_conversation(caller, attachment.conversation_id, action)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound(_) => ServiceError::NotFound("attachment"),
                other => other,
            })?;
        if attachment.message_id.is_none() && attachment.uploader_id != caller.user.id {
            return denied().await;
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
                let binding = Binding::AttachmentName {
                    conversation: attachment.conversation_id,
                    attachment: attachment.id,
                    epoch: attachment.epoch,
                };
                let plain = self
                    .keys
                    .open(
                        KeyScope::Conversation(attachment.conversation_id),
                        attachment.epoch,
                        binding,
                        sealed,
                    )
                    .await?;
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

    async fn open_chunk(
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
        let binding = Binding::AttachmentChunk {
            conversation: attachment.conversation_id,
            attachment: attachment.id,
            epoch: attachment.epoch,
            index,
            last: index + 1 == attachment.chunk_count,
        };
        self.keys
            .open(
                KeyScope::Conversation(attachment.conversation_id),
                attachment.epoch,
                binding,
                &sealed,
            )
            .await
    }

    /// The attachments a message will carry, checked (the sender's finished uploads to this
    /// conversation, each named once) and sealed as the message's list. That none is carried
    /// by another message already is checked by the store, in the send's transaction (a
    /// retried send finds its first message there).
    pub(crate) async fn seal_attachment_list(
        &self,
        caller: &Caller,
        conversation: ConversationId,
        message: Uuid,
        epoch: Epoch,
        ids: &[AttachmentId],
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        if ids.is_empty() {
            return Ok(None);
        }
        if ids.len() > MAX_ATTACHMENTS_PER_MESSAGE {
            return Err(ward_core::ValidationError::new(
                "attachments",
                "at most 10 attachments per message",
            )
            .into());
        }
        let mut infos = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let usable = match self.store.attachment(*id).await? {
                Some(a)
                    if a.uploader_id == caller.user.id
                        && a.conversation_id == conversation
                        && !ids[..i].contains(id) =>
                {
                    a
                }
                _ => {
                    return Err(ward_core::ValidationError::new(
                        "attachments",
                        "each must be a finished upload of yours to this conversation, named \
                         once and not sent before",
                    )
                    .into());
                }
            };
            infos.push(self.attachment_info(&usable).await?);
        }
        let list = serde_json::to_vec(&infos)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))?;
        let binding = Binding::MessageAttachments {
            conversation,
            message,
            epoch,
        };
        let sealed = self
            .keys
            .seal(KeyScope::Conversation(conversation), epoch, binding, &list)
            .await?;
        Ok(Some(sealed))
    }

    /// Opens a message's attachment list.
    pub(crate) async fn open_attachment_list(
        &self,
        message: &ward_core::conversation::Message,
    ) -> Result<Vec<AttachmentInfo>, ServiceError> {
        let Some(sealed) = &message.sealed_attachments else {
            return Ok(Vec::new());
        };
        let binding = Binding::MessageAttachments {
            conversation: message.conversation_id,
            message: message.id,
            epoch: message.epoch,
        };
        let list = self
            .keys
            .open(
                KeyScope::Conversation(message.conversation_id),
                message.epoch,
                binding,
                sealed,
            )
            .await?;
        serde_json::from_slice(&list)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))
    }

    /// Deletes uploads that never finished (a crash mid-upload); how many.
    pub async fn sweep_stale_uploads(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let before = now.minus_secs(STALE_UPLOAD_SECS);
        Ok(self.store.discard_stale_uploads(before).await?)
    }
}

/// An upload body read with a byte limit.
struct LimitedBody<S> {
    stream: S,
    limit: u64,
    taken: u64,
    /// Bytes read from the stream but not handed out yet.
    pending: Option<Bytes>,
}

impl<S, E> LimitedBody<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
{
    fn new(stream: S, limit: u64) -> Self {
        Self {
            stream,
            limit,
            taken: 0,
            pending: None,
        }
    }

    /// The next piece of the body; `TooLarge` once it passes the limit.
    async fn next_piece(&mut self) -> Result<Option<Bytes>, ServiceError> {
        if let Some(piece) = self.pending.take() {
            return Ok(Some(piece));
        }
        loop {
            match self.stream.next().await {
                None => return Ok(None),
                Some(Err(_)) => return Err(ServiceError::UploadInterrupted),
                Some(Ok(piece)) if piece.is_empty() => continue,
                Some(Ok(piece)) => {
                    self.taken += piece.len() as u64;
                    if self.taken > self.limit {
                        return Err(ServiceError::TooLarge {
                            limit: self.limit,
                            what: "files",
                        });
                    }
                    return Ok(Some(piece));
                }
            }
        }
    }

    /// Appends to `out` until it holds `up_to` bytes or the body ends.
    async fn read_into(&mut self, out: &mut Vec<u8>, up_to: u64) -> Result<(), ServiceError> {
        while (out.len() as u64) < up_to {
            let Some(mut piece) = self.next_piece().await? else {
                break;
            };
            let room = usize::try_from(up_to - out.len() as u64).unwrap_or(usize::MAX);
            if piece.len() > room {
                self.pending = Some(piece.split_off(room));
            }
            out.extend_from_slice(&piece);
        }
        Ok(())
    }

    /// Whether any byte is left.
    async fn has_more(&mut self) -> Result<bool, ServiceError> {
        match self.next_piece().await? {
            Some(piece) => {
                self.pending = Some(piece);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Seals and stores an upload's contents in [`CHUNK_SIZE`] chunks. A chunk is written only
/// once more bytes follow it, so the final chunk is known when it is sealed.
struct ChunkSink<'a> {
    services: &'a Services,
    attachment: Attachment,
    started: bool,
    buffer: Vec<u8>,
}

impl<'a> ChunkSink<'a> {
    fn new(
        services: &'a Services,
        caller: &Caller,
        conversation: &Conversation,
        now: Timestamp,
    ) -> Self {
        Self {
            services,
            attachment: Attachment {
                id: Uuid::now_v7(),
                conversation_id: conversation.id,
                uploader_id: caller.user.id,
                epoch: Epoch::of(now),
                media_type: String::new(),
                size: 0,
                chunk_count: 0,
                sealed_name: None,
                sealed_thumbnail: None,
                metadata: String::new(),
                message_id: None,
                created_at: now,
            },
            started: false,
            buffer: Vec::with_capacity(CHUNK_SIZE * 2),
        }
    }

    async fn begin(&mut self, media_type: &str) -> Result<(), ServiceError> {
        self.attachment.media_type = media_type.to_owned();
        self.services
            .store
            .begin_attachment(&self.attachment)
            .await?;
        self.started = true;
        Ok(())
    }

    async fn push(&mut self, bytes: &[u8]) -> Result<(), ServiceError> {
        self.buffer.extend_from_slice(bytes);
        while self.buffer.len() > CHUNK_SIZE {
            let rest = self.buffer.split_off(CHUNK_SIZE);
            let chunk = std::mem::replace(&mut self.buffer, rest);
            self.write_chunk(&chunk, false).await?;
        }
        Ok(())
    }

    async fn write_chunk(&mut self, chunk: &[u8], last: bool) -> Result<(), ServiceError> {
        let a = &self.attachment;
        let index = a.chunk_count;
        let binding = Binding::AttachmentChunk {
            conversation: a.conversation_id,
            attachment: a.id,
            epoch: a.epoch,
            index,
            last,
        };
        let sealed = self
            .services
            .keys
            .seal(
                KeyScope::Conversation(a.conversation_id),
                a.epoch,
                binding,
                chunk,
            )
            .await?;
        self.services
            .store
            .put_attachment_chunk(a.id, index, sealed)
            .await?;
        self.attachment.chunk_count += 1;
        self.attachment.size += chunk.len() as u64;
        Ok(())
    }

    /// Seals the last chunk, the name and the thumbnail, and marks the upload ready with its
    /// audit event.
    async fn finish(
        &mut self,
        name: Option<String>,
        media_type: &str,
        metadata: Metadata,
        thumbnail: Option<Vec<u8>>,
        caller: &Caller,
        conversation: &Conversation,
    ) -> Result<AttachmentInfo, ServiceError> {
        let last = std::mem::take(&mut self.buffer);
        self.write_chunk(&last, true).await?;
        let (id, conversation_id, epoch) = (
            self.attachment.id,
            self.attachment.conversation_id,
            self.attachment.epoch,
        );
        let scope = KeyScope::Conversation(conversation_id);
        let keys = &self.services.keys;
        if let Some(name) = &name {
            let binding = Binding::AttachmentName {
                conversation: conversation_id,
                attachment: id,
                epoch,
            };
            self.attachment.sealed_name =
                Some(keys.seal(scope, epoch, binding, name.as_bytes()).await?);
        }
        if let Some(thumbnail) = &thumbnail {
            let binding = Binding::AttachmentThumbnail {
                conversation: conversation_id,
                attachment: id,
                epoch,
            };
            self.attachment.sealed_thumbnail =
                Some(keys.seal(scope, epoch, binding, thumbnail).await?);
        }
        self.attachment.media_type = media_type.to_owned();
        self.attachment.metadata = serde_json::to_string(&metadata)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))?;
        let stripped = matches!(metadata, Metadata::Stripped { .. });
        let event = caller
            .event(AuditAction::AttachmentUploaded, Outcome::Success)
            .target(TargetKind::Attachment, Some(id))
            .patient(conversation.patient_id)
            .detail(format!(
                r#"{{"conversation":"{conversation_id}","media_type":"{media_type}","size":{},"metadata_stripped":{stripped}}}"#,
                self.attachment.size
            ));
        self.services
            .store
            .finish_attachment(&self.attachment, event)
            .await?;
        self.started = false;
        Ok(AttachmentInfo {
            id,
            name,
            media_type: media_type.to_owned(),
            size: self.attachment.size,
            thumbnail: thumbnail.is_some(),
            metadata,
        })
    }

    /// Deletes what was stored of an upload that failed.
    async fn discard(&mut self) {
        if self.started
            && let Err(e) = self.services.store.discard_upload(self.attachment.id).await
        {
            tracing::warn!(error = %e, "discarding a failed upload failed; the sweep will remove it");
        }
    }
}
