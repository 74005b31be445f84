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
use ward_core::keys::DataKeyRecord;
use ward_core::patient::PatientRecord;
use ward_core::policy::Policy;
use ward_core::session::{EndReason, Session, SessionScope};
use ward_core::user::{User, UserStatus};

use crate::rows::{ConversationRow, DataKeyRow};
use crate::sql;
use crate::{StoreError, StoreResult, TotpFactor};

pub(crate) type Conn = rusqlite::Connection;

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

crate::writes_shared::shared_writes!();

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
            &u.display_name.as_str(),
            &u.role.as_str(),
            &u.status.as_str(),
            &u.password_hash,
            &u.created_at.as_micros(),
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

pub(crate) async fn delete_totp(c: &mut Conn, user: UserId) -> StoreResult<()> {
    if execute(c, sql::DELETE_TOTP, &[user.as_uuid()])? == 0 {
        return Err(StoreError::NotFound("second factor"));
    }
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

pub(crate) async fn insert_data_key(c: &mut Conn, r: &DataKeyRecord) -> StoreResult<DataKeyRecord> {
    let (kind, id, epoch) = (r.scope.kind(), r.scope.id(), r.epoch.index());
    execute(
        c,
        sql::INSERT_DATA_KEY,
        &[
            &kind,
            &id,
            &epoch,
            &r.wrapped.root_key_id,
            &r.wrapped.ciphertext,
            &r.created_at.as_micros(),
        ],
    )?;
    let row = query_one(c, sql::DATA_KEY, &[&kind, &id, &epoch], |r| {
        Ok(DataKeyRow {
            scope_kind: r.get(0)?,
            scope_id: r.get(1)?,
            epoch: r.get(2)?,
            root_key_id: r.get(3)?,
            wrapped: r.get(4)?,
            created_at: r.get(5)?,
        })
    })?;
    row.ok_or(StoreError::NotFound("data key"))?.try_into()
}

pub(crate) async fn update_wrapped_key(c: &mut Conn, r: &DataKeyRecord) -> StoreResult<()> {
    let args: [&dyn ToSql; 5] = [
        &r.wrapped.root_key_id,
        &r.wrapped.ciphertext,
        &r.scope.kind(),
        &r.scope.id(),
        &r.epoch.index(),
    ];
    if execute(c, sql::UPDATE_WRAPPED_KEY, &args)? == 0 {
        return Err(StoreError::NotFound("data key"));
    }
    Ok(())
}

// ---- events and membership ----------------------------------------------------------------

/// Appends an event at the next position.
pub(crate) async fn append_event(
    c: &mut Conn,
    conversation: ConversationId,
    kind: EventKind,
    message_id: Option<MessageId>,
    user_id: Option<UserId>,
    at: Timestamp,
) -> StoreResult<Event> {
    let args: [&dyn ToSql; 5] = [
        conversation.as_uuid(),
        &kind.as_str(),
        &message_id,
        &user_id.map(|u| *u.as_uuid()),
        &at.as_micros(),
    ];
    let seq = query_one(c, sql::APPEND_EVENT, &args, |r| r.get::<_, i64>(0))?
        .ok_or(StoreError::Corrupt("event log"))?;
    Ok(Event {
        seq,
        conversation_id: conversation,
        kind,
        message_id,
        user_id,
        at,
    })
}

pub(crate) async fn active_members(
    c: &mut Conn,
    conversation: ConversationId,
) -> StoreResult<Vec<UserId>> {
    query(c, sql::ACTIVE_MEMBERS, &[conversation.as_uuid()], |r| {
        r.get::<_, Uuid>(0).map(UserId::from_uuid)
    })
}

async fn is_member(c: &mut Conn, conversation: ConversationId, user: UserId) -> StoreResult<bool> {
    let args: [&dyn ToSql; 2] = [conversation.as_uuid(), user.as_uuid()];
    Ok(query_one(c, sql::IS_MEMBER, &args, |_| Ok(()))?.is_some())
}

async fn insert_membership(
    c: &mut Conn,
    conversation: ConversationId,
    user: UserId,
    joined_event: i64,
    at: Timestamp,
) -> StoreResult<()> {
    let membership: [&dyn ToSql; 3] = [conversation.as_uuid(), user.as_uuid(), &joined_event];
    execute(c, sql::INSERT_MEMBERSHIP, &membership)?;
    let receipt: [&dyn ToSql; 3] = [conversation.as_uuid(), user.as_uuid(), &at.as_micros()];
    execute(c, sql::INSERT_RECEIPT, &receipt)?;
    Ok(())
}

async fn end_membership(
    c: &mut Conn,
    conversation: ConversationId,
    user: UserId,
    left_event: i64,
) -> StoreResult<()> {
    let args: [&dyn ToSql; 3] = [&left_event, conversation.as_uuid(), user.as_uuid()];
    execute(c, sql::END_MEMBERSHIP, &args)?;
    Ok(())
}

// ---- patients and conversations -----------------------------------------------------------

pub(crate) async fn insert_patient(c: &mut Conn, p: &PatientRecord) -> StoreResult<()> {
    execute(
        c,
        sql::INSERT_PATIENT,
        &[
            p.id.as_uuid(),
            &p.mrn_index.as_slice(),
            &p.sealed_demographics,
            &p.user_id.map(|u| *u.as_uuid()),
            &p.created_at.as_micros(),
        ],
    )
    .map_err(|e| unique_as_conflict(e, "a patient with this MRN or account exists"))?;
    Ok(())
}

/// Puts `user` on or off the patient's care team; false if that changed nothing.
pub(crate) async fn set_care_team_member(
    c: &mut Conn,
    patient: PatientId,
    user: UserId,
    on_team: bool,
) -> StoreResult<bool> {
    let statement = if on_team {
        sql::ADD_CARE_TEAM_MEMBER
    } else {
        sql::REMOVE_CARE_TEAM_MEMBER
    };
    Ok(execute(c, statement, &[patient.as_uuid(), user.as_uuid()])? == 1)
}

pub(crate) async fn insert_conversation(c: &mut Conn, v: &Conversation) -> StoreResult<()> {
    execute(
        c,
        sql::INSERT_CONVERSATION,
        &[
            v.id.as_uuid(),
            &v.kind.as_str(),
            &v.sealed_title.as_deref(),
            &v.patient_id.map(|p| *p.as_uuid()),
            &v.direct_key.as_deref(),
            v.created_by.as_uuid(),
            &v.created_at.as_micros(),
        ],
    )
    .map_err(|e| unique_as_conflict(e, "that conversation exists already"))?;
    Ok(())
}

pub(crate) async fn care_team_conversation(
    c: &mut Conn,
    patient: PatientId,
) -> StoreResult<Option<Conversation>> {
    let row = query_one(c, sql::CARE_TEAM_CONVERSATION, &[patient.as_uuid()], |r| {
        Ok(ConversationRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            sealed_title: r.get(2)?,
            patient_id: r.get(3)?,
            direct_key: r.get(4)?,
            created_by: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?;
    row.map(Conversation::try_from).transpose()
}

// ---- messages, receipts and device cursors ------------------------------------------------

/// Takes the conversation's next seq, if `sender` is a member.
pub(crate) async fn next_message_seq(
    c: &mut Conn,
    conversation: ConversationId,
    sender: UserId,
) -> StoreResult<Option<i64>> {
    let args: [&dyn ToSql; 2] = [conversation.as_uuid(), sender.as_uuid()];
    query_one(c, sql::NEXT_MESSAGE_SEQ, &args, |r| r.get::<_, i64>(0))
}

pub(crate) async fn insert_message(c: &mut Conn, m: &Message) -> StoreResult<()> {
    execute(
        c,
        sql::INSERT_MESSAGE,
        &[
            &m.id,
            m.conversation_id.as_uuid(),
            &m.seq,
            m.sender_id.as_uuid(),
            &m.client_id,
            &m.priority.as_str(),
            &m.epoch.index(),
            &m.sealed_body,
            &m.created_at.as_micros(),
            &m.event_seq,
        ],
    )
    .map_err(|e| unique_as_conflict(e, "this client_id was used already"))?;
    Ok(())
}

/// Raises a member's delivered and read marks; false if neither moved.
pub(crate) async fn advance_receipt(
    c: &mut Conn,
    conversation: ConversationId,
    user: UserId,
    delivered: i64,
    read: i64,
    at: Timestamp,
) -> StoreResult<bool> {
    let args: [&dyn ToSql; 5] = [
        &delivered,
        &read,
        &at.as_micros(),
        conversation.as_uuid(),
        user.as_uuid(),
    ];
    Ok(execute(c, sql::ADVANCE_RECEIPT, &args)? == 1)
}

/// For a device that has received the log up to `cursor`: per conversation, the highest
/// message seq in (`from`, `cursor`] that others sent to `user`.
pub(crate) async fn delivered_in_range(
    c: &mut Conn,
    user: UserId,
    from: i64,
    cursor: i64,
) -> StoreResult<Vec<(ConversationId, i64)>> {
    let args: [&dyn ToSql; 3] = [user.as_uuid(), &from, &cursor];
    let rows = query(c, sql::DELIVERED_IN_RANGE, &args, |r| {
        Ok((
            ConversationId::from_uuid(r.get(0)?),
            r.get::<_, Option<i64>>(1)?,
        ))
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, seq)| Some((id, seq?)))
        .collect())
}

pub(crate) async fn device_cursor(c: &mut Conn, session: SessionId) -> StoreResult<i64> {
    let cursor = query_one(c, sql::DEVICE_CURSOR, &[session.as_uuid()], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(cursor.unwrap_or(0))
}

pub(crate) async fn set_device_cursor(
    c: &mut Conn,
    session: SessionId,
    cursor: i64,
    at: Timestamp,
) -> StoreResult<()> {
    let args: [&dyn ToSql; 3] = [session.as_uuid(), &cursor, &at.as_micros()];
    execute(c, sql::SET_DEVICE_CURSOR, &args)?;
    Ok(())
}
