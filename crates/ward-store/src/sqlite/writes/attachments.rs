//! The attachment half of the SQLite writer.

use ward_core::attachment::{Attachment, AttachmentId};

use super::*;

pub(crate) async fn insert_attachment(c: &mut Conn, a: &Attachment) -> StoreResult<()> {
    let args: [&dyn ToSql; 6] = [
        &a.id,
        a.conversation_id.as_uuid(),
        a.uploader_id.as_uuid(),
        &a.epoch.index(),
        &a.media_type,
        &a.created_at.as_micros(),
    ];
    execute(c, sql::INSERT_ATTACHMENT, &args)?;
    Ok(())
}

/// Stores one sealed chunk of an upload still in progress; false if there is no such upload.
pub(crate) async fn insert_attachment_chunk(
    c: &mut Conn,
    id: AttachmentId,
    index: u32,
    sealed: &[u8],
) -> StoreResult<bool> {
    let args: [&dyn ToSql; 3] = [&id, &i64::from(index), &sealed];
    Ok(execute(c, sql::INSERT_ATTACHMENT_CHUNK, &args)? == 1)
}

/// Marks an upload ready with its description; false unless it was uploading and holds
/// exactly `chunk_count` chunks.
pub(crate) async fn finish_attachment(c: &mut Conn, a: &Attachment) -> StoreResult<bool> {
    let size = i64::try_from(a.size).map_err(|_| StoreError::Invalid(sql::SIZE_REFUSED))?;
    let args: [&dyn ToSql; 7] = [
        &a.id,
        &a.media_type,
        &size,
        &i64::from(a.chunk_count),
        &a.sealed_name,
        &a.sealed_thumbnail,
        &a.metadata,
    ];
    Ok(execute(c, sql::FINISH_ATTACHMENT, &args)? == 1)
}

/// Deletes an upload that never finished, with its chunks.
pub(crate) async fn delete_uploading_attachment(c: &mut Conn, id: AttachmentId) -> StoreResult<()> {
    let args: [&dyn ToSql; 1] = [&id];
    execute(c, sql::DELETE_ATTACHMENT_CHUNKS, &args)?;
    execute(c, sql::DELETE_UPLOADING_ATTACHMENT, &args)?;
    Ok(())
}

pub(crate) async fn stale_uploads(
    c: &mut Conn,
    before: Timestamp,
) -> StoreResult<Vec<AttachmentId>> {
    let args: [&dyn ToSql; 1] = [&before.as_micros()];
    query(c, sql::STALE_UPLOADS, &args, |row| row.get::<_, Uuid>(0))
}

/// Gives ready uploads of the sender's to a message; fails (undoing the send) if any is not a
/// ready, unattached upload of the sender's in the message's conversation.
pub(crate) async fn attach_to_message(
    c: &mut Conn,
    message: &Message,
    attachments: &[AttachmentId],
) -> StoreResult<()> {
    for id in attachments {
        let args: [&dyn ToSql; 4] = [
            &message.id,
            id,
            message.conversation_id.as_uuid(),
            message.sender_id.as_uuid(),
        ];
        if execute(c, sql::ATTACH_TO_MESSAGE, &args)? != 1 {
            return Err(StoreError::Invalid(sql::ATTACH_REFUSED));
        }
    }
    Ok(())
}
