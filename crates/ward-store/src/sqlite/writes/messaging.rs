//! The messaging half of the SQLite writer: events, memberships, patients, conversations,
//! messages, receipts and device cursors, and the shared multi-statement writes.

use super::*;

crate::writes_shared::shared_writes!();

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
            &v.lifespan_secs,
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
            lifespan_secs: r.get(7)?,
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
            &m.sealed_attachments,
            &m.expires_at.map(Timestamp::as_micros),
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
