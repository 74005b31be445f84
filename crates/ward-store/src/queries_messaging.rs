//! The SQL of patients, conversations, messages, events and receipts, instantiated per backend
//! like [`crate::queries`]. Every write that appends to the event log first takes the backend's
//! ordering lock, so event positions follow commit order.

macro_rules! define_messaging_queries {
    ($conn:ty, $order_lock:expr) => {
        use ward_core::Timestamp;
        use ward_core::conversation::{
            Committed, Conversation, Event, EventKind, Message, MessageId, Receipt,
        };
        use ward_core::id::{ConversationId, PatientId, SessionId, UserId};
        use ward_core::patient::PatientRecord;

        use crate::error::unique_as_conflict;
        use crate::rows::{
            ConversationListRow, ConversationRow, MessageRow, PatientRow, ReceiptRow, SyncRow,
        };
        use crate::{ConversationSummary, StoreResult, SyncItem};

        pub(crate) type Conn = $conn;

        /// Orders writers that append events (a no-op where one writer does everything).
        pub(crate) async fn order(c: &mut Conn) -> StoreResult<()> {
            let lock: Option<&str> = $order_lock;
            if let Some(lock) = lock {
                sqlx::query(lock).execute(&mut *c).await?;
            }
            Ok(())
        }

        // ---- events and membership --------------------------------------------------------

        /// Appends an event at the next position; the caller holds the ordering lock.
        pub(crate) async fn append_event(
            c: &mut Conn,
            conversation: ConversationId,
            kind: EventKind,
            message_id: Option<MessageId>,
            user_id: Option<UserId>,
            at: Timestamp,
        ) -> StoreResult<Event> {
            let (seq,): (i64,) = sqlx::query_as(
                "INSERT INTO events (seq, conversation_id, kind, message_id, user_id, at) \
                 VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), $1, $2, $3, $4, $5) \
                 RETURNING seq",
            )
            .bind(*conversation.as_uuid())
            .bind(kind.as_str())
            .bind(message_id)
            .bind(user_id.map(|u| *u.as_uuid()))
            .bind(at.as_micros())
            .fetch_one(&mut *c)
            .await?;
            Ok(Event { seq, conversation_id: conversation, kind, message_id, user_id, at })
        }

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
            let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                "SELECT user_id FROM memberships WHERE conversation_id = $1 \
                 AND left_event IS NULL ORDER BY user_id",
            )
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
            let row: Option<(i64,)> = sqlx::query_as(
                "SELECT joined_event FROM memberships WHERE conversation_id = $1 \
                 AND user_id = $2 AND left_event IS NULL",
            )
            .bind(*conversation.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.is_some())
        }

        /// Adds members (those already in are skipped) under one `conversation.updated` event.
        pub(crate) async fn add_members(
            c: &mut Conn,
            conversation: ConversationId,
            users: &[UserId],
            at: Timestamp,
        ) -> StoreResult<Option<Committed>> {
            let mut fresh = Vec::new();
            for user in users {
                if !is_member(c, conversation, *user).await? && !fresh.contains(user) {
                    fresh.push(*user);
                }
            }
            if fresh.is_empty() {
                return Ok(None);
            }
            let event =
                append_event(c, conversation, EventKind::ConversationUpdated, None, None, at).await?;
            for user in &fresh {
                sqlx::query(
                    "INSERT INTO memberships (conversation_id, user_id, joined_event) \
                     VALUES ($1, $2, $3)",
                )
                .bind(*conversation.as_uuid())
                .bind(*user.as_uuid())
                .bind(event.seq)
                .execute(&mut *c)
                .await?;
                sqlx::query(
                    "INSERT INTO receipts (conversation_id, user_id, delivered_seq, read_seq, \
                     updated_at) VALUES ($1, $2, 0, 0, $3) \
                     ON CONFLICT (conversation_id, user_id) DO NOTHING",
                )
                .bind(*conversation.as_uuid())
                .bind(*user.as_uuid())
                .bind(at.as_micros())
                .execute(&mut *c)
                .await?;
            }
            let recipients = active_members(c, conversation).await?;
            Ok(Some(Committed { event, recipients }))
        }

        /// Ends a membership; the removed member receives the removal event and nothing after.
        pub(crate) async fn remove_member(
            c: &mut Conn,
            conversation: ConversationId,
            user: UserId,
            at: Timestamp,
        ) -> StoreResult<Option<Committed>> {
            if !is_member(c, conversation, user).await? {
                return Ok(None);
            }
            let event = append_event(
                c,
                conversation,
                EventKind::MemberRemoved,
                None,
                Some(user),
                at,
            )
            .await?;
            sqlx::query(
                "UPDATE memberships SET left_event = $1 WHERE conversation_id = $2 \
                 AND user_id = $3 AND left_event IS NULL",
            )
            .bind(event.seq)
            .bind(*conversation.as_uuid())
            .bind(*user.as_uuid())
            .execute(&mut *c)
            .await?;
            let mut recipients = active_members(c, conversation).await?;
            recipients.push(user);
            Ok(Some(Committed { event, recipients }))
        }

        // ---- patients ---------------------------------------------------------------------

        macro_rules! patient_columns {
            () => {
                "id, mrn_index, sealed_demographics, user_id, created_at"
            };
        }

        pub(crate) async fn insert_patient(c: &mut Conn, p: &PatientRecord) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO patients (id, mrn_index, sealed_demographics, user_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(*p.id.as_uuid())
            .bind(p.mrn_index.to_vec())
            .bind(&p.sealed_demographics)
            .bind(p.user_id.map(|u| *u.as_uuid()))
            .bind(p.created_at.as_micros())
            .execute(&mut *c)
            .await
            .map_err(|e| unique_as_conflict(e, "a patient with this MRN or account exists"))?;
            Ok(())
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

        pub(crate) async fn care_team(c: &mut Conn, patient: PatientId) -> StoreResult<Vec<UserId>> {
            let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                "SELECT user_id FROM care_team WHERE patient_id = $1 ORDER BY user_id",
            )
            .bind(*patient.as_uuid())
            .fetch_all(&mut *c)
            .await?;
            Ok(rows.into_iter().map(|(id,)| UserId::from_uuid(id)).collect())
        }

        pub(crate) async fn set_care_team_member(
            c: &mut Conn,
            patient: PatientId,
            user: UserId,
            on_team: bool,
        ) -> StoreResult<bool> {
            let done = if on_team {
                sqlx::query(
                    "INSERT INTO care_team (patient_id, user_id) VALUES ($1, $2) \
                     ON CONFLICT (patient_id, user_id) DO NOTHING",
                )
            } else {
                sqlx::query("DELETE FROM care_team WHERE patient_id = $1 AND user_id = $2")
            }
            .bind(*patient.as_uuid())
            .bind(*user.as_uuid())
            .execute(&mut *c)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        // ---- conversations ----------------------------------------------------------------

        macro_rules! conversation_columns {
            () => {
                "c.id, c.kind, c.sealed_title, c.patient_id, c.direct_key, c.created_by, c.created_at"
            };
        }

        pub(crate) async fn insert_conversation(c: &mut Conn, v: &Conversation) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO conversations (id, kind, sealed_title, patient_id, direct_key, \
                 created_by, created_at, last_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
            )
            .bind(*v.id.as_uuid())
            .bind(v.kind.as_str())
            .bind(v.sealed_title.as_deref())
            .bind(v.patient_id.map(|p| *p.as_uuid()))
            .bind(v.direct_key.as_deref())
            .bind(*v.created_by.as_uuid())
            .bind(v.created_at.as_micros())
            .execute(&mut *c)
            .await
            .map_err(|e| unique_as_conflict(e, "that conversation exists already"))?;
            Ok(())
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
            const SQL: &str = concat!(
                "SELECT ", conversation_columns!(), " FROM conversations c \
                 WHERE c.patient_id = $1 AND c.kind = 'care_team'"
            );
            let row: Option<ConversationRow> =
                sqlx::query_as(SQL).bind(*patient.as_uuid()).fetch_optional(&mut *c).await?;
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
                 created_at, event_seq"
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

        /// Takes the conversation's next seq, if `sender` is a member (one statement).
        pub(crate) async fn next_message_seq(
            c: &mut Conn,
            conversation: ConversationId,
            sender: UserId,
        ) -> StoreResult<Option<i64>> {
            let row: Option<(i64,)> = sqlx::query_as(
                "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 AND EXISTS \
                 (SELECT 1 FROM memberships WHERE conversation_id = $1 AND user_id = $2 \
                 AND left_event IS NULL) RETURNING last_seq",
            )
            .bind(*conversation.as_uuid())
            .bind(*sender.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.map(|(seq,)| seq))
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

        pub(crate) async fn insert_message(c: &mut Conn, m: &Message) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO messages (id, conversation_id, seq, sender_id, client_id, priority, \
                 epoch, sealed_body, created_at, event_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(m.id)
            .bind(*m.conversation_id.as_uuid())
            .bind(m.seq)
            .bind(*m.sender_id.as_uuid())
            .bind(m.client_id)
            .bind(m.priority.as_str())
            .bind(m.epoch.index())
            .bind(&m.sealed_body)
            .bind(m.created_at.as_micros())
            .bind(m.event_seq)
            .execute(&mut *c)
            .await
            .map_err(|e| unique_as_conflict(e, "this client_id was used already"))?;
            Ok(())
        }

        crate::queries_sync::sync_queries!();
    };
}

pub(crate) use define_messaging_queries;
