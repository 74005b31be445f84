//! Uploaded files: started, filled chunk by chunk, finished or discarded, read back chunk by
//! chunk, and given to the message that carries them.

use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::attachment::{Attachment, AttachmentId};
use ward_core::conversation::Message;
use ward_core::keys::Epoch;

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

/// Why a send that names attachments was refused.
const ATTACH_REFUSED: ValidationError = ValidationError::new(
    "attachments",
    "an attachment is not a finished upload of yours to this conversation, or is attached already",
);
/// Why an upload's size cannot be stored.
const SIZE_REFUSED: ValidationError = ValidationError::new("size", "is too large to store");

const INSERT_ATTACHMENT: &str = "INSERT INTO attachments (id, conversation_id, \
     uploader_id, epoch, media_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_ATTACHMENT_CHUNK: &str = "INSERT INTO attachment_chunks \
     (attachment_id, idx, sealed) SELECT $1, $2, $3 \
     WHERE EXISTS (SELECT 1 FROM attachments WHERE id = $1 AND state = 'uploading')";
const FINISH_ATTACHMENT: &str = "UPDATE attachments SET state = 'ready', \
     media_type = $2, size = $3, chunk_count = $4, sealed_name = $5, sealed_thumbnail = $6, \
     metadata = $7 WHERE id = $1 AND state = 'uploading' \
     AND (SELECT COUNT(*) FROM attachment_chunks WHERE attachment_id = $1) = $4";
const DELETE_ATTACHMENT_CHUNKS: &str = "DELETE FROM attachment_chunks WHERE attachment_id = $1";
const DELETE_UPLOADING_ATTACHMENT: &str =
    "DELETE FROM attachments WHERE id = $1 AND state = 'uploading'";
const STALE_UPLOADS: &str =
    "SELECT id FROM attachments WHERE state = 'uploading' AND created_at < $1";
/// Gives a ready, unattached upload of the sender's in this conversation to a message.
const ATTACH_TO_MESSAGE: &str = "UPDATE attachments SET message_id = $1 \
     WHERE id = $2 AND conversation_id = $3 AND uploader_id = $4 AND state = 'ready' \
     AND message_id IS NULL";
const ATTACHMENT: &str = "SELECT id, conversation_id, uploader_id, epoch, media_type, size, \
     chunk_count, sealed_name, sealed_thumbnail, metadata, message_id, created_at \
     FROM attachments WHERE id = $1 AND state = 'ready'";
const ATTACHMENT_CHUNK: &str =
    "SELECT sealed FROM attachment_chunks WHERE attachment_id = $1 AND idx = $2";

fn attachment_row(r: &dyn Row) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        uploader_id: r.get(2)?,
        epoch: Epoch::from_index(r.get(3)?),
        media_type: r.get(4)?,
        size: u64::try_from(r.get::<i64>(5)?).map_err(|_| StoreError::Corrupt("attachment"))?,
        chunk_count: u32::try_from(r.get::<i64>(6)?)
            .map_err(|_| StoreError::Corrupt("attachment"))?,
        sealed_name: r.opt(7)?,
        sealed_thumbnail: r.opt(8)?,
        metadata: r.get(9)?,
        message_id: r.opt(10)?,
        created_at: r.get(11)?,
    })
}

/// Starts an upload (state `uploading`).
pub(crate) async fn insert_attachment<E: Exec>(c: &mut E, a: &Attachment) -> StoreResult<()> {
    let args = [
        a.id.into(),
        a.conversation_id.into(),
        a.uploader_id.into(),
        a.epoch.index().into(),
        a.media_type.as_str().into(),
        a.created_at.into(),
    ];
    c.execute(INSERT_ATTACHMENT, &args).await?;
    Ok(())
}

/// Stores one sealed chunk of an upload still in progress; false if there is no such upload.
pub(crate) async fn insert_attachment_chunk<E: Exec>(
    c: &mut E,
    id: AttachmentId,
    index: u32,
    sealed: &[u8],
) -> StoreResult<bool> {
    let args = [id.into(), i64::from(index).into(), sealed.into()];
    Ok(c.execute(INSERT_ATTACHMENT_CHUNK, &args).await? == 1)
}

/// Marks an upload ready with its description; false unless it was uploading and holds
/// exactly `chunk_count` chunks.
pub(crate) async fn finish_attachment<E: Exec>(c: &mut E, a: &Attachment) -> StoreResult<bool> {
    let size = i64::try_from(a.size).map_err(|_| StoreError::Invalid(SIZE_REFUSED))?;
    let args = [
        a.id.into(),
        a.media_type.as_str().into(),
        size.into(),
        i64::from(a.chunk_count).into(),
        a.sealed_name.as_ref().into(),
        a.sealed_thumbnail.as_ref().into(),
        a.metadata.as_str().into(),
    ];
    Ok(c.execute(FINISH_ATTACHMENT, &args).await? == 1)
}

/// Deletes an upload that never finished, with its chunks.
pub(crate) async fn delete_uploading_attachment<E: Exec>(
    c: &mut E,
    id: AttachmentId,
) -> StoreResult<()> {
    c.execute(DELETE_ATTACHMENT_CHUNKS, &[id.into()]).await?;
    c.execute(DELETE_UPLOADING_ATTACHMENT, &[id.into()]).await?;
    Ok(())
}

/// Uploads started before `before` that never finished.
pub(crate) async fn stale_uploads<E: Exec>(
    c: &mut E,
    before: Timestamp,
) -> StoreResult<Vec<AttachmentId>> {
    c.fetch(STALE_UPLOADS, &[before.into()], |r| r.get(0)).await
}

/// Gives ready uploads of the sender's to a message; fails (undoing the send) if any is not a
/// ready, unattached upload of the sender's in the message's conversation.
pub(crate) async fn attach_to_message<E: Exec>(
    c: &mut E,
    message: &Message,
    attachments: &[AttachmentId],
) -> StoreResult<()> {
    for id in attachments {
        let args = [
            message.id.into(),
            (*id).into(),
            message.conversation_id.into(),
            message.sender_id.into(),
        ];
        if c.execute(ATTACH_TO_MESSAGE, &args).await? != 1 {
            return Err(StoreError::Invalid(ATTACH_REFUSED));
        }
    }
    Ok(())
}

/// A finished upload.
pub(crate) async fn attachment<E: Exec>(
    c: &mut E,
    id: AttachmentId,
) -> StoreResult<Option<Attachment>> {
    c.fetch_optional(ATTACHMENT, &[id.into()], attachment_row)
        .await
}

pub(crate) async fn attachment_chunk<E: Exec>(
    c: &mut E,
    id: AttachmentId,
    index: u32,
) -> StoreResult<Option<Vec<u8>>> {
    let args = [id.into(), i64::from(index).into()];
    c.fetch_optional(ATTACHMENT_CHUNK, &args, |r| r.get(0))
        .await
}
