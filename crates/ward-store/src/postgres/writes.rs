//! The PostgreSQL write path: the statements of [`crate::sql`] on sqlx, run inside the
//! transaction of [`super::PgStore::write`]. Audit appends and event appends are ordered by
//! a transaction-scoped advisory lock, so the chain and the event log stay linear across nodes.

use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::conversation::{Committed, Conversation, Event, EventKind, Message, MessageId};
use ward_core::id::{ConversationId, PatientId, SessionId, UserId};
use ward_core::keys::DataKeyRecord;
use ward_core::patient::PatientRecord;
use ward_core::policy::Policy;
use ward_core::session::{EndReason, Session, SessionScope};
use ward_core::user::{User, UserStatus};

use crate::error::unique_as_conflict;
use crate::sql;
use crate::{StoreError, StoreResult, TotpFactor};

use super::messaging_queries::is_member;
pub(crate) use super::messaging_queries::{active_members, care_team_conversation};
use super::queries::data_key;

pub(crate) type Conn = sqlx::PgConnection;

mod attachments;
mod clinical;
mod messaging;

pub(crate) use attachments::*;
pub(crate) use clinical::*;
pub(crate) use messaging::*;

/// Orders the writers that append to the audit chain or the event log.
const ORDER_LOCK: &str = "SELECT pg_advisory_xact_lock(7418001)";

/// Orders this transaction's event appends after every earlier writer's.
pub(crate) async fn order(c: &mut Conn) -> StoreResult<()> {
    sqlx::query(ORDER_LOCK).execute(&mut *c).await?;
    Ok(())
}

// ---- audit --------------------------------------------------------------------------------

/// The last link of the audit chain, if any; the caller holds the ordering lock.
async fn audit_head(c: &mut Conn) -> StoreResult<Option<(i64, Vec<u8>)>> {
    order(c).await?;
    Ok(sqlx::query_as(sql::AUDIT_HEAD)
        .fetch_optional(&mut *c)
        .await?)
}

async fn insert_audit(
    c: &mut Conn,
    seq: i64,
    event: &NewAuditEvent,
    prev_hash: &[u8; 32],
    hash: &[u8; 32],
) -> StoreResult<()> {
    sqlx::query(sql::INSERT_AUDIT)
        .bind(seq)
        .bind(*event.id.as_uuid())
        .bind(event.at.as_micros())
        .bind(event.actor.map(|id| *id.as_uuid()))
        .bind(event.session.map(|id| *id.as_uuid()))
        .bind(event.address.as_deref())
        .bind(event.action.as_str())
        .bind(event.target.map(|t| t.kind.as_str()))
        .bind(event.target.and_then(|t| t.id))
        .bind(event.patient.map(|id| *id.as_uuid()))
        .bind(event.outcome.as_str())
        .bind(event.detail.as_deref())
        .bind(prev_hash.to_vec())
        .bind(hash.to_vec())
        .execute(&mut *c)
        .await?;
    Ok(())
}

// ---- users and second factors -------------------------------------------------------------

pub(crate) async fn insert_user(c: &mut Conn, u: &User) -> StoreResult<()> {
    let role: Option<(i32,)> = sqlx::query_as(sql::ROLE_EXISTS)
        .bind(u.role.as_str())
        .fetch_optional(&mut *c)
        .await?;
    if role.is_none() {
        return Err(StoreError::NotFound("role"));
    }
    sqlx::query(sql::INSERT_USER)
        .bind(*u.id.as_uuid())
        .bind(u.username.as_str())
        .bind(u.stored_display_name())
        .bind(u.role.as_str())
        .bind(u.status.as_str())
        .bind(&u.password_hash)
        .bind(u.created_at.as_micros())
        .bind(u.sealed_display_name.as_deref())
        .execute(&mut *c)
        .await
        .map_err(|e| unique_as_conflict(e, "username is taken"))?;
    Ok(())
}

pub(crate) async fn set_user_status(
    c: &mut Conn,
    id: UserId,
    status: UserStatus,
    at: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query(sql::SET_USER_STATUS)
        .bind(status.as_str())
        .bind(*id.as_uuid())
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    if status == UserStatus::Disabled {
        sqlx::query(sql::END_USER_SESSIONS)
            .bind(at.as_micros())
            .bind(EndReason::UserDisabled.as_str())
            .bind(*id.as_uuid())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

pub(crate) async fn put_pending_totp(c: &mut Conn, f: &TotpFactor) -> StoreResult<()> {
    let confirmed: Option<(bool,)> = sqlx::query_as(sql::TOTP_CONFIRMED)
        .bind(*f.user_id.as_uuid())
        .fetch_optional(&mut *c)
        .await?;
    if confirmed.is_some_and(|(confirmed,)| confirmed) {
        return Err(StoreError::Conflict("a second factor is already enrolled"));
    }
    sqlx::query(sql::DELETE_TOTP)
        .bind(*f.user_id.as_uuid())
        .execute(&mut *c)
        .await?;
    sqlx::query(sql::INSERT_PENDING_TOTP)
        .bind(*f.user_id.as_uuid())
        .bind(&f.sealed_secret)
        .bind(false)
        .bind(f.created_at.as_micros())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub(crate) async fn confirm_totp(c: &mut Conn, user: UserId, step: i64) -> StoreResult<()> {
    let done = sqlx::query(sql::CONFIRM_TOTP)
        .bind(true)
        .bind(step)
        .bind(*user.as_uuid())
        .bind(false)
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(
            "no second factor is waiting for confirmation",
        ));
    }
    Ok(())
}

/// Marks a TOTP step as used; Conflict if it is not later than the last one.
pub(crate) async fn consume_totp_step(c: &mut Conn, user: UserId, step: i64) -> StoreResult<()> {
    let done = sqlx::query(sql::CONSUME_TOTP_STEP)
        .bind(step)
        .bind(*user.as_uuid())
        .bind(true)
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("this one-time code was used already"));
    }
    Ok(())
}

/// Removes a user's second factor and ends their sessions.
pub(crate) async fn delete_totp(c: &mut Conn, user: UserId, at: Timestamp) -> StoreResult<()> {
    let done = sqlx::query(sql::DELETE_TOTP)
        .bind(*user.as_uuid())
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("second factor"));
    }
    sqlx::query(sql::END_USER_SESSIONS)
        .bind(at.as_micros())
        .bind(EndReason::FactorReset.as_str())
        .bind(*user.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(())
}

// ---- sessions and sign-in throttling ------------------------------------------------------

pub(crate) async fn insert_session(c: &mut Conn, s: &Session) -> StoreResult<()> {
    sqlx::query(sql::INSERT_SESSION)
        .bind(*s.id.as_uuid())
        .bind(*s.user_id.as_uuid())
        .bind(s.token_hash.to_vec())
        .bind(s.device_name.as_str())
        .bind(s.scope.as_str())
        .bind(s.address.as_deref())
        .bind(s.created_at.as_micros())
        .bind(s.last_seen_at.as_micros())
        .bind(s.expires_at.as_micros())
        .execute(&mut *c)
        .await
        .map_err(|e| unique_as_conflict(e, "session exists"))?;
    Ok(())
}

pub(crate) async fn touch_session(c: &mut Conn, id: SessionId, at: Timestamp) -> StoreResult<()> {
    sqlx::query(sql::TOUCH_SESSION)
        .bind(at.as_micros())
        .bind(*id.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub(crate) async fn end_session(
    c: &mut Conn,
    id: SessionId,
    at: Timestamp,
    reason: EndReason,
) -> StoreResult<bool> {
    let done = sqlx::query(sql::END_SESSION)
        .bind(at.as_micros())
        .bind(reason.as_str())
        .bind(*id.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn request_wipe(c: &mut Conn, id: SessionId, at: Timestamp) -> StoreResult<bool> {
    let done = sqlx::query(sql::REQUEST_WIPE)
        .bind(at.as_micros())
        .bind(*id.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn confirm_wipe(c: &mut Conn, id: SessionId, at: Timestamp) -> StoreResult<bool> {
    let done = sqlx::query(sql::CONFIRM_WIPE)
        .bind(at.as_micros())
        .bind(EndReason::Wiped.as_str())
        .bind(*id.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn set_session_scope(
    c: &mut Conn,
    id: SessionId,
    scope: SessionScope,
) -> StoreResult<()> {
    sqlx::query(sql::SET_SESSION_SCOPE)
        .bind(scope.as_str())
        .bind(*id.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub(crate) async fn insert_login_failure(
    c: &mut Conn,
    username: &str,
    address: Option<&str>,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query(sql::INSERT_LOGIN_FAILURE)
        .bind(username)
        .bind(address)
        .bind(at.as_micros())
        .execute(&mut *c)
        .await?;
    sqlx::query(sql::PRUNE_LOGIN_FAILURES)
        .bind(at.minus_secs(sql::FAILURE_RETENTION_SECS).as_micros())
        .execute(&mut *c)
        .await?;
    Ok(())
}

// ---- policy and data keys -----------------------------------------------------------------

pub(crate) async fn put_policy(c: &mut Conn, p: &Policy, at: Timestamp) -> StoreResult<()> {
    let doc = serde_json::to_string(p).map_err(|_| StoreError::Corrupt("policy"))?;
    sqlx::query(sql::PUT_POLICY)
        .bind(doc)
        .bind(at.as_micros())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub(crate) async fn insert_data_key(c: &mut Conn, r: &DataKeyRecord) -> StoreResult<DataKeyRecord> {
    sqlx::query(sql::INSERT_DATA_KEY)
        .bind(r.scope.kind())
        .bind(r.scope.id())
        .bind(r.epoch.index())
        .bind(&r.wrapped.root_key_id)
        .bind(&r.wrapped.ciphertext)
        .bind(r.created_at.as_micros())
        .execute(&mut *c)
        .await?;
    data_key(c, r.scope, r.epoch)
        .await?
        .ok_or(StoreError::NotFound("data key"))
}

pub(crate) async fn update_wrapped_key(c: &mut Conn, r: &DataKeyRecord) -> StoreResult<()> {
    let done = sqlx::query(sql::UPDATE_WRAPPED_KEY)
        .bind(&r.wrapped.root_key_id)
        .bind(&r.wrapped.ciphertext)
        .bind(r.scope.kind())
        .bind(r.scope.id())
        .bind(r.epoch.index())
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("data key"));
    }
    Ok(())
}

// ---- the writes shared with the SQLite writer --------------------------------------------

fn bind_args<'q>(
    statement: &'static str,
    args: &'q [sql::Arg],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let mut query = sqlx::query(statement);
    for arg in args {
        query = match arg {
            sql::Arg::Id(v) => query.bind(*v),
            sql::Arg::Int(v) => query.bind(*v),
            sql::Arg::Text(v) => query.bind(v.as_deref()),
            sql::Arg::Bytes(v) => query.bind(v.as_deref()),
        };
    }
    query
}

/// Runs a statement with shared-write arguments; the number of rows it changed.
async fn run(c: &mut Conn, statement: &'static str, args: &[sql::Arg]) -> StoreResult<u64> {
    Ok(bind_args(statement, args)
        .execute(&mut *c)
        .await?
        .rows_affected())
}

/// The integer a statement selects (0 if it selects no row).
async fn count(c: &mut Conn, statement: &'static str, args: &[sql::Arg]) -> StoreResult<i64> {
    use sqlx::Row;
    match bind_args(statement, args).fetch_optional(&mut *c).await? {
        Some(row) => Ok(row.try_get::<i64, _>(0)?),
        None => Ok(0),
    }
}

fn store_conflict(e: StoreError, what: &'static str) -> StoreError {
    match e {
        StoreError::Database(inner) => match std::sync::Arc::try_unwrap(inner) {
            Ok(inner) => unique_as_conflict(inner, what),
            Err(shared) => StoreError::Database(shared),
        },
        other => other,
    }
}

crate::writes_workflow::workflow_writes!();
crate::writes_compliance::compliance_writes!();
crate::writes_approvals::approval_writes!();

/// Deletes a data key (retention) from the key vault's table; nothing if there is none.
pub(crate) async fn delete_data_key(
    c: &mut Conn,
    scope: ward_core::keys::KeyScope,
    epoch: ward_core::keys::Epoch,
) -> StoreResult<()> {
    let args = [
        crate::sql::Arg::Text(Some(scope.kind().to_owned())),
        crate::sql::Arg::Id(Some(scope.id())),
        crate::sql::Arg::Int(Some(epoch.index())),
    ];
    run(c, sql::DELETE_DATA_KEY, &args).await?;
    Ok(())
}
