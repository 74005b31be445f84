//! Receipts, device cursors and the sync read: part of [`crate::queries_messaging`], expanded
//! inside its module so it shares the backend's connection type and imports.

macro_rules! sync_queries {
    () => {
        // ---- receipts ---------------------------------------------------------------------

        pub(crate) async fn receipts(
            c: &mut Conn,
            conversation: ConversationId,
        ) -> StoreResult<Vec<Receipt>> {
            let rows: Vec<ReceiptRow> = sqlx::query_as(
                "SELECT r.conversation_id, r.user_id, r.delivered_seq, r.read_seq, r.updated_at \
                 FROM receipts r JOIN memberships m ON m.conversation_id = r.conversation_id \
                 AND m.user_id = r.user_id AND m.left_event IS NULL \
                 WHERE r.conversation_id = $1 ORDER BY r.user_id",
            )
            .bind(*conversation.as_uuid())
            .fetch_all(&mut *c)
            .await?;
            Ok(rows.into_iter().map(Receipt::from).collect())
        }

        pub(crate) async fn receipt(
            c: &mut Conn,
            conversation: ConversationId,
            user: UserId,
        ) -> StoreResult<Option<Receipt>> {
            let row: Option<ReceiptRow> = sqlx::query_as(
                "SELECT conversation_id, user_id, delivered_seq, read_seq, updated_at \
                 FROM receipts WHERE conversation_id = $1 AND user_id = $2",
            )
            .bind(*conversation.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.map(Receipt::from))
        }

        // ---- sync -------------------------------------------------------------------------

        /// Events after `after` that `user` may see: those of conversations while they were a
        /// member (the event that removed them included, nothing after it), except events about
        /// a message sent before that membership began (an edit, an acknowledgement) where new
        /// members do not read the history, unless an escalation of it brought them in.
        pub(crate) async fn events_for(
            c: &mut Conn,
            user: UserId,
            after: i64,
            limit: u32,
        ) -> StoreResult<Vec<SyncItem>> {
            let rows: Vec<SyncRow> = sqlx::query_as(
                "SELECT e.seq, e.conversation_id, e.kind, e.message_id, e.user_id, e.at, \
                 m.seq AS m_seq, m.sender_id AS m_sender_id, m.client_id AS m_client_id, \
                 m.priority AS m_priority, m.epoch AS m_epoch, m.sealed_body AS m_sealed_body, \
                 m.sealed_attachments AS m_sealed_attachments, m.created_at AS m_created_at, \
                 m.edited_at AS m_edited_at, m.recalled_at AS m_recalled_at, \
                 m.expires_at AS m_expires_at, m.expired_at AS m_expired_at \
                 FROM events e LEFT JOIN messages m ON m.id = e.message_id \
                 WHERE e.seq > $2 AND EXISTS (SELECT 1 FROM memberships ms \
                 WHERE ms.conversation_id = e.conversation_id AND ms.user_id = $1 \
                 AND ms.joined_event <= e.seq \
                 AND (ms.left_event IS NULL OR e.seq <= ms.left_event) \
                 AND (m.event_seq IS NULL OR m.event_seq >= ms.joined_event \
                 OR (e.kind IN ('escalation.on_call', 'escalation.supervisor') \
                 AND e.user_id = ms.user_id) \
                 OR EXISTS (SELECT 1 FROM conversations c WHERE c.id = e.conversation_id \
                 AND c.kind IN ('care_team', 'patient', 'role')))) \
                 ORDER BY e.seq LIMIT $3",
            )
            .bind(*user.as_uuid())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut *c)
            .await?;
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let mut item = SyncItem::try_from(row)?;
                if let (EventKind::ReceiptUpdated, Some(member)) = (item.event.kind, item.event.user_id) {
                    item.receipt = receipt(c, item.event.conversation_id, member).await?;
                }
                items.push(item);
            }
            Ok(items)
        }
    };
}

pub(crate) use sync_queries;
