//! The reads of acknowledgements, escalations, clinical roles and shifts, instantiated per
//! backend like [`crate::queries`].

macro_rules! define_clinical_queries {
    ($conn:ty) => {
        use ward_core::Timestamp;
        use ward_core::clinical::{ClinicalRole, Escalation, Shift};
        use ward_core::conversation::MessageId;
        use ward_core::id::{ClinicalRoleId, ConversationId, ShiftId, UserId};

        use crate::StoreResult;

        pub(crate) type Conn = $conn;

        /// The acknowledgements of a conversation's messages with seq in `(after, through]`.
        pub(crate) async fn acks_between(
            c: &mut Conn,
            conversation: ConversationId,
            after: i64,
            through: i64,
        ) -> StoreResult<Vec<(MessageId, UserId, Timestamp)>> {
            let rows: Vec<(uuid::Uuid, uuid::Uuid, i64)> = sqlx::query_as(
                "SELECT a.message_id, a.user_id, a.acked_at FROM message_acks a \
                 JOIN messages m ON m.id = a.message_id \
                 WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq <= $3 \
                 ORDER BY m.seq, a.acked_at",
            )
            .bind(*conversation.as_uuid())
            .bind(after)
            .bind(through)
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(message, user, at)| {
                    (message, UserId::from_uuid(user), Timestamp::from_micros(at))
                })
                .collect())
        }

        pub(crate) async fn acks(
            c: &mut Conn,
            message: MessageId,
        ) -> StoreResult<Vec<(UserId, Timestamp)>> {
            let rows: Vec<(uuid::Uuid, i64)> = sqlx::query_as(
                "SELECT user_id, acked_at FROM message_acks WHERE message_id = $1 \
                 ORDER BY acked_at",
            )
            .bind(message)
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(user, at)| (UserId::from_uuid(user), Timestamp::from_micros(at)))
                .collect())
        }

        /// The members of a conversation at event `seq`.
        pub(crate) async fn members_at(
            c: &mut Conn,
            conversation: ConversationId,
            seq: i64,
        ) -> StoreResult<Vec<UserId>> {
            let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                "SELECT DISTINCT user_id FROM memberships WHERE conversation_id = $1 \
                 AND joined_event <= $2 AND (left_event IS NULL OR left_event > $2) \
                 ORDER BY user_id",
            )
            .bind(*conversation.as_uuid())
            .bind(seq)
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id,)| UserId::from_uuid(id))
                .collect())
        }

        pub(crate) async fn due_escalations(
            c: &mut Conn,
            now: Timestamp,
            limit: u32,
        ) -> StoreResult<Vec<Escalation>> {
            let rows: Vec<(uuid::Uuid, uuid::Uuid, i32, i64)> = sqlx::query_as(
                "SELECT message_id, conversation_id, steps_taken, due_at FROM escalations \
                 WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2",
            )
            .bind(now.as_micros())
            .bind(i64::from(limit))
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(message, conversation, steps_taken, due)| Escalation {
                    message_id: message,
                    conversation_id: ConversationId::from_uuid(conversation),
                    steps_taken,
                    due_at: Timestamp::from_micros(due),
                })
                .collect())
        }

        type RoleRow = (uuid::Uuid, String, Option<uuid::Uuid>, i64);

        fn role(row: RoleRow) -> ClinicalRole {
            let (id, name, supervisor, created_at) = row;
            ClinicalRole {
                id: ClinicalRoleId::from_uuid(id),
                name,
                supervisor_id: supervisor.map(UserId::from_uuid),
                created_at: Timestamp::from_micros(created_at),
            }
        }

        pub(crate) async fn clinical_role(
            c: &mut Conn,
            id: ClinicalRoleId,
        ) -> StoreResult<Option<ClinicalRole>> {
            let row: Option<RoleRow> = sqlx::query_as(
                "SELECT id, name, supervisor_id, created_at FROM clinical_roles WHERE id = $1",
            )
            .bind(*id.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.map(role))
        }

        pub(crate) async fn clinical_roles(c: &mut Conn) -> StoreResult<Vec<ClinicalRole>> {
            let rows: Vec<RoleRow> = sqlx::query_as(
                "SELECT id, name, supervisor_id, created_at FROM clinical_roles ORDER BY name",
            )
            .fetch_all(&mut *c)
            .await?;
            Ok(rows.into_iter().map(role).collect())
        }

        /// The shifts of a role that cover `at`.
        pub(crate) async fn shifts_covering(
            c: &mut Conn,
            role: ClinicalRoleId,
            at: Timestamp,
        ) -> StoreResult<Vec<Shift>> {
            let rows: Vec<(uuid::Uuid, uuid::Uuid, i64, i64)> = sqlx::query_as(
                "SELECT id, user_id, starts_at, ends_at FROM role_shifts \
                 WHERE role_id = $1 AND ends_at > $2 AND starts_at <= $2",
            )
            .bind(*role.as_uuid())
            .bind(at.as_micros())
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, user, starts, ends)| Shift {
                    id: ShiftId::from_uuid(id),
                    role_id: role,
                    user_id: UserId::from_uuid(user),
                    starts_at: Timestamp::from_micros(starts),
                    ends_at: Timestamp::from_micros(ends),
                })
                .collect())
        }

        pub(crate) async fn escalation_role(
            c: &mut Conn,
            conversation: ConversationId,
        ) -> StoreResult<Option<ClinicalRoleId>> {
            let row: Option<(uuid::Uuid,)> = sqlx::query_as(
                "SELECT role_id FROM conversation_escalation WHERE conversation_id = $1",
            )
            .bind(*conversation.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.map(|(id,)| ClinicalRoleId::from_uuid(id)))
        }

        /// Every conversation addressed to a clinical role, with the role.
        pub(crate) async fn role_conversations(
            c: &mut Conn,
        ) -> StoreResult<Vec<(ConversationId, ClinicalRoleId)>> {
            let rows: Vec<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                "SELECT c.id, ce.role_id FROM conversations c \
                 JOIN conversation_escalation ce ON ce.conversation_id = c.id \
                 WHERE c.kind = 'role' ORDER BY c.id",
            )
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(c, r)| (ConversationId::from_uuid(c), ClinicalRoleId::from_uuid(r)))
                .collect())
        }
    };
}

pub(crate) use define_clinical_queries;
