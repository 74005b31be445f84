//! The reads of attachments and their chunks, instantiated per backend like
//! [`crate::queries`].

macro_rules! define_attachment_queries {
    ($conn:ty) => {
        use ward_core::attachment::{Attachment, AttachmentId};

        use crate::StoreResult;
        use crate::rows::AttachmentRow;

        pub(crate) type Conn = $conn;

        /// A finished upload.
        pub(crate) async fn attachment(
            c: &mut Conn,
            id: AttachmentId,
        ) -> StoreResult<Option<Attachment>> {
            let row: Option<AttachmentRow> = sqlx::query_as(
                "SELECT id, conversation_id, uploader_id, epoch, media_type, size, chunk_count, \
                 sealed_name, sealed_thumbnail, metadata, message_id, created_at \
                 FROM attachments WHERE id = $1 AND state = 'ready'",
            )
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
            row.map(Attachment::try_from).transpose()
        }

        pub(crate) async fn attachment_chunk(
            c: &mut Conn,
            id: AttachmentId,
            index: u32,
        ) -> StoreResult<Option<Vec<u8>>> {
            let row: Option<(Vec<u8>,)> = sqlx::query_as(
                "SELECT sealed FROM attachment_chunks WHERE attachment_id = $1 AND idx = $2",
            )
            .bind(id)
            .bind(i64::from(index))
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.map(|(sealed,)| sealed))
        }
    };
}

pub(crate) use define_attachment_queries;
