//! Accounts and how they sign in: roles, users, second factors, device sessions, sign-in
//! throttling, and the policy document.

use ward_core::Timestamp;
use ward_core::id::{SessionId, UserId};
use ward_core::policy::Policy;
use ward_core::role::{Permission, Role, RoleName};
use ward_core::session::{DeviceName, EndReason, Session, SessionScope};
use ward_core::user::{DisplayName, SEALED_DISPLAY_NAME, User, UserStatus, Username};

use crate::exec::{Exec, Row};
use crate::{FailureCounts, StoreError, StoreResult, TotpFactor};

// ---- roles --------------------------------------------------------------------------------

const SEED_ROLE: &str = "INSERT INTO roles (name, permissions, builtin) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO NOTHING";
/// Creates or changes a custom role; a built-in role's row is left alone (no row changes).
const PUT_ROLE: &str = "INSERT INTO roles (name, permissions, builtin) \
     VALUES ($1, $2, FALSE) ON CONFLICT (name) DO UPDATE SET permissions = excluded.permissions \
     WHERE NOT roles.builtin";
const ROLE: &str = "SELECT name, permissions, builtin FROM roles WHERE name = $1";
const ROLES: &str = "SELECT name, permissions, builtin FROM roles ORDER BY name";
const ROLE_EXISTS: &str = "SELECT 1 FROM roles WHERE name = $1";

fn permissions_json(role: &Role) -> String {
    serde_json::to_string(&role.permissions).unwrap_or_else(|_| "[]".to_owned())
}

fn role_row(r: &dyn Row) -> StoreResult<Role> {
    let corrupt = |_| StoreError::Corrupt("role");
    let permissions: Vec<Permission> =
        serde_json::from_str(&r.get::<String>(1)?).map_err(|_| StoreError::Corrupt("role"))?;
    Ok(Role {
        name: RoleName::parse(&r.get::<String>(0)?).map_err(corrupt)?,
        permissions: permissions.into_iter().collect(),
        builtin: r.get(2)?,
    })
}

/// Adds a built-in role if it is missing (at start).
pub(crate) async fn seed_role<E: Exec>(c: &mut E, role: &Role) -> StoreResult<()> {
    let json = permissions_json(role);
    let args = [
        role.name.as_str().into(),
        json.as_str().into(),
        role.builtin.into(),
    ];
    c.execute(SEED_ROLE, &args).await?;
    Ok(())
}

/// Creates or changes a custom role; false (nothing written) if the name is a built-in
/// role's.
pub(crate) async fn put_role<E: Exec>(c: &mut E, role: &Role) -> StoreResult<bool> {
    let json = permissions_json(role);
    let args = [role.name.as_str().into(), json.as_str().into()];
    Ok(c.execute(PUT_ROLE, &args).await? == 1)
}

pub(crate) async fn role<E: Exec>(c: &mut E, name: &RoleName) -> StoreResult<Option<Role>> {
    c.fetch_optional(ROLE, &[name.as_str().into()], role_row)
        .await
}

pub(crate) async fn list_roles<E: Exec>(c: &mut E) -> StoreResult<Vec<Role>> {
    c.fetch(ROLES, &[], role_row).await
}

// ---- users --------------------------------------------------------------------------------

const INSERT_USER: &str = "INSERT INTO users (id, username, display_name, role, status, \
     password_hash, created_at, sealed_display_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const USER_BY_ID: &str = "SELECT id, username, display_name, role, status, password_hash, \
     created_at, sealed_display_name FROM users WHERE id = $1";
const USER_BY_NAME: &str = "SELECT id, username, display_name, role, status, password_hash, \
     created_at, sealed_display_name FROM users WHERE username = $1";
const USERS: &str = "SELECT id, username, display_name, role, status, password_hash, \
     created_at, sealed_display_name FROM users ORDER BY username";
/// Seals a name stored plain: the placeholder in the plain column, the sealed name beside it.
const SEAL_DISPLAY_NAME: &str = "UPDATE users SET display_name = $1, sealed_display_name = $2 \
     WHERE id = $3 AND sealed_display_name IS NULL";
const SET_USER_STATUS: &str = "UPDATE users SET status = $1 WHERE id = $2";
const END_USER_SESSIONS: &str = "UPDATE sessions SET ended_at = $1, end_reason = $2 \
     WHERE user_id = $3 AND ended_at IS NULL";

fn user_row(r: &dyn Row) -> StoreResult<User> {
    let corrupt = |_| StoreError::Corrupt("user");
    Ok(User {
        id: r.get(0)?,
        username: Username::parse(&r.get::<String>(1)?).map_err(corrupt)?,
        display_name: DisplayName::parse(&r.get::<String>(2)?).map_err(corrupt)?,
        role: RoleName::parse(&r.get::<String>(3)?).map_err(corrupt)?,
        status: UserStatus::parse(&r.get::<String>(4)?).map_err(corrupt)?,
        password_hash: r.get(5)?,
        created_at: r.get(6)?,
        sealed_display_name: r.opt(7)?,
    })
}

pub(crate) async fn insert_user<E: Exec>(c: &mut E, u: &User) -> StoreResult<()> {
    if c.count(ROLE_EXISTS, &[u.role.as_str().into()]).await? == 0 {
        return Err(StoreError::NotFound("role"));
    }
    let args = [
        u.id.into(),
        u.username.as_str().into(),
        u.stored_display_name().into(),
        u.role.as_str().into(),
        u.status.as_str().into(),
        u.password_hash.as_str().into(),
        u.created_at.into(),
        u.sealed_display_name.as_ref().into(),
    ];
    c.execute(INSERT_USER, &args)
        .await
        .map_err(|e| e.unique_as("username is taken"))?;
    Ok(())
}

pub(crate) async fn user_by_id<E: Exec>(c: &mut E, id: UserId) -> StoreResult<Option<User>> {
    c.fetch_optional(USER_BY_ID, &[id.into()], user_row).await
}

pub(crate) async fn user_by_username<E: Exec>(
    c: &mut E,
    name: &Username,
) -> StoreResult<Option<User>> {
    c.fetch_optional(USER_BY_NAME, &[name.as_str().into()], user_row)
        .await
}

pub(crate) async fn list_users<E: Exec>(c: &mut E) -> StoreResult<Vec<User>> {
    c.fetch(USERS, &[], user_row).await
}

/// Seals a display name stored plain (by an earlier version): the plain column keeps only
/// the placeholder. False (nothing written) if the account's name is sealed already, or
/// there is no such account.
pub(crate) async fn seal_display_name<E: Exec>(
    c: &mut E,
    user: UserId,
    sealed: &[u8],
) -> StoreResult<bool> {
    let args = [SEALED_DISPLAY_NAME.into(), sealed.into(), user.into()];
    Ok(c.execute(SEAL_DISPLAY_NAME, &args).await? == 1)
}

/// Changes an account's status; disabling it ends its sessions.
pub(crate) async fn set_user_status<E: Exec>(
    c: &mut E,
    id: UserId,
    status: UserStatus,
    at: Timestamp,
) -> StoreResult<()> {
    let args = [status.as_str().into(), id.into()];
    if c.execute(SET_USER_STATUS, &args).await? == 0 {
        return Err(StoreError::NotFound("user"));
    }
    if status == UserStatus::Disabled {
        let reason = EndReason::UserDisabled.as_str();
        let args = [at.into(), reason.into(), id.into()];
        c.execute(END_USER_SESSIONS, &args).await?;
    }
    Ok(())
}

// ---- second factors -----------------------------------------------------------------------

const TOTP: &str = "SELECT user_id, sealed_secret, confirmed, last_used_step, created_at \
     FROM totp_factors WHERE user_id = $1";
const DELETE_TOTP: &str = "DELETE FROM totp_factors WHERE user_id = $1";
const INSERT_PENDING_TOTP: &str = "INSERT INTO totp_factors (user_id, sealed_secret, \
     confirmed, last_used_step, created_at) VALUES ($1, $2, $3, NULL, $4)";
const CONFIRM_TOTP: &str = "UPDATE totp_factors SET confirmed = $1, last_used_step = $2 \
     WHERE user_id = $3 AND confirmed = $4";
const CONSUME_TOTP_STEP: &str = "UPDATE totp_factors SET last_used_step = $1 \
     WHERE user_id = $2 AND confirmed = $3 AND (last_used_step IS NULL OR last_used_step < $1)";

fn totp_row(r: &dyn Row) -> StoreResult<TotpFactor> {
    Ok(TotpFactor {
        user_id: r.get(0)?,
        sealed_secret: r.get(1)?,
        confirmed: r.get(2)?,
        last_used_step: r.opt(3)?,
        created_at: r.get(4)?,
    })
}

pub(crate) async fn totp_factor<E: Exec>(
    c: &mut E,
    user: UserId,
) -> StoreResult<Option<TotpFactor>> {
    c.fetch_optional(TOTP, &[user.into()], totp_row).await
}

/// Starts an enrollment, replacing one not yet confirmed; Conflict if one is confirmed.
pub(crate) async fn put_pending_totp<E: Exec>(c: &mut E, f: &TotpFactor) -> StoreResult<()> {
    let existing = totp_factor(c, f.user_id).await?;
    if existing.is_some_and(|factor| factor.confirmed) {
        return Err(StoreError::Conflict("a second factor is already enrolled"));
    }
    c.execute(DELETE_TOTP, &[f.user_id.into()]).await?;
    let args = [
        f.user_id.into(),
        f.sealed_secret.as_slice().into(),
        false.into(),
        f.created_at.into(),
    ];
    c.execute(INSERT_PENDING_TOTP, &args).await?;
    Ok(())
}

pub(crate) async fn confirm_totp<E: Exec>(c: &mut E, user: UserId, step: i64) -> StoreResult<()> {
    let args = [true.into(), step.into(), user.into(), false.into()];
    if c.execute(CONFIRM_TOTP, &args).await? == 0 {
        return Err(StoreError::Conflict(
            "no second factor is waiting for confirmation",
        ));
    }
    Ok(())
}

/// Marks a TOTP step as used; Conflict if it is not later than the last one.
pub(crate) async fn consume_totp_step<E: Exec>(
    c: &mut E,
    user: UserId,
    step: i64,
) -> StoreResult<()> {
    let args = [step.into(), user.into(), true.into()];
    if c.execute(CONSUME_TOTP_STEP, &args).await? == 0 {
        return Err(StoreError::Conflict("this one-time code was used already"));
    }
    Ok(())
}

/// Removes a user's second factor and ends their sessions.
pub(crate) async fn delete_totp<E: Exec>(
    c: &mut E,
    user: UserId,
    at: Timestamp,
) -> StoreResult<()> {
    if c.execute(DELETE_TOTP, &[user.into()]).await? == 0 {
        return Err(StoreError::NotFound("second factor"));
    }
    let reason = EndReason::FactorReset.as_str();
    let args = [at.into(), reason.into(), user.into()];
    c.execute(END_USER_SESSIONS, &args).await?;
    Ok(())
}

// ---- sessions -----------------------------------------------------------------------------

const INSERT_SESSION: &str = "INSERT INTO sessions (id, user_id, token_hash, device_name, \
     scope, address, created_at, last_seen_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const SESSION_BY_TOKEN: &str = "SELECT id, user_id, token_hash, device_name, scope, address, \
     created_at, last_seen_at, expires_at, ended_at, end_reason, wipe_requested_at, \
     wipe_confirmed_at FROM sessions WHERE token_hash = $1";
const SESSION_BY_ID: &str = "SELECT id, user_id, token_hash, device_name, scope, address, \
     created_at, last_seen_at, expires_at, ended_at, end_reason, wipe_requested_at, \
     wipe_confirmed_at FROM sessions WHERE id = $1";
const OPEN_SESSIONS: &str = "SELECT id, user_id, token_hash, device_name, scope, address, \
     created_at, last_seen_at, expires_at, ended_at, end_reason, wipe_requested_at, \
     wipe_confirmed_at FROM sessions WHERE user_id = $1 AND ended_at IS NULL \
     ORDER BY created_at DESC";
const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 \
     AND last_seen_at < $1 AND ended_at IS NULL";
const END_SESSION: &str = "UPDATE sessions SET ended_at = $1, end_reason = $2 \
     WHERE id = $3 AND ended_at IS NULL";
const REQUEST_WIPE: &str = "UPDATE sessions SET wipe_requested_at = $1 WHERE id = $2 \
     AND ended_at IS NULL AND wipe_requested_at IS NULL";
const CONFIRM_WIPE: &str = "UPDATE sessions SET wipe_confirmed_at = $1, ended_at = $1, \
     end_reason = $2 WHERE id = $3 AND ended_at IS NULL AND wipe_requested_at IS NOT NULL";
const SET_SESSION_SCOPE: &str = "UPDATE sessions SET scope = $1 WHERE id = $2";

fn session_row(r: &dyn Row) -> StoreResult<Session> {
    let corrupt = |_| StoreError::Corrupt("session");
    let ended = match (r.opt::<Timestamp>(9)?, r.opt::<String>(10)?) {
        (Some(at), Some(reason)) => Some((at, EndReason::parse(&reason).map_err(corrupt)?)),
        (None, None) => None,
        _ => return Err(StoreError::Corrupt("session")),
    };
    Ok(Session {
        id: r.get(0)?,
        user_id: r.get(1)?,
        token_hash: r
            .get::<Vec<u8>>(2)?
            .try_into()
            .map_err(|_| StoreError::Corrupt("session"))?,
        device_name: DeviceName::parse(&r.get::<String>(3)?).map_err(corrupt)?,
        scope: SessionScope::parse(&r.get::<String>(4)?).map_err(corrupt)?,
        address: r.opt(5)?,
        created_at: r.get(6)?,
        last_seen_at: r.get(7)?,
        expires_at: r.get(8)?,
        ended,
        wipe_requested_at: r.opt(11)?,
        wipe_confirmed_at: r.opt(12)?,
    })
}

pub(crate) async fn insert_session<E: Exec>(c: &mut E, s: &Session) -> StoreResult<()> {
    let args = [
        s.id.into(),
        s.user_id.into(),
        (&s.token_hash).into(),
        s.device_name.as_str().into(),
        s.scope.as_str().into(),
        s.address.as_deref().into(),
        s.created_at.into(),
        s.last_seen_at.into(),
        s.expires_at.into(),
    ];
    c.execute(INSERT_SESSION, &args)
        .await
        .map_err(|e| e.unique_as("session exists"))?;
    Ok(())
}

pub(crate) async fn session_by_token<E: Exec>(
    c: &mut E,
    hash: &[u8; 32],
) -> StoreResult<Option<Session>> {
    c.fetch_optional(SESSION_BY_TOKEN, &[hash.into()], session_row)
        .await
}

pub(crate) async fn session_by_id<E: Exec>(
    c: &mut E,
    id: SessionId,
) -> StoreResult<Option<Session>> {
    c.fetch_optional(SESSION_BY_ID, &[id.into()], session_row)
        .await
}

/// A user's open sessions, newest first.
pub(crate) async fn list_sessions<E: Exec>(c: &mut E, user: UserId) -> StoreResult<Vec<Session>> {
    c.fetch(OPEN_SESSIONS, &[user.into()], session_row).await
}

pub(crate) async fn touch_session<E: Exec>(
    c: &mut E,
    id: SessionId,
    at: Timestamp,
) -> StoreResult<()> {
    c.execute(TOUCH_SESSION, &[at.into(), id.into()]).await?;
    Ok(())
}

/// Ends an open session; false if it had ended already.
pub(crate) async fn end_session<E: Exec>(
    c: &mut E,
    id: SessionId,
    at: Timestamp,
    reason: EndReason,
) -> StoreResult<bool> {
    let args = [at.into(), reason.as_str().into(), id.into()];
    Ok(c.execute(END_SESSION, &args).await? == 1)
}

/// Orders an open session's device to wipe itself; false if it was ordered already.
pub(crate) async fn request_wipe<E: Exec>(
    c: &mut E,
    id: SessionId,
    at: Timestamp,
) -> StoreResult<bool> {
    Ok(c.execute(REQUEST_WIPE, &[at.into(), id.into()]).await? == 1)
}

/// Records the device's confirmation and ends the session; false unless a wipe was ordered.
pub(crate) async fn confirm_wipe<E: Exec>(
    c: &mut E,
    id: SessionId,
    at: Timestamp,
) -> StoreResult<bool> {
    let args = [at.into(), EndReason::Wiped.as_str().into(), id.into()];
    Ok(c.execute(CONFIRM_WIPE, &args).await? == 1)
}

pub(crate) async fn set_session_scope<E: Exec>(
    c: &mut E,
    id: SessionId,
    scope: SessionScope,
) -> StoreResult<()> {
    let args = [scope.as_str().into(), id.into()];
    c.execute(SET_SESSION_SCOPE, &args).await?;
    Ok(())
}

// ---- sign-in throttling -------------------------------------------------------------------

const INSERT_LOGIN_FAILURE: &str =
    "INSERT INTO login_failures (username, address, at) VALUES ($1, $2, $3)";
const PRUNE_LOGIN_FAILURES: &str = "DELETE FROM login_failures WHERE at < $1";
/// Failures older than this are pruned; no policy window may be longer.
const FAILURE_RETENTION_SECS: i64 = 7 * 24 * 3600;
const FAILURES_FOR_ACCOUNT: &str =
    "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2";
const FAILURES_FROM_ADDRESS: &str =
    "SELECT COUNT(*) FROM login_failures WHERE address = $1 AND at >= $2";
const SIGNED_IN_FROM: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM sessions \
     WHERE user_id = $1 AND address = $2 AND created_at >= $3 LIMIT 1) AS recent";

/// Records a failed sign-in and prunes those older than any policy window.
pub(crate) async fn insert_login_failure<E: Exec>(
    c: &mut E,
    username: &str,
    address: Option<&str>,
    at: Timestamp,
) -> StoreResult<()> {
    let args = [username.into(), address.into(), at.into()];
    c.execute(INSERT_LOGIN_FAILURE, &args).await?;
    let horizon = at.minus_secs(FAILURE_RETENTION_SECS);
    c.execute(PRUNE_LOGIN_FAILURES, &[horizon.into()]).await?;
    Ok(())
}

/// Failed sign-ins since `since`, for the account and from the address.
pub(crate) async fn login_failures<E: Exec>(
    c: &mut E,
    username: &str,
    address: Option<&str>,
    since: Timestamp,
) -> StoreResult<FailureCounts> {
    let account = c
        .count(FAILURES_FOR_ACCOUNT, &[username.into(), since.into()])
        .await?;
    let by_address = match address {
        Some(address) => {
            c.count(FAILURES_FROM_ADDRESS, &[address.into(), since.into()])
                .await?
        }
        None => 0,
    };
    Ok(FailureCounts {
        account: u32::try_from(account).unwrap_or(u32::MAX),
        address: u32::try_from(by_address).unwrap_or(u32::MAX),
    })
}

/// Whether the user opened a session from `address` since `since`.
pub(crate) async fn signed_in_from<E: Exec>(
    c: &mut E,
    user: UserId,
    address: &str,
    since: Timestamp,
) -> StoreResult<bool> {
    let args = [user.into(), address.into(), since.into()];
    Ok(c.count(SIGNED_IN_FROM, &args).await? > 0)
}

// ---- policy -------------------------------------------------------------------------------

const POLICY: &str = "SELECT document FROM policy WHERE id = 1";
const PUT_POLICY: &str = "INSERT INTO policy (id, document, updated_at) VALUES (1, $1, $2) \
     ON CONFLICT (id) DO UPDATE SET document = $1, updated_at = $2";

/// The policy document; the defaults until one is set.
pub(crate) async fn policy<E: Exec>(c: &mut E) -> StoreResult<Policy> {
    match c
        .fetch_optional(POLICY, &[], |r| r.get::<String>(0))
        .await?
    {
        Some(doc) => serde_json::from_str(&doc).map_err(|_| StoreError::Corrupt("policy")),
        None => Ok(Policy::default()),
    }
}

pub(crate) async fn put_policy<E: Exec>(c: &mut E, p: &Policy, at: Timestamp) -> StoreResult<()> {
    let doc = serde_json::to_string(p).map_err(|_| StoreError::Corrupt("policy"))?;
    c.execute(PUT_POLICY, &[doc.as_str().into(), at.into()])
        .await?;
    Ok(())
}

/// Whether the database answers.
pub(crate) async fn ping<E: Exec>(c: &mut E) -> StoreResult<()> {
    c.count("SELECT CAST(1 AS BIGINT)", &[]).await.map(drop)
}
