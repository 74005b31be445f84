//! Database rows and their conversion into domain types. The same rows serve both backends.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditEvent, AuditTarget, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::{AuditEventId, PatientId, SessionId, UserId};
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope, WrappedKey};
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
    scope_kind: String,
    scope_id: Uuid,
    epoch: i64,
    root_key_id: String,
    wrapped: Vec<u8>,
    created_at: i64,
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
