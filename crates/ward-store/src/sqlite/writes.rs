//! The SQLite write path: the statements of [`crate::sql`] on rusqlite, run by the writer
//! thread inside its batch transaction ([`super::writer`]). Each statement is a direct call
//! into SQLite on that thread, with no hop to another thread per statement.
//!
//! The functions are `async` only so that the shared trait implementations can call both
//! backends' writers the same way; none of them ever waits.

use rusqlite::types::ToSql;
use rusqlite::{CachedStatement, Row};
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::conversation::{Committed, Conversation, Event, EventKind, Message, MessageId};
use ward_core::id::{ConversationId, PatientId, SessionId, UserId};
use ward_core::patient::PatientRecord;
use ward_core::policy::Policy;
use ward_core::session::{EndReason, Session, SessionScope};
use ward_core::user::{User, UserStatus};

use crate::rows::ConversationRow;
use crate::sql;
use crate::{StoreError, StoreResult, TotpFactor};

pub(crate) type Conn = rusqlite::Connection;

mod attachments;
mod clinical;
mod messaging;

pub(crate) use attachments::*;
pub(crate) use clinical::*;
pub(crate) use messaging::*;

/// Binds `args` to a statement written with `$N` placeholders, by number.
fn prepare<'c>(
    c: &'c Conn,
    statement: &str,
    args: &[&dyn ToSql],
) -> rusqlite::Result<CachedStatement<'c>> {
    let mut stmt = c.prepare_cached(statement)?;
    for index in 1..=stmt.parameter_count() {
        let name = stmt.parameter_name(index).unwrap_or_default();
        let arg = name
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n.checked_sub(1)?))
            .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_owned()))?;
        stmt.raw_bind_parameter(index, *arg)?;
    }
    Ok(stmt)
}

/// Runs a statement; the number of rows it changed.
fn execute(c: &Conn, statement: &str, args: &[&dyn ToSql]) -> StoreResult<usize> {
    Ok(prepare(c, statement, args)?.raw_execute()?)
}

/// A write that changes nothing, to learn whether the database can commit again.
pub(crate) fn probe_write(c: &mut Conn) -> StoreResult<()> {
    for _ in 0..2 {
        execute(c, crate::write_health::PROBE_FLIP, &[])?;
    }
    Ok(())
}

/// Runs a statement and decodes each row it returns.
fn query<T>(
    c: &Conn,
    statement: &str,
    args: &[&dyn ToSql],
    decode: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = prepare(c, statement, args)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Runs a statement and decodes its first row, if any.
fn query_one<T>(
    c: &Conn,
    statement: &str,
    args: &[&dyn ToSql],
    decode: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Option<T>> {
    let mut stmt = prepare(c, statement, args)?;
    let mut rows = stmt.raw_query();
    Ok(rows.next()?.map(decode).transpose()?)
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
fn unique_as_conflict(e: StoreError, what: &'static str) -> StoreError {
    match &e {
        StoreError::Embedded(inner) if is_unique_violation(inner) => StoreError::Conflict(what),
        _ => e,
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error().map(|f| f.extended_code),
        Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    )
}

/// One writer does everything, so writes are ordered already.
pub(crate) async fn order(_: &mut Conn) -> StoreResult<()> {
    Ok(())
}

// ---- audit --------------------------------------------------------------------------------

/// The last link of the audit chain, if any.
async fn audit_head(c: &mut Conn) -> StoreResult<Option<(i64, Vec<u8>)>> {
    query_one(c, sql::AUDIT_HEAD, &[], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })
}

async fn insert_audit(
    c: &mut Conn,
    seq: i64,
    event: &NewAuditEvent,
    prev_hash: &[u8; 32],
    hash: &[u8; 32],
) -> StoreResult<()> {
    execute(
        c,
        sql::INSERT_AUDIT,
        &[
            &seq,
            event.id.as_uuid(),
            &event.at.as_micros(),
            &event.actor.map(|id| *id.as_uuid()),
            &event.session.map(|id| *id.as_uuid()),
            &event.address.as_deref(),
            &event.action.as_str(),
            &event.target.map(|t| t.kind.as_str()),
            &event.target.and_then(|t| t.id),
            &event.patient.map(|id| *id.as_uuid()),
            &event.outcome.as_str(),
            &event.detail.as_deref(),
            &prev_hash.as_slice(),
            &hash.as_slice(),
        ],
    )?;
    Ok(())
}

// ---- users and second factors -------------------------------------------------------------

pub(crate) async fn insert_user(c: &mut Conn, u: &User) -> StoreResult<()> {
    if query_one(c, sql::ROLE_EXISTS, &[&u.role.as_str()], |_| Ok(()))?.is_none() {
        return Err(StoreError::NotFound("role"));
    }
    execute(
        c,
        sql::INSERT_USER,
        &[
            u.id.as_uuid(),
            &u.username.as_str(),
            &u.stored_display_name(),
            &u.role.as_str(),
            &u.status.as_str(),
            &u.password_hash,
            &u.created_at.as_micros(),
            &u.sealed_display_name.as_deref(),
        ],
    )
    .map_err(|e| unique_as_conflict(e, "username is taken"))?;
    Ok(())
}

pub(crate) async fn set_user_status(
    c: &mut Conn,
    id: UserId,
    status: UserStatus,
    at: Timestamp,
) -> StoreResult<()> {
    if execute(c, sql::SET_USER_STATUS, &[&status.as_str(), id.as_uuid()])? == 0 {
        return Err(StoreError::NotFound("user"));
    }
    if status == UserStatus::Disabled {
        execute(
            c,
            sql::END_USER_SESSIONS,
            &[
                &at.as_micros(),
                &EndReason::UserDisabled.as_str(),
                id.as_uuid(),
            ],
        )?;
    }
    Ok(())
}

pub(crate) async fn put_pending_totp(c: &mut Conn, f: &TotpFactor) -> StoreResult<()> {
    let confirmed = query_one(c, sql::TOTP_CONFIRMED, &[f.user_id.as_uuid()], |r| {
        r.get::<_, bool>(0)
    })?;
    if confirmed == Some(true) {
        return Err(StoreError::Conflict("a second factor is already enrolled"));
    }
    execute(c, sql::DELETE_TOTP, &[f.user_id.as_uuid()])?;
    execute(
        c,
        sql::INSERT_PENDING_TOTP,
        &[
            f.user_id.as_uuid(),
            &f.sealed_secret,
            &false,
            &f.created_at.as_micros(),
        ],
    )?;
    Ok(())
}

pub(crate) async fn confirm_totp(c: &mut Conn, user: UserId, step: i64) -> StoreResult<()> {
    let args: [&dyn ToSql; 4] = [&true, &step, user.as_uuid(), &false];
    if execute(c, sql::CONFIRM_TOTP, &args)? == 0 {
        return Err(StoreError::Conflict(
            "no second factor is waiting for confirmation",
        ));
    }
    Ok(())
}

/// Marks a TOTP step as used; Conflict if it is not later than the last one.
pub(crate) async fn consume_totp_step(c: &mut Conn, user: UserId, step: i64) -> StoreResult<()> {
    if execute(c, sql::CONSUME_TOTP_STEP, &[&step, user.as_uuid(), &true])? == 0 {
        return Err(StoreError::Conflict("this one-time code was used already"));
    }
    Ok(())
}

/// Removes a user's second factor and ends their sessions.
pub(crate) async fn delete_totp(c: &mut Conn, user: UserId, at: Timestamp) -> StoreResult<()> {
    if execute(c, sql::DELETE_TOTP, &[user.as_uuid()])? == 0 {
        return Err(StoreError::NotFound("second factor"));
    }
    let reason = EndReason::FactorReset.as_str();
    execute(
        c,
        sql::END_USER_SESSIONS,
        &[&at.as_micros(), &reason, user.as_uuid()],
    )?;
    Ok(())
}

// ---- sessions and sign-in throttling ------------------------------------------------------

pub(crate) async fn insert_session(c: &mut Conn, s: &Session) -> StoreResult<()> {
    execute(
        c,
        sql::INSERT_SESSION,
        &[
            s.id.as_uuid(),
            s.user_id.as_uuid(),
            &s.token_hash.as_slice(),
            &s.device_name.as_str(),
            &s.scope.as_str(),
            &s.address.as_deref(),
            &s.created_at.as_micros(),
            &s.last_seen_at.as_micros(),
            &s.expires_at.as_micros(),
        ],
    )
    .map_err(|e| unique_as_conflict(e, "session exists"))?;
    Ok(())
}

pub(crate) async fn touch_session(c: &mut Conn, id: SessionId, at: Timestamp) -> StoreResult<()> {
    execute(c, sql::TOUCH_SESSION, &[&at.as_micros(), id.as_uuid()])?;
    Ok(())
}

pub(crate) async fn end_session(
    c: &mut Conn,
    id: SessionId,
    at: Timestamp,
    reason: EndReason,
) -> StoreResult<bool> {
    let args: [&dyn ToSql; 3] = [&at.as_micros(), &reason.as_str(), id.as_uuid()];
    Ok(execute(c, sql::END_SESSION, &args)? == 1)
}

pub(crate) async fn request_wipe(c: &mut Conn, id: SessionId, at: Timestamp) -> StoreResult<bool> {
    Ok(execute(c, sql::REQUEST_WIPE, &[&at.as_micros(), id.as_uuid()])? == 1)
}

pub(crate) async fn confirm_wipe(c: &mut Conn, id: SessionId, at: Timestamp) -> StoreResult<bool> {
    let args: [&dyn ToSql; 3] = [&at.as_micros(), &EndReason::Wiped.as_str(), id.as_uuid()];
    Ok(execute(c, sql::CONFIRM_WIPE, &args)? == 1)
}

pub(crate) async fn set_session_scope(
    c: &mut Conn,
    id: SessionId,
    scope: SessionScope,
) -> StoreResult<()> {
    execute(c, sql::SET_SESSION_SCOPE, &[&scope.as_str(), id.as_uuid()])?;
    Ok(())
}

pub(crate) async fn insert_login_failure(
    c: &mut Conn,
    username: &str,
    address: Option<&str>,
    at: Timestamp,
) -> StoreResult<()> {
    let args: [&dyn ToSql; 3] = [&username, &address, &at.as_micros()];
    execute(c, sql::INSERT_LOGIN_FAILURE, &args)?;
    let horizon = at.minus_secs(sql::FAILURE_RETENTION_SECS).as_micros();
    execute(c, sql::PRUNE_LOGIN_FAILURES, &[&horizon])?;
    Ok(())
}

// ---- policy and data keys -----------------------------------------------------------------

pub(crate) async fn put_policy(c: &mut Conn, p: &Policy, at: Timestamp) -> StoreResult<()> {
    let doc = serde_json::to_string(p).map_err(|_| StoreError::Corrupt("policy"))?;
    execute(c, sql::PUT_POLICY, &[&doc, &at.as_micros()])?;
    Ok(())
}

/// Empties the database's own key table once its keys are in the vault.
pub(crate) fn delete_all_data_keys(c: &mut Conn) -> StoreResult<()> {
    execute(c, "DELETE FROM data_keys", &[])?;
    Ok(())
}

// ---- the writes shared with the PostgreSQL writer ----------------------------------------

impl ToSql for sql::Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Self::Id(v) => v.to_sql(),
            Self::Int(v) => v.to_sql(),
            Self::Text(v) => v.to_sql(),
            Self::Bytes(v) => v.to_sql(),
        }
    }
}

/// Runs a statement with shared-write arguments; the number of rows it changed.
async fn run(c: &mut Conn, statement: &'static str, args: &[sql::Arg]) -> StoreResult<u64> {
    let args: Vec<&dyn ToSql> = args.iter().map(|a| a as &dyn ToSql).collect();
    Ok(execute(c, statement, &args)? as u64)
}

/// The integer a statement selects (0 if it selects no row).
async fn count(c: &mut Conn, statement: &'static str, args: &[sql::Arg]) -> StoreResult<i64> {
    let args: Vec<&dyn ToSql> = args.iter().map(|a| a as &dyn ToSql).collect();
    Ok(query_one(c, statement, &args, |r| r.get::<_, i64>(0))?.unwrap_or(0))
}

fn store_conflict(e: StoreError, what: &'static str) -> StoreError {
    unique_as_conflict(e, what)
}

crate::writes_workflow::workflow_writes!();
crate::writes_compliance::compliance_writes!();
crate::writes_approvals::approval_writes!();
