//! The attachment half of the PostgreSQL writer.

use ward_core::attachment::{Attachment, AttachmentId};

use super::*;

pub(crate) async fn insert_attachment(c: &mut Conn, a: &Attachment) -> StoreResult<()> {
    sqlx::query(sql::INSERT_ATTACHMENT)
        .bind(a.id)
        .bind(*a.conversation_id.as_uuid())
        .bind(*a.uploader_id.as_uuid())
        .bind(a.epoch.index())
        .bind(&a.media_type)
        .bind(a.created_at.as_micros())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Stores one sealed chunk of an upload still in progress; false if there is no such upload.
pub(crate) async fn insert_attachment_chunk(
    c: &mut Conn,
    id: AttachmentId,
    index: u32,
    sealed: &[u8],
) -> StoreResult<bool> {
    let done = sqlx::query(sql::INSERT_ATTACHMENT_CHUNK)
        .bind(id)
        .bind(i64::from(index))
        .bind(sealed)
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an upload ready with its description; false unless it was uploading and holds
/// exactly `chunk_count` chunks.
pub(crate) async fn finish_attachment(c: &mut Conn, a: &Attachment) -> StoreResult<bool> {
    let size = i64::try_from(a.size).map_err(|_| StoreError::Invalid(sql::SIZE_REFUSED))?;
    let done = sqlx::query(sql::FINISH_ATTACHMENT)
        .bind(a.id)
        .bind(&a.media_type)
        .bind(size)
        .bind(i64::from(a.chunk_count))
        .bind(&a.sealed_name)
        .bind(&a.sealed_thumbnail)
        .bind(&a.metadata)
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an upload that never finished, with its chunks.
pub(crate) async fn delete_uploading_attachment(c: &mut Conn, id: AttachmentId) -> StoreResult<()> {
    sqlx::query(sql::DELETE_ATTACHMENT_CHUNKS)
        .bind(id)
        .execute(&mut *c)
        .await?;
    sqlx::query(sql::DELETE_UPLOADING_ATTACHMENT)
        .bind(id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub(crate) async fn stale_uploads(
    c: &mut Conn,
    before: Timestamp,
) -> StoreResult<Vec<AttachmentId>> {
    let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(sql::STALE_UPLOADS)
        .bind(before.as_micros())
        .fetch_all(&mut *c)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Gives ready uploads of the sender's to a message; fails (undoing the send) if any is not a
/// ready, unattached upload of the sender's in the message's conversation.
pub(crate) async fn attach_to_message(
    c: &mut Conn,
    message: &Message,
    attachments: &[AttachmentId],
) -> StoreResult<()> {
    for id in attachments {
        let done = sqlx::query(sql::ATTACH_TO_MESSAGE)
            .bind(message.id)
            .bind(*id)
            .bind(*message.conversation_id.as_uuid())
            .bind(*message.sender_id.as_uuid())
            .execute(&mut *c)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Invalid(sql::ATTACH_REFUSED));
        }
    }
    Ok(())
}
