//! Privileged-change requests (separation of duties): recorded pending by one person, decided
//! once by another. An approval makes its change with [`crate::ops::identity`]'s writes.

use ward_core::Timestamp;
use ward_core::id::UserId;
use ward_core::privileged::{
    Change, ChangeId, ChangeKind, ChangeState, PrivilegedChange, ProposedAccount,
};
use ward_core::role::RoleName;
use ward_core::user::{DisplayName, Username};

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

/// Records a pending request. The password is only ever its Argon2id hash.
const INSERT_PRIVILEGED_CHANGE: &str = "INSERT INTO privileged_changes (id, kind, \
     subject_id, username, display_name, role, password_hash, requested_by, requested_at, \
     expires_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')";
/// Decides a request still pending and not expired at `$4`; the hash a request for a new
/// account held is not kept once it is decided.
const DECIDE_PRIVILEGED_CHANGE: &str = "UPDATE privileged_changes SET state = $2, \
     decided_by = $3, decided_at = $4, password_hash = NULL \
     WHERE id = $1 AND state = 'pending' AND expires_at > $4";
const PRIVILEGED_CHANGE: &str = "SELECT id, kind, subject_id, username, display_name, role, \
     password_hash, requested_by, requested_at, expires_at, state, decided_by, decided_at \
     FROM privileged_changes WHERE id = $1";
/// A pending request past its time reads as expired.
const PRIVILEGED_CHANGES: &str = "SELECT id, kind, subject_id, username, display_name, role, \
     password_hash, requested_by, requested_at, expires_at, state, decided_by, decided_at \
     FROM privileged_changes \
     WHERE ($1 IS NULL OR requested_by = $1) AND ($2 IS NULL OR \
     (CASE WHEN state = 'pending' AND expires_at <= $3 THEN 'expired' \
     ELSE state END) = $2) ORDER BY requested_at DESC LIMIT $4";

fn change_row(r: &dyn Row) -> StoreResult<PrivilegedChange> {
    let corrupt = |_| StoreError::Corrupt("privileged change");
    let change = match ChangeKind::parse(&r.get::<String>(1)?).map_err(corrupt)? {
        ChangeKind::ResetTotp => Change::ResetTotp,
        ChangeKind::CreateUser => {
            let (Some(username), Some(display_name), Some(role)) = (
                r.opt::<String>(3)?,
                r.opt::<String>(4)?,
                r.opt::<String>(5)?,
            ) else {
                return Err(StoreError::Corrupt("privileged change"));
            };
            Change::CreateUser(ProposedAccount {
                username: Username::parse(&username).map_err(corrupt)?,
                display_name: DisplayName::parse(&display_name).map_err(corrupt)?,
                role: RoleName::parse(&role).map_err(corrupt)?,
                // Not kept once the request is decided.
                password_hash: r.opt::<String>(6)?.unwrap_or_default(),
            })
        }
    };
    Ok(PrivilegedChange {
        id: r.get(0)?,
        change,
        subject: r.get(2)?,
        requested_by: r.get(7)?,
        requested_at: r.get(8)?,
        expires_at: r.get(9)?,
        state: ChangeState::parse(&r.get::<String>(10)?).map_err(corrupt)?,
        decided_by: r.opt(11)?,
        decided_at: r.opt(12)?,
    })
}

/// Records a pending privileged-change request.
pub(crate) async fn insert_privileged_change<E: Exec>(
    c: &mut E,
    request: &PrivilegedChange,
) -> StoreResult<()> {
    let account = match &request.change {
        Change::CreateUser(account) => Some(account),
        Change::ResetTotp => None,
    };
    let args = [
        request.id.into(),
        request.kind().as_str().into(),
        request.subject.into(),
        account.map(|a| a.username.as_str()).into(),
        account.map(|a| a.display_name.as_str()).into(),
        account.map(|a| a.role.as_str()).into(),
        account.map(|a| a.password_hash.as_str()).into(),
        request.requested_by.into(),
        request.requested_at.into(),
        request.expires_at.into(),
    ];
    c.execute(INSERT_PRIVILEGED_CHANGE, &args).await?;
    Ok(())
}

/// Approves or rejects a request; false if it was decided already or has expired.
pub(crate) async fn decide_privileged_change<E: Exec>(
    c: &mut E,
    id: ChangeId,
    state: ChangeState,
    by: UserId,
    at: Timestamp,
) -> StoreResult<bool> {
    let args = [id.into(), state.as_str().into(), by.into(), at.into()];
    Ok(c.execute(DECIDE_PRIVILEGED_CHANGE, &args).await? == 1)
}

pub(crate) async fn privileged_change<E: Exec>(
    c: &mut E,
    id: ChangeId,
) -> StoreResult<Option<PrivilegedChange>> {
    c.fetch_optional(PRIVILEGED_CHANGE, &[id.into()], change_row)
        .await
}

/// Requests, newest first, optionally of one requester or in one state at `now` (a pending
/// request past its time reads as expired).
pub(crate) async fn privileged_changes<E: Exec>(
    c: &mut E,
    requested_by: Option<UserId>,
    state: Option<ChangeState>,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<PrivilegedChange>> {
    let args = [
        requested_by.into(),
        state.map(ChangeState::as_str).into(),
        now.into(),
        i64::from(limit).into(),
    ];
    c.fetch(PRIVILEGED_CHANGES, &args, change_row).await
}
