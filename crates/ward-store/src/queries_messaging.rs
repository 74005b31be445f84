//! The reads of patients, conversations, messages, events and receipts, instantiated per
//! backend like [`crate::queries`].

macro_rules! define_messaging_queries {
    ($conn:ty) => {
        use ward_core::conversation::{Conversation, EventKind, Message, MessageId, Receipt};
        use ward_core::id::{ConversationId, PatientId, UserId};
        use ward_core::patient::PatientRecord;

        use crate::rows::{
            ConversationListRow, ConversationRow, MessageRow, PatientRow, ReceiptRow, SyncRow,
        };
        use crate::{ConversationSummary, StoreResult, SyncItem};

        pub(crate) type Conn = $conn;

        // ---- events and membership --------------------------------------------------------

        pub(crate) async fn max_event_seq(c: &mut Conn) -> StoreResult<i64> {
            let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM events")
                .fetch_one(&mut *c)
                .await?;
            Ok(seq)
        }

        pub(crate) async fn active_members(
            c: &mut Conn,
            conversation: ConversationId,
        ) -> StoreResult<Vec<UserId>> {
            let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(crate::sql::ACTIVE_MEMBERS)
            .bind(*conversation.as_uuid())
            .fetch_all(&mut *c)
            .await?;
            Ok(rows.into_iter().map(|(id,)| UserId::from_uuid(id)).collect())
        }

        pub(crate) async fn is_member(
            c: &mut Conn,
            conversation: ConversationId,
            user: UserId,
        ) -> StoreResult<bool> {
            let row: Option<(i64,)> = sqlx::query_as(crate::sql::IS_MEMBER)
            .bind(*conversation.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.is_some())
        }

        /// See [`crate::ConversationStore::history_start`]. An escalation that brings someone in
        /// appends its event right after their membership's, in the same transaction. Both
        /// lookups are single index probes.
        pub(crate) async fn history_start(
            c: &mut Conn,
            conversation: ConversationId,
            user: UserId,
        ) -> StoreResult<Option<i64>> {
            let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
                "SELECT (SELECT m.seq FROM messages m WHERE m.conversation_id = ms.conversation_id \
                 AND m.event_seq < ms.joined_event ORDER BY m.event_seq DESC LIMIT 1), \
                 (SELECT m.seq FROM events e JOIN messages m ON m.id = e.message_id \
                 WHERE e.seq = ms.joined_event + 1 AND e.user_id = ms.user_id \
                 AND e.kind IN ('escalation.on_call', 'escalation.supervisor')) \
                 FROM memberships ms WHERE ms.conversation_id = $1 AND ms.user_id = $2 \
                 AND ms.left_event IS NULL",
            )
            .bind(*conversation.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.map(|(before_join, escalated)| {
                let before_join = before_join.unwrap_or(0);
                escalated.map_or(before_join, |seq| before_join.min(seq - 1))
            }))
        }

        // ---- patients ---------------------------------------------------------------------

        macro_rules! patient_columns {
            () => {
                "id, mrn_index, sealed_demographics, user_id, created_at"
            };
        }

        pub(crate) async fn patient(c: &mut Conn, id: PatientId) -> StoreResult<Option<PatientRecord>> {
            const SQL: &str = concat!("SELECT ", patient_columns!(), " FROM patients WHERE id = $1");
            let row: Option<PatientRow> =
                sqlx::query_as(SQL).bind(*id.as_uuid()).fetch_optional(&mut *c).await?;
            row.map(PatientRecord::try_from).transpose()
        }

        pub(crate) async fn patient_by_index(
            c: &mut Conn,
            index: &[u8; 32],
        ) -> StoreResult<Option<PatientRecord>> {
            const SQL: &str =
                concat!("SELECT ", patient_columns!(), " FROM patients WHERE mrn_index = $1");
            let row: Option<PatientRow> =
                sqlx::query_as(SQL).bind(index.to_vec()).fetch_optional(&mut *c).await?;
            row.map(PatientRecord::try_from).transpose()
        }

        /// Patients on whose care team `user` is.
        pub(crate) async fn patients_of(c: &mut Conn, user: UserId) -> StoreResult<Vec<PatientRecord>> {
            const SQL: &str = concat!(
                "SELECT ", patient_columns!(), " FROM patients WHERE id IN \
                 (SELECT patient_id FROM care_team WHERE user_id = $1) ORDER BY id"
            );
            let rows: Vec<PatientRow> =
                sqlx::query_as(SQL).bind(*user.as_uuid()).fetch_all(&mut *c).await?;
            rows.into_iter().map(PatientRecord::try_from).collect()
        }

        pub(crate) async fn patients_page(
            c: &mut Conn,
            after: Option<PatientId>,
            limit: u32,
        ) -> StoreResult<Vec<PatientRecord>> {
            const SQL: &str = concat!(
                "SELECT ", patient_columns!(), " FROM patients WHERE id > $1 ORDER BY id LIMIT $2"
            );
            let after = after.map_or(uuid::Uuid::nil(), |id| *id.as_uuid());
            let rows: Vec<PatientRow> = sqlx::query_as(SQL)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(PatientRecord::try_from).collect()
        }

        pub(crate) async fn care_team(c: &mut Conn, patient: PatientId) -> StoreResult<Vec<UserId>> {
            let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                "SELECT user_id FROM care_team WHERE patient_id = $1 ORDER BY user_id",
            )
            .bind(*patient.as_uuid())
            .fetch_all(&mut *c)
            .await?;
            Ok(rows.into_iter().map(|(id,)| UserId::from_uuid(id)).collect())
        }

        // ---- conversations ----------------------------------------------------------------

        macro_rules! conversation_columns {
            () => {
                "c.id, c.kind, c.sealed_title, c.patient_id, c.direct_key, c.created_by, c.created_at, \
                 c.lifespan_secs"
            };
        }

        pub(crate) async fn conversation(
            c: &mut Conn,
            id: ConversationId,
        ) -> StoreResult<Option<Conversation>> {
            const SQL: &str =
                concat!("SELECT ", conversation_columns!(), " FROM conversations c WHERE c.id = $1");
            let row: Option<ConversationRow> =
                sqlx::query_as(SQL).bind(*id.as_uuid()).fetch_optional(&mut *c).await?;
            row.map(Conversation::try_from).transpose()
        }

        /// Every channel, oldest first.
        pub(crate) async fn channels(c: &mut Conn) -> StoreResult<Vec<Conversation>> {
            const SQL: &str = concat!(
                "SELECT ",
                conversation_columns!(),
                " FROM conversations c WHERE c.kind = 'channel' ORDER BY c.created_at"
            );
            let rows: Vec<ConversationRow> = sqlx::query_as(SQL).fetch_all(&mut *c).await?;
            rows.into_iter().map(Conversation::try_from).collect()
        }

        /// Every conversation about a patient (its care-team and patient threads).
        pub(crate) async fn patient_conversations(
            c: &mut Conn,
            patient: PatientId,
        ) -> StoreResult<Vec<Conversation>> {
            const SQL: &str = concat!(
                "SELECT ",
                conversation_columns!(),
                " FROM conversations c WHERE c.patient_id = $1 ORDER BY c.created_at"
            );
            let rows: Vec<ConversationRow> =
                sqlx::query_as(SQL).bind(*patient.as_uuid()).fetch_all(&mut *c).await?;
            rows.into_iter().map(Conversation::try_from).collect()
        }

        pub(crate) async fn conversation_by_direct_key(
            c: &mut Conn,
            key: &str,
        ) -> StoreResult<Option<Conversation>> {
            const SQL: &str = concat!(
                "SELECT ", conversation_columns!(), " FROM conversations c WHERE c.direct_key = $1"
            );
            let row: Option<ConversationRow> =
                sqlx::query_as(SQL).bind(key).fetch_optional(&mut *c).await?;
            row.map(Conversation::try_from).transpose()
        }

        pub(crate) async fn care_team_conversation(
            c: &mut Conn,
            patient: PatientId,
        ) -> StoreResult<Option<Conversation>> {
            let row: Option<ConversationRow> =
                sqlx::query_as(crate::sql::CARE_TEAM_CONVERSATION).bind(*patient.as_uuid()).fetch_optional(&mut *c).await?;
            row.map(Conversation::try_from).transpose()
        }

        pub(crate) async fn conversations_of(
            c: &mut Conn,
            user: UserId,
        ) -> StoreResult<Vec<ConversationSummary>> {
            const SQL: &str = concat!(
                "SELECT ", conversation_columns!(), ", c.last_seq, COALESCE(r.read_seq, 0) AS read_seq \
                 FROM conversations c \
                 JOIN memberships m ON m.conversation_id = c.id AND m.user_id = $1 \
                 AND m.left_event IS NULL \
                 LEFT JOIN receipts r ON r.conversation_id = c.id AND r.user_id = $1 \
                 ORDER BY c.id"
            );
            let rows: Vec<ConversationListRow> =
                sqlx::query_as(SQL).bind(*user.as_uuid()).fetch_all(&mut *c).await?;
            rows.into_iter().map(ConversationSummary::try_from).collect()
        }

        // ---- messages ---------------------------------------------------------------------

        macro_rules! message_columns {
            () => {
                "id, conversation_id, seq, sender_id, client_id, priority, epoch, sealed_body, \
                 sealed_attachments, created_at, event_seq, edited_at, recalled_at, expires_at, \
                 expired_at"
            };
        }

        pub(crate) async fn message_by_client_id(
            c: &mut Conn,
            sender: UserId,
            client_id: uuid::Uuid,
        ) -> StoreResult<Option<Message>> {
            const SQL: &str = concat!(
                "SELECT ", message_columns!(), " FROM messages WHERE sender_id = $1 AND client_id = $2"
            );
            let row: Option<MessageRow> = sqlx::query_as(SQL)
                .bind(*sender.as_uuid())
                .bind(client_id)
                .fetch_optional(&mut *c)
                .await?;
            row.map(Message::try_from).transpose()
        }

        pub(crate) async fn message(c: &mut Conn, id: MessageId) -> StoreResult<Option<Message>> {
            const SQL: &str = concat!("SELECT ", message_columns!(), " FROM messages WHERE id = $1");
            let row: Option<MessageRow> = sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?;
            row.map(Message::try_from).transpose()
        }

        pub(crate) async fn messages(
            c: &mut Conn,
            conversation: ConversationId,
            after: i64,
            limit: u32,
        ) -> StoreResult<Vec<Message>> {
            const SQL: &str = concat!(
                "SELECT ", message_columns!(), " FROM messages WHERE conversation_id = $1 \
                 AND seq > $2 ORDER BY seq LIMIT $3"
            );
            let rows: Vec<MessageRow> = sqlx::query_as(SQL)
                .bind(*conversation.as_uuid())
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(Message::try_from).collect()
        }

        /// The conversation, if `user` is a member now.
        pub(crate) async fn conversation_for_member(
            c: &mut Conn,
            id: ConversationId,
            user: UserId,
        ) -> StoreResult<Option<Conversation>> {
            const SQL: &str = concat!(
                "SELECT ", conversation_columns!(), " FROM conversations c \
                 JOIN memberships m ON m.conversation_id = c.id AND m.user_id = $2 \
                 AND m.left_event IS NULL WHERE c.id = $1"
            );
            let row: Option<ConversationRow> = sqlx::query_as(SQL)
                .bind(*id.as_uuid())
                .bind(*user.as_uuid())
                .fetch_optional(&mut *c)
                .await?;
            row.map(Conversation::try_from).transpose()
        }

        crate::queries_sync::sync_queries!();
    };
}

pub(crate) use define_messaging_queries;
