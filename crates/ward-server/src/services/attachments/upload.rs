//! Taking an upload: sniffed from its first bytes; images and Office/OpenDocument files are
//! looked at whole (stripping, decoding, archive checks), so they are buffered up to
//! `max_inspected_bytes`, while everything else (PDF, audio, video) streams through in chunks
//! and is never whole in memory. A failed upload leaves nothing behind: its chunks are
//! deleted, and an upload cut off by a crash is swept later.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::attachment::{Attachment, CHUNK_SIZE, check_name};
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::conversation::Conversation;
use ward_core::id::ConversationId;
use ward_core::role::Permission;
use ward_media::{Handling, Metadata, SNIFF_LEN};

use super::{AttachmentInfo, Attachments, Part};
use crate::services::{Caller, ServiceError};

impl Attachments {
    /// Takes an upload into a conversation the caller is a member of. Answered after the file
    /// and its audit event are durably stored; any refusal stores nothing.
    pub async fn upload<S, E>(
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
        self.access
            .require(caller, Permission::MessagesSend, action)
            .await?;
        if let Some(name) = &name {
            check_name(name)?;
        }
        let conversation = self
            .access
            .member_conversation(caller, conversation_id, action)
            .await?;
        let limits = self.limits;
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
        let now = self.clock.now();
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
        let stored = match outcome {
            Ok((media_type, metadata, thumbnail)) => {
                sink.finish(name, media_type, metadata, thumbnail, caller, &conversation)
                    .await
            }
            Err(e) => Err(e),
        };
        if stored.is_err() {
            sink.discard().await;
        }
        stored
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
        let limit = self.limits.max_inspected_bytes;
        body.read_into(&mut whole, limit).await?;
        if body.has_more().await? {
            return Err(ServiceError::TooLarge {
                limit,
                what: "images and documents",
            });
        }
        let media_limits = self.limits.media;
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
    attachments: &'a Attachments,
    attachment: Attachment,
    started: bool,
    buffer: Vec<u8>,
}

impl<'a> ChunkSink<'a> {
    fn new(
        attachments: &'a Attachments,
        caller: &Caller,
        conversation: &Conversation,
        now: Timestamp,
    ) -> Self {
        Self {
            attachments,
            attachment: Attachment {
                id: Uuid::now_v7(),
                conversation_id: conversation.id,
                uploader_id: caller.user.id,
                epoch: attachments.keys.epoch_of(now),
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
        self.attachments
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
        let index = self.attachment.chunk_count;
        let sealed = self
            .attachments
            .seal_part(&self.attachment, Part::Chunk { index, last }, chunk)
            .await?;
        self.attachments
            .store
            .put_attachment_chunk(self.attachment.id, index, sealed)
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
        let (id, conversation_id) = (self.attachment.id, self.attachment.conversation_id);
        let services = self.attachments;
        if let Some(name) = &name {
            let sealed = services
                .seal_part(&self.attachment, Part::Name, name.as_bytes())
                .await?;
            self.attachment.sealed_name = Some(sealed);
        }
        if let Some(thumbnail) = &thumbnail {
            let sealed = services
                .seal_part(&self.attachment, Part::Thumbnail, thumbnail)
                .await?;
            self.attachment.sealed_thumbnail = Some(sealed);
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
        self.attachments
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
            && let Err(e) = self
                .attachments
                .store
                .discard_upload(self.attachment.id)
                .await
        {
            tracing::warn!(error = %e, "discarding a failed upload failed; the sweep will remove it");
        }
    }
}
