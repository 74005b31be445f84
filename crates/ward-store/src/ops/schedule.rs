//! Messages scheduled for later: kept until their time, claimed by a scheduler, and finished
//! as sent or failed (or cancelled by their sender before).

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::conversation::{MessageId, Priority};
use ward_core::id::UserId;
use ward_core::keys::Epoch;
use ward_core::scheduled::{CLAIM_TIMEOUT_SECS, ScheduledId, ScheduledMessage, ScheduledState};

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

const SCHEDULED: &str = "SELECT id, conversation_id, sender_id, session_id, client_id, \
     priority, epoch, sealed_body, attachments, lifespan_secs, send_at, state, message_id, \
     failure, created_at FROM scheduled_messages WHERE id = $1";
const SCHEDULED_BY_CLIENT_ID: &str = "SELECT id, conversation_id, sender_id, session_id, \
     client_id, priority, epoch, sealed_body, attachments, lifespan_secs, send_at, state, \
     message_id, failure, created_at FROM scheduled_messages WHERE client_id = $1";
const PENDING_SCHEDULED: &str = "SELECT id, conversation_id, sender_id, session_id, \
     client_id, priority, epoch, sealed_body, attachments, lifespan_secs, send_at, state, \
     message_id, failure, created_at FROM scheduled_messages \
     WHERE sender_id = $1 AND state IN ('pending', 'sending') ORDER BY send_at";
const DUE_SCHEDULED: &str = "SELECT id, conversation_id, sender_id, session_id, client_id, \
     priority, epoch, sealed_body, attachments, lifespan_secs, send_at, state, message_id, \
     failure, created_at FROM scheduled_messages \
     WHERE (state = 'pending' AND send_at <= $1) \
     OR (state = 'sending' AND send_at <= $3) ORDER BY send_at LIMIT $2";
const INSERT_SCHEDULED: &str = "INSERT INTO scheduled_messages (id, \
     conversation_id, sender_id, session_id, client_id, priority, epoch, sealed_body, \
     attachments, lifespan_secs, send_at, state, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12)";
const CANCEL_SCHEDULED: &str = "UPDATE scheduled_messages SET state = 'cancelled' \
     WHERE id = $1 AND sender_id = $2 AND state = 'pending'";
/// A scheduler takes a due message (or one whose earlier claim timed out).
const CLAIM_SCHEDULED: &str = "UPDATE scheduled_messages SET state = 'sending' \
     WHERE id = $1 AND state IN ('pending', 'sending')";
const FINISH_SCHEDULED: &str = "UPDATE scheduled_messages SET state = $2, \
     message_id = $3, failure = $4 WHERE id = $1 AND state = 'sending'";

/// A row of the SELECTs above; the attachments are stored as a comma-separated list of ids.
fn scheduled_row(r: &dyn Row) -> StoreResult<ScheduledMessage> {
    let corrupt = |_| StoreError::Corrupt("scheduled message");
    let attachments = r
        .get::<String>(8)?
        .split(',')
        .filter(|id| !id.is_empty())
        .map(Uuid::parse_str)
        .collect::<Result<_, _>>()
        .map_err(|_| StoreError::Corrupt("scheduled message"))?;
    Ok(ScheduledMessage {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        sender_id: r.get(2)?,
        session_id: r.get(3)?,
        client_id: r.get(4)?,
        priority: Priority::parse(&r.get::<String>(5)?).map_err(corrupt)?,
        epoch: Epoch::from_index(r.get(6)?),
        sealed_body: r.get(7)?,
        attachments,
        lifespan_secs: r.opt(9)?,
        send_at: r.get(10)?,
        state: ScheduledState::parse(&r.get::<String>(11)?).map_err(corrupt)?,
        message_id: r.opt(12)?,
        failure: r.opt(13)?,
        created_at: r.get(14)?,
    })
}

pub(crate) async fn scheduled<E: Exec>(
    c: &mut E,
    id: ScheduledId,
) -> StoreResult<Option<ScheduledMessage>> {
    c.fetch_optional(SCHEDULED, &[id.into()], scheduled_row)
        .await
}

pub(crate) async fn scheduled_by_client_id<E: Exec>(
    c: &mut E,
    client_id: Uuid,
) -> StoreResult<Option<ScheduledMessage>> {
    c.fetch_optional(SCHEDULED_BY_CLIENT_ID, &[client_id.into()], scheduled_row)
        .await
}

/// A sender's scheduled messages still pending, soonest first.
pub(crate) async fn pending_scheduled_of<E: Exec>(
    c: &mut E,
    sender: UserId,
) -> StoreResult<Vec<ScheduledMessage>> {
    c.fetch(PENDING_SCHEDULED, &[sender.into()], scheduled_row)
        .await
}

/// Pending messages due by `now`, and claimed ones whose claim timed out.
pub(crate) async fn due_scheduled<E: Exec>(
    c: &mut E,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<ScheduledMessage>> {
    let stale = now.minus_secs(CLAIM_TIMEOUT_SECS);
    let args = [now.into(), i64::from(limit).into(), stale.into()];
    c.fetch(DUE_SCHEDULED, &args, scheduled_row).await
}

/// Keeps a message for later; Conflict if its client id was used for another scheduled
/// message.
pub(crate) async fn insert_scheduled<E: Exec>(c: &mut E, s: &ScheduledMessage) -> StoreResult<()> {
    let attachments = s
        .attachments
        .iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let args = [
        s.id.into(),
        s.conversation_id.into(),
        s.sender_id.into(),
        s.session_id.into(),
        s.client_id.into(),
        s.priority.as_str().into(),
        s.epoch.index().into(),
        s.sealed_body.as_slice().into(),
        attachments.as_str().into(),
        s.lifespan_secs.into(),
        s.send_at.into(),
        s.created_at.into(),
    ];
    c.execute(INSERT_SCHEDULED, &args)
        .await
        .map_err(|e| e.unique_as("this client_id was used already"))?;
    Ok(())
}

/// Cancels a pending scheduled message of `sender`'s; false if there is none.
pub(crate) async fn cancel_scheduled<E: Exec>(
    c: &mut E,
    scheduled: ScheduledId,
    sender: UserId,
) -> StoreResult<bool> {
    let args = [scheduled.into(), sender.into()];
    Ok(c.execute(CANCEL_SCHEDULED, &args).await? == 1)
}

/// Claims a due scheduled message for sending; false if it was cancelled or finished.
pub(crate) async fn claim_scheduled<E: Exec>(
    c: &mut E,
    scheduled: ScheduledId,
) -> StoreResult<bool> {
    Ok(c.execute(CLAIM_SCHEDULED, &[scheduled.into()]).await? == 1)
}

/// Records what became of a claimed scheduled message; false if it was not being sent
/// (finished by another node).
pub(crate) async fn finish_scheduled<E: Exec>(
    c: &mut E,
    scheduled: ScheduledId,
    state: ScheduledState,
    message: Option<MessageId>,
    failure: Option<&str>,
) -> StoreResult<bool> {
    let args = [
        scheduled.into(),
        state.as_str().into(),
        message.into(),
        failure.into(),
    ];
    Ok(c.execute(FINISH_SCHEDULED, &args).await? == 1)
}
