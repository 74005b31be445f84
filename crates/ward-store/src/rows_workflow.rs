//! Rows of message versions, scheduled messages, break-glass grants and alerts.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::conversation::{MessageVersion, Priority};
use ward_core::id::{ConversationId, PatientId, SessionId, UserId};
use ward_core::keys::Epoch;
use ward_core::oversight::{Alert, AlertKind, BreakGlassGrant};
use ward_core::scheduled::{ScheduledMessage, ScheduledState};

use crate::{StoreError, StoreResult};

fn at(micros: Option<i64>) -> Option<Timestamp> {
    micros.map(Timestamp::from_micros)
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MessageVersionRow {
    message_id: Uuid,
    version: i64,
    epoch: i64,
    sealed_body: Vec<u8>,
    replaced_at: i64,
}

impl From<MessageVersionRow> for MessageVersion {
    fn from(r: MessageVersionRow) -> Self {
        Self {
            message_id: r.message_id,
            version: r.version,
            epoch: Epoch::from_index(r.epoch),
            sealed_body: r.sealed_body,
            replaced_at: Timestamp::from_micros(r.replaced_at),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ScheduledRow {
    id: Uuid,
    conversation_id: Uuid,
    sender_id: Uuid,
    session_id: Uuid,
    client_id: Uuid,
    priority: String,
    epoch: i64,
    sealed_body: Vec<u8>,
    attachments: String,
    lifespan_secs: Option<i64>,
    send_at: i64,
    state: String,
    message_id: Option<Uuid>,
    failure: Option<String>,
    created_at: i64,
}

impl TryFrom<ScheduledRow> for ScheduledMessage {
    type Error = StoreError;
    fn try_from(r: ScheduledRow) -> StoreResult<Self> {
        let corrupt = |_| StoreError::Corrupt("scheduled message");
        let attachments = r
            .attachments
            .split(',')
            .filter(|id| !id.is_empty())
            .map(Uuid::parse_str)
            .collect::<Result<_, _>>()
            .map_err(|_| StoreError::Corrupt("scheduled message"))?;
        Ok(Self {
            id: r.id,
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            sender_id: UserId::from_uuid(r.sender_id),
            session_id: SessionId::from_uuid(r.session_id),
            client_id: r.client_id,
            priority: Priority::parse(&r.priority).map_err(corrupt)?,
            epoch: Epoch::from_index(r.epoch),
            sealed_body: r.sealed_body,
            attachments,
            lifespan_secs: r.lifespan_secs,
            send_at: Timestamp::from_micros(r.send_at),
            state: ScheduledState::parse(&r.state).map_err(corrupt)?,
            message_id: r.message_id,
            failure: r.failure,
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct GrantRow {
    id: Uuid,
    patient_id: Uuid,
    user_id: Uuid,
    conversation_id: Uuid,
    epoch: i64,
    sealed_reason: Vec<u8>,
    opened_at: i64,
    ends_at: i64,
    ended_at: Option<i64>,
}

impl From<GrantRow> for BreakGlassGrant {
    fn from(r: GrantRow) -> Self {
        Self {
            id: r.id,
            patient_id: PatientId::from_uuid(r.patient_id),
            user_id: UserId::from_uuid(r.user_id),
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            epoch: Epoch::from_index(r.epoch),
            sealed_reason: r.sealed_reason,
            opened_at: Timestamp::from_micros(r.opened_at),
            ends_at: Timestamp::from_micros(r.ends_at),
            ended_at: at(r.ended_at),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AlertRow {
    id: Uuid,
    kind: String,
    subject_id: Option<Uuid>,
    patient_id: Option<Uuid>,
    audit_seq: i64,
    raised_at: i64,
    acknowledged_by: Option<Uuid>,
    acknowledged_at: Option<i64>,
    evidence: Option<String>,
}

impl TryFrom<AlertRow> for Alert {
    type Error = StoreError;
    fn try_from(r: AlertRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id,
            kind: AlertKind::parse(&r.kind).map_err(|_| StoreError::Corrupt("alert"))?,
            subject_id: r.subject_id.map(UserId::from_uuid),
            patient_id: r.patient_id.map(PatientId::from_uuid),
            audit_seq: r.audit_seq,
            evidence: match r.evidence.as_deref() {
                None | Some("") => vec![r.audit_seq],
                Some(text) => text
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|_| StoreError::Corrupt("alert"))?,
            },
            raised_at: Timestamp::from_micros(r.raised_at),
            acknowledged_by: r.acknowledged_by.map(UserId::from_uuid),
            acknowledged_at: at(r.acknowledged_at),
        })
    }
}
