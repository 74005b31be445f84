//! Database rows and their conversion into domain types. The same rows serve both backends.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditEvent, AuditTarget, NewAuditEvent, Outcome, TargetKind};
use ward_core::conversation::{
    Conversation, ConversationKind, Event, EventKind, Message, Priority, Receipt,
};
use ward_core::id::{AuditEventId, ConversationId, PatientId, SessionId, UserId};
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope, WrappedKey};
use ward_core::patient::PatientRecord;
use ward_core::role::{Permission, Role, RoleName};
use ward_core::session::{DeviceName, EndReason, Session, SessionScope};
use ward_core::user::{DisplayName, User, UserStatus, Username};

use crate::{StoreError, StoreResult, TotpFactor};

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    role: String,
    status: String,
    password_hash: String,
    created_at: i64,
    sealed_display_name: Option<Vec<u8>>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<Self> {
        let bad = |_| StoreError::Corrupt("user");
        Ok(User {
            id: UserId::from_uuid(r.id),
            username: Username::parse(&r.username).map_err(bad)?,
            display_name: DisplayName::parse(&r.display_name).map_err(bad)?,
            role: RoleName::parse(&r.role).map_err(bad)?,
            status: UserStatus::parse(&r.status).map_err(bad)?,
            password_hash: r.password_hash,
            created_at: Timestamp::from_micros(r.created_at),
            sealed_display_name: r.sealed_display_name,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RoleRow {
    name: String,
    permissions: String,
    builtin: bool,
}

impl TryFrom<RoleRow> for Role {
    type Error = StoreError;
    fn try_from(r: RoleRow) -> StoreResult<Self> {
        let permissions: Vec<Permission> =
            serde_json::from_str(&r.permissions).map_err(|_| StoreError::Corrupt("role"))?;
        Ok(Role {
            name: RoleName::parse(&r.name).map_err(|_| StoreError::Corrupt("role"))?,
            permissions: permissions.into_iter().collect(),
            builtin: r.builtin,
        })
    }
}

pub(crate) fn permissions_json(role: &Role) -> String {
    serde_json::to_string(&role.permissions).unwrap_or_else(|_| "[]".to_owned())
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TotpRow {
    user_id: Uuid,
    sealed_secret: Vec<u8>,
    confirmed: bool,
    last_used_step: Option<i64>,
    created_at: i64,
}

impl From<TotpRow> for TotpFactor {
    fn from(r: TotpRow) -> Self {
        TotpFactor {
            user_id: UserId::from_uuid(r.user_id),
            sealed_secret: r.sealed_secret,
            confirmed: r.confirmed,
            last_used_step: r.last_used_step,
            created_at: Timestamp::from_micros(r.created_at),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    user_id: Uuid,
    token_hash: Vec<u8>,
    device_name: String,
    scope: String,
    address: Option<String>,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    wipe_requested_at: Option<i64>,
    wipe_confirmed_at: Option<i64>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> StoreResult<Self> {
        let bad = |_| StoreError::Corrupt("session");
        let ended = match (r.ended_at, r.end_reason) {
            (Some(at), Some(reason)) => Some((
                Timestamp::from_micros(at),
                EndReason::parse(&reason).map_err(bad)?,
            )),
            (None, None) => None,
            _ => return Err(StoreError::Corrupt("session")),
        };
        Ok(Session {
            id: SessionId::from_uuid(r.id),
            user_id: UserId::from_uuid(r.user_id),
            token_hash: r
                .token_hash
                .try_into()
                .map_err(|_| StoreError::Corrupt("session"))?,
            device_name: DeviceName::parse(&r.device_name).map_err(bad)?,
            scope: SessionScope::parse(&r.scope).map_err(bad)?,
            address: r.address,
            created_at: Timestamp::from_micros(r.created_at),
            last_seen_at: Timestamp::from_micros(r.last_seen_at),
            expires_at: Timestamp::from_micros(r.expires_at),
            ended,
            wipe_requested_at: r.wipe_requested_at.map(Timestamp::from_micros),
            wipe_confirmed_at: r.wipe_confirmed_at.map(Timestamp::from_micros),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DataKeyRow {
    pub(crate) scope_kind: String,
    pub(crate) scope_id: Uuid,
    pub(crate) epoch: i64,
    pub(crate) root_key_id: String,
    pub(crate) wrapped: Vec<u8>,
    pub(crate) created_at: i64,
}

impl TryFrom<DataKeyRow> for DataKeyRecord {
    type Error = StoreError;
    fn try_from(r: DataKeyRow) -> StoreResult<Self> {
        Ok(DataKeyRecord {
            scope: KeyScope::from_parts(&r.scope_kind, r.scope_id)
                .map_err(|_| StoreError::Corrupt("data key"))?,
            epoch: Epoch::from_index(r.epoch),
            wrapped: WrappedKey {
                root_key_id: r.root_key_id,
                ciphertext: r.wrapped,
            },
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    id: Uuid,
    at: i64,
    actor_id: Option<Uuid>,
    session_id: Option<Uuid>,
    address: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<Uuid>,
    patient_id: Option<Uuid>,
    outcome: String,
    detail: Option<String>,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> StoreResult<Self> {
        let seq = r.seq;
        let bad = |_| StoreError::CorruptAudit { seq };
        let target = match r.target_kind {
            Some(kind) => Some(AuditTarget::new(
                TargetKind::parse(&kind).map_err(bad)?,
                r.target_id,
            )),
            None if r.target_id.is_none() => None,
            None => return Err(StoreError::CorruptAudit { seq }),
        };
        Ok(AuditEvent {
            seq,
            event: NewAuditEvent {
                id: AuditEventId::from_uuid(r.id),
                at: Timestamp::from_micros(r.at),
                actor: r.actor_id.map(UserId::from_uuid),
                session: r.session_id.map(SessionId::from_uuid),
                address: r.address,
                action: AuditAction::parse(&r.action).map_err(bad)?,
                target,
                patient: r.patient_id.map(PatientId::from_uuid),
                outcome: Outcome::parse(&r.outcome).map_err(bad)?,
                detail: r.detail,
            },
            prev_hash: r
                .prev_hash
                .try_into()
                .map_err(|_| StoreError::CorruptAudit { seq })?,
            hash: r
                .hash
                .try_into()
                .map_err(|_| StoreError::CorruptAudit { seq })?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PatientRow {
    id: Uuid,
    mrn_index: Vec<u8>,
    sealed_demographics: Vec<u8>,
    user_id: Option<Uuid>,
    created_at: i64,
}

impl TryFrom<PatientRow> for PatientRecord {
    type Error = StoreError;
    fn try_from(r: PatientRow) -> StoreResult<Self> {
        Ok(PatientRecord {
            id: PatientId::from_uuid(r.id),
            mrn_index: r
                .mrn_index
                .try_into()
                .map_err(|_| StoreError::Corrupt("patient"))?,
            sealed_demographics: r.sealed_demographics,
            user_id: r.user_id.map(UserId::from_uuid),
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ConversationRow {
    pub(crate) id: Uuid,
    pub(crate) kind: String,
    pub(crate) sealed_title: Option<Vec<u8>>,
    pub(crate) patient_id: Option<Uuid>,
    pub(crate) direct_key: Option<String>,
    pub(crate) created_by: Uuid,
    pub(crate) created_at: i64,
    pub(crate) lifespan_secs: Option<i64>,
}

impl TryFrom<ConversationRow> for Conversation {
    type Error = StoreError;
    fn try_from(r: ConversationRow) -> StoreResult<Self> {
        Ok(Conversation {
            id: ConversationId::from_uuid(r.id),
            kind: ConversationKind::parse(&r.kind)
                .map_err(|_| StoreError::Corrupt("conversation"))?,
            sealed_title: r.sealed_title,
            patient_id: r.patient_id.map(PatientId::from_uuid),
            direct_key: r.direct_key,
            created_by: UserId::from_uuid(r.created_by),
            created_at: Timestamp::from_micros(r.created_at),
            lifespan_secs: r.lifespan_secs,
        })
    }
}

/// A conversation with the caller's position in it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ConversationListRow {
    #[sqlx(flatten)]
    conversation: ConversationRow,
    last_seq: i64,
    read_seq: i64,
}

impl TryFrom<ConversationListRow> for crate::ConversationSummary {
    type Error = StoreError;
    fn try_from(r: ConversationListRow) -> StoreResult<Self> {
        Ok(crate::ConversationSummary {
            conversation: r.conversation.try_into()?,
            last_seq: r.last_seq,
            read_seq: r.read_seq,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: Uuid,
    conversation_id: Uuid,
    seq: i64,
    sender_id: Uuid,
    client_id: Uuid,
    priority: String,
    epoch: i64,
    sealed_body: Vec<u8>,
    sealed_attachments: Option<Vec<u8>>,
    created_at: i64,
    event_seq: i64,
    edited_at: Option<i64>,
    recalled_at: Option<i64>,
    expires_at: Option<i64>,
    expired_at: Option<i64>,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> StoreResult<Self> {
        Ok(Message {
            id: r.id,
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            seq: r.seq,
            sender_id: UserId::from_uuid(r.sender_id),
            client_id: r.client_id,
            priority: Priority::parse(&r.priority).map_err(|_| StoreError::Corrupt("message"))?,
            epoch: Epoch::from_index(r.epoch),
            sealed_body: r.sealed_body,
            sealed_attachments: r.sealed_attachments,
            created_at: Timestamp::from_micros(r.created_at),
            event_seq: r.event_seq,
            edited_at: r.edited_at.map(Timestamp::from_micros),
            recalled_at: r.recalled_at.map(Timestamp::from_micros),
            expires_at: r.expires_at.map(Timestamp::from_micros),
            expired_at: r.expired_at.map(Timestamp::from_micros),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ReceiptRow {
    conversation_id: Uuid,
    user_id: Uuid,
    delivered_seq: i64,
    read_seq: i64,
    updated_at: i64,
}

impl From<ReceiptRow> for Receipt {
    fn from(r: ReceiptRow) -> Self {
        Receipt {
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            user_id: UserId::from_uuid(r.user_id),
            delivered_seq: r.delivered_seq,
            read_seq: r.read_seq,
            updated_at: Timestamp::from_micros(r.updated_at),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    conversation_id: Uuid,
    kind: String,
    message_id: Option<Uuid>,
    user_id: Option<Uuid>,
    at: i64,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;
    fn try_from(r: EventRow) -> StoreResult<Self> {
        Ok(Event {
            seq: r.seq,
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            kind: EventKind::parse(&r.kind).map_err(|_| StoreError::Corrupt("event"))?,
            message_id: r.message_id,
            user_id: r.user_id.map(UserId::from_uuid),
            at: Timestamp::from_micros(r.at),
        })
    }
}

/// An event joined with its message, if it has one.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SyncRow {
    #[sqlx(flatten)]
    event: EventRow,
    m_seq: Option<i64>,
    m_sender_id: Option<Uuid>,
    m_client_id: Option<Uuid>,
    m_priority: Option<String>,
    m_epoch: Option<i64>,
    m_sealed_body: Option<Vec<u8>>,
    m_sealed_attachments: Option<Vec<u8>>,
    m_created_at: Option<i64>,
    m_edited_at: Option<i64>,
    m_recalled_at: Option<i64>,
    m_expires_at: Option<i64>,
    m_expired_at: Option<i64>,
}

impl TryFrom<SyncRow> for crate::SyncItem {
    type Error = StoreError;
    fn try_from(r: SyncRow) -> StoreResult<Self> {
        let event = Event::try_from(r.event)?;
        let message = match (event.message_id, r.m_seq, r.m_sender_id, r.m_client_id) {
            (Some(id), Some(seq), Some(sender), Some(client_id)) => Some(Message {
                id,
                conversation_id: event.conversation_id,
                seq,
                sender_id: UserId::from_uuid(sender),
                client_id,
                priority: Priority::parse(r.m_priority.as_deref().unwrap_or_default())
                    .map_err(|_| StoreError::Corrupt("message"))?,
                epoch: Epoch::from_index(r.m_epoch.unwrap_or_default()),
                sealed_body: r.m_sealed_body.unwrap_or_default(),
                sealed_attachments: r.m_sealed_attachments,
                created_at: Timestamp::from_micros(r.m_created_at.unwrap_or_default()),
                event_seq: event.seq,
                edited_at: r.m_edited_at.map(Timestamp::from_micros),
                recalled_at: r.m_recalled_at.map(Timestamp::from_micros),
                expires_at: r.m_expires_at.map(Timestamp::from_micros),
                expired_at: r.m_expired_at.map(Timestamp::from_micros),
            }),
            _ => None,
        };
        Ok(crate::SyncItem {
            event,
            message,
            receipt: None,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AttachmentRow {
    id: Uuid,
    conversation_id: Uuid,
    uploader_id: Uuid,
    epoch: i64,
    media_type: String,
    size: i64,
    chunk_count: i64,
    sealed_name: Option<Vec<u8>>,
    sealed_thumbnail: Option<Vec<u8>>,
    metadata: String,
    message_id: Option<Uuid>,
    created_at: i64,
}

impl TryFrom<AttachmentRow> for ward_core::attachment::Attachment {
    type Error = StoreError;
    fn try_from(r: AttachmentRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id,
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            uploader_id: UserId::from_uuid(r.uploader_id),
            epoch: Epoch::from_index(r.epoch),
            media_type: r.media_type,
            size: u64::try_from(r.size).map_err(|_| StoreError::Corrupt("attachment"))?,
            chunk_count: u32::try_from(r.chunk_count)
                .map_err(|_| StoreError::Corrupt("attachment"))?,
            sealed_name: r.sealed_name,
            sealed_thumbnail: r.sealed_thumbnail,
            metadata: r.metadata,
            message_id: r.message_id,
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}
