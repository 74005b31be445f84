//! The messaging half of the PostgreSQL writer: events, memberships, patients, conversations,
//! messages, receipts and device cursors, and the shared multi-statement writes.

use super::*;

crate::writes_shared::shared_writes!();

// ---- events and membership ----------------------------------------------------------------

/// Appends an event at the next position; the caller holds the ordering lock.
pub(crate) async fn append_event(
    c: &mut Conn,
    conversation: ConversationId,
    kind: EventKind,
    message_id: Option<MessageId>,
    user_id: Option<UserId>,
    at: Timestamp,
) -> StoreResult<Event> {
    let (seq,): (i64,) = sqlx::query_as(sql::APPEND_EVENT)
        .bind(*conversation.as_uuid())
        .bind(kind.as_str())
        .bind(message_id)
        .bind(user_id.map(|u| *u.as_uuid()))
        .bind(at.as_micros())
        .fetch_one(&mut *c)
        .await?;
    Ok(Event {
        seq,
        conversation_id: conversation,
        kind,
        message_id,
        user_id,
        at,
    })
}

async fn insert_membership(
    c: &mut Conn,
    conversation: ConversationId,
    user: UserId,
    joined_event: i64,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query(sql::INSERT_MEMBERSHIP)
        .bind(*conversation.as_uuid())
        .bind(*user.as_uuid())
        .bind(joined_event)
        .execute(&mut *c)
        .await?;
    sqlx::query(sql::INSERT_RECEIPT)
        .bind(*conversation.as_uuid())
        .bind(*user.as_uuid())
        .bind(at.as_micros())
        .execute(&mut *c)
        .await?;
    Ok(())
}

async fn end_membership(
    c: &mut Conn,
    conversation: ConversationId,
    user: UserId,
    left_event: i64,
) -> StoreResult<()> {
    sqlx::query(sql::END_MEMBERSHIP)
        .bind(left_event)
        .bind(*conversation.as_uuid())
        .bind(*user.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(())
}

// ---- patients and conversations -----------------------------------------------------------

pub(crate) async fn insert_patient(c: &mut Conn, p: &PatientRecord) -> StoreResult<()> {
    sqlx::query(sql::INSERT_PATIENT)
        .bind(*p.id.as_uuid())
        .bind(p.mrn_index.to_vec())
        .bind(&p.sealed_demographics)
        .bind(p.user_id.map(|u| *u.as_uuid()))
        .bind(p.created_at.as_micros())
        .execute(&mut *c)
        .await
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
    let done = sqlx::query(statement)
        .bind(*patient.as_uuid())
        .bind(*user.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn insert_conversation(c: &mut Conn, v: &Conversation) -> StoreResult<()> {
    sqlx::query(sql::INSERT_CONVERSATION)
        .bind(*v.id.as_uuid())
        .bind(v.kind.as_str())
        .bind(v.sealed_title.as_deref())
        .bind(v.patient_id.map(|p| *p.as_uuid()))
        .bind(v.direct_key.as_deref())
        .bind(*v.created_by.as_uuid())
        .bind(v.created_at.as_micros())
        .bind(v.lifespan_secs)
        .execute(&mut *c)
        .await
        .map_err(|e| unique_as_conflict(e, "that conversation exists already"))?;
    Ok(())
}

// ---- messages, receipts and device cursors ------------------------------------------------

/// Takes the conversation's next seq, if `sender` is a member.
pub(crate) async fn next_message_seq(
    c: &mut Conn,
    conversation: ConversationId,
    sender: UserId,
) -> StoreResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(sql::NEXT_MESSAGE_SEQ)
        .bind(*conversation.as_uuid())
        .bind(*sender.as_uuid())
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(|(seq,)| seq))
}

pub(crate) async fn insert_message(c: &mut Conn, m: &Message) -> StoreResult<()> {
    sqlx::query(sql::INSERT_MESSAGE)
        .bind(m.id)
        .bind(*m.conversation_id.as_uuid())
        .bind(m.seq)
        .bind(*m.sender_id.as_uuid())
        .bind(m.client_id)
        .bind(m.priority.as_str())
        .bind(m.epoch.index())
        .bind(&m.sealed_body)
        .bind(m.created_at.as_micros())
        .bind(m.event_seq)
        .bind(&m.sealed_attachments)
        .bind(m.expires_at.map(Timestamp::as_micros))
        .execute(&mut *c)
        .await
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
    let done = sqlx::query(sql::ADVANCE_RECEIPT)
        .bind(delivered)
        .bind(read)
        .bind(at.as_micros())
        .bind(*conversation.as_uuid())
        .bind(*user.as_uuid())
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// For a device that has received the log up to `cursor`: per conversation, the highest
/// message seq in (`from`, `cursor`] that others sent to `user`.
pub(crate) async fn delivered_in_range(
    c: &mut Conn,
    user: UserId,
    from: i64,
    cursor: i64,
) -> StoreResult<Vec<(ConversationId, i64)>> {
    let rows: Vec<(uuid::Uuid, Option<i64>)> = sqlx::query_as(sql::DELIVERED_IN_RANGE)
        .bind(*user.as_uuid())
        .bind(from)
        .bind(cursor)
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, seq)| Some((ConversationId::from_uuid(id), seq?)))
        .collect())
}

pub(crate) async fn device_cursor(c: &mut Conn, session: SessionId) -> StoreResult<i64> {
    let row: Option<(i64,)> = sqlx::query_as(sql::DEVICE_CURSOR)
        .bind(*session.as_uuid())
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map_or(0, |(cursor,)| cursor))
}

pub(crate) async fn set_device_cursor(
    c: &mut Conn,
    session: SessionId,
    cursor: i64,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query(sql::SET_DEVICE_CURSOR)
        .bind(*session.as_uuid())
        .bind(cursor)
        .bind(at.as_micros())
        .execute(&mut *c)
        .await?;
    Ok(())
}
