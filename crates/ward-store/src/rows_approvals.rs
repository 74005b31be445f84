//! Rows of privileged-change requests.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::id::UserId;
use ward_core::privileged::{Change, ChangeKind, ChangeState, PrivilegedChange, ProposedAccount};
use ward_core::role::RoleName;
use ward_core::user::{DisplayName, Username};

use crate::{StoreError, StoreResult};

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ChangeRow {
    id: Uuid,
    kind: String,
    subject_id: Uuid,
    username: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
    password_hash: Option<String>,
    requested_by: Uuid,
    requested_at: i64,
    expires_at: i64,
    state: String,
    decided_by: Option<Uuid>,
    decided_at: Option<i64>,
}

impl TryFrom<ChangeRow> for PrivilegedChange {
    type Error = StoreError;
    fn try_from(r: ChangeRow) -> StoreResult<Self> {
        let corrupt = |_| StoreError::Corrupt("privileged change");
        let change = match ChangeKind::parse(&r.kind).map_err(corrupt)? {
            ChangeKind::ResetTotp => Change::ResetTotp,
            ChangeKind::CreateUser => {
                let (Some(username), Some(display_name), Some(role)) =
                    (r.username, r.display_name, r.role)
                else {
                    return Err(StoreError::Corrupt("privileged change"));
                };
                Change::CreateUser(ProposedAccount {
                    username: Username::parse(&username).map_err(corrupt)?,
                    display_name: DisplayName::parse(&display_name).map_err(corrupt)?,
                    role: RoleName::parse(&role).map_err(corrupt)?,
                    // Not kept once the request is decided.
                    password_hash: r.password_hash.unwrap_or_default(),
                })
            }
        };
        Ok(Self {
            id: r.id,
            change,
            subject: UserId::from_uuid(r.subject_id),
            requested_by: UserId::from_uuid(r.requested_by),
            requested_at: Timestamp::from_micros(r.requested_at),
            expires_at: Timestamp::from_micros(r.expires_at),
            state: ChangeState::parse(&r.state).map_err(corrupt)?,
            decided_by: r.decided_by.map(UserId::from_uuid),
            decided_at: r.decided_at.map(Timestamp::from_micros),
        })
    }
}
