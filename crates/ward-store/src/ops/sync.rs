//! What devices sync from: the events a user may see, each with its message or receipt, and
//! each device's position in the log, which moves its user's delivery receipts.

use std::sync::LazyLock;

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::conversation::{Event, EventKind, Message, Priority};
use ward_core::id::{ConversationId, SessionId, UserId};
use ward_core::keys::Epoch;

use super::messages::receipt;
use crate::exec::{Exec, Row};
use crate::{LogItem, StoreError, StoreResult, SyncItem};

// ---- device cursors -----------------------------------------------------------------------

/// Per conversation of a member, the last message in a range of the event log that someone
/// else sent (NULL if none): one bounded index lookup per conversation.
const DELIVERED_IN_RANGE: &str = "SELECT ms.conversation_id, \
     (SELECT m.seq FROM messages m WHERE m.conversation_id = ms.conversation_id \
     AND m.event_seq > $2 AND m.event_seq <= $3 AND m.sender_id <> $1 \
     ORDER BY m.event_seq DESC LIMIT 1) \
     FROM memberships ms WHERE ms.user_id = $1 AND ms.left_event IS NULL";
const DEVICE_CURSOR: &str = "SELECT cursor FROM device_cursors WHERE session_id = $1";
const SET_DEVICE_CURSOR: &str = "INSERT INTO device_cursors (session_id, cursor, \
     updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (session_id) DO UPDATE SET cursor = $2, updated_at = $3";

fn delivered_row(r: &dyn Row) -> StoreResult<(ConversationId, Option<i64>)> {
    Ok((r.get(0)?, r.opt(1)?))
}

/// For a device that has received the log up to `cursor`: per conversation, the highest
/// message seq in (`from`, `cursor`] that others sent to `user`.
pub(crate) async fn delivered_in_range<E: Exec>(
    c: &mut E,
    user: UserId,
    from: i64,
    cursor: i64,
) -> StoreResult<Vec<(ConversationId, i64)>> {
    let args = [user.into(), from.into(), cursor.into()];
    let rows = c.fetch(DELIVERED_IN_RANGE, &args, delivered_row).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, seq)| Some((id, seq?)))
        .collect())
}

/// How far a device has the log (0 if it never said).
pub(crate) async fn device_cursor<E: Exec>(c: &mut E, session: SessionId) -> StoreResult<i64> {
    c.count(DEVICE_CURSOR, &[session.into()]).await
}

pub(crate) async fn set_device_cursor<E: Exec>(
    c: &mut E,
    session: SessionId,
    cursor: i64,
    at: Timestamp,
) -> StoreResult<()> {
    let args = [session.into(), cursor.into(), at.into()];
    c.execute(SET_DEVICE_CURSOR, &args).await?;
    Ok(())
}

// ---- sync ---------------------------------------------------------------------------------

/// An event's columns (0 to 5) and its message's (6 to 17), as [`sync_row`] reads them.
const EVENT_COLUMNS: &str = "e.seq, e.conversation_id, e.kind, e.message_id, e.user_id, e.at, \
     m.seq AS m_seq, m.sender_id AS m_sender_id, m.client_id AS m_client_id, \
     m.priority AS m_priority, m.epoch AS m_epoch, m.sealed_body AS m_sealed_body, \
     m.sealed_attachments AS m_sealed_attachments, m.created_at AS m_created_at, \
     m.edited_at AS m_edited_at, m.recalled_at AS m_recalled_at, \
     m.expires_at AS m_expires_at, m.expired_at AS m_expired_at \
     FROM events e LEFT JOIN messages m ON m.id = e.message_id";
const EVENTS_FOR_FILTER: &str = "WHERE e.seq > $2 AND EXISTS (SELECT 1 FROM memberships ms \
     WHERE ms.conversation_id = e.conversation_id AND ms.user_id = $1 \
     AND ms.joined_event <= e.seq \
     AND (ms.left_event IS NULL OR e.seq <= ms.left_event) \
     AND (m.event_seq IS NULL OR m.event_seq >= ms.joined_event \
     OR (e.kind IN ('escalation.on_call', 'escalation.supervisor') \
     AND e.user_id = ms.user_id) \
     OR EXISTS (SELECT 1 FROM conversations c WHERE c.id = e.conversation_id \
     AND c.kind IN ('care_team', 'patient', 'role')))) \
     ORDER BY e.seq LIMIT $3";

static EVENTS_FOR: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {EVENT_COLUMNS} {EVENTS_FOR_FILTER}"));
static EVENTS_BETWEEN: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {EVENT_COLUMNS} {EVENTS_BETWEEN_FILTER}"));

/// An event (columns 0 to 5) joined with its message, if it has one (6 to 17).
fn sync_row(r: &dyn Row) -> StoreResult<SyncItem> {
    let event = Event {
        seq: r.get(0)?,
        conversation_id: r.get(1)?,
        kind: EventKind::parse(&r.get::<String>(2)?).map_err(|_| StoreError::Corrupt("event"))?,
        message_id: r.opt(3)?,
        user_id: r.opt(4)?,
        at: r.get(5)?,
    };
    let joined = (
        event.message_id,
        r.opt::<i64>(6)?,
        r.opt::<UserId>(7)?,
        r.opt::<Uuid>(8)?,
    );
    let message = match joined {
        (Some(id), Some(seq), Some(sender_id), Some(client_id)) => Some(Message {
            id,
            conversation_id: event.conversation_id,
            seq,
            sender_id,
            client_id,
            priority: Priority::parse(r.opt::<String>(9)?.as_deref().unwrap_or_default())
                .map_err(|_| StoreError::Corrupt("message"))?,
            epoch: Epoch::from_index(r.opt::<i64>(10)?.unwrap_or_default()),
            sealed_body: r.opt::<Vec<u8>>(11)?.unwrap_or_default(),
            sealed_attachments: r.opt(12)?,
            created_at: Timestamp::from_micros(r.opt::<i64>(13)?.unwrap_or_default()),
            event_seq: event.seq,
            edited_at: r.opt(14)?,
            recalled_at: r.opt(15)?,
            expires_at: r.opt(16)?,
            expired_at: r.opt(17)?,
        }),
        _ => None,
    };
    Ok(SyncItem {
        event,
        message,
        receipt: None,
    })
}

/// Events after `after` that `user` may see: those of conversations while they were a member
/// (the event that removed them included, nothing after it), except events about a message
/// sent before that membership began (an edit, an acknowledgement) where new members do not
/// read the history, unless an escalation of it brought them in.
pub(crate) async fn events_for<E: Exec>(
    c: &mut E,
    user: UserId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<SyncItem>> {
    let args = [user.into(), after.into(), i64::from(limit).into()];
    let mut items = c.fetch(&EVENTS_FOR, &args, sync_row).await?;
    with_receipts(c, &mut items).await?;
    Ok(items)
}

/// Fills in the receipt of each `receipt.updated` item: the member's position now.
async fn with_receipts<E: Exec>(c: &mut E, items: &mut [SyncItem]) -> StoreResult<()> {
    for item in items {
        if let (EventKind::ReceiptUpdated, Some(member)) = (item.event.kind, item.event.user_id) {
            item.receipt = receipt(c, item.event.conversation_id, member).await?;
        }
    }
    Ok(())
}

// ---- the log as live delivery reads it ---------------------------------------------------

const EVENTS_BETWEEN_FILTER: &str = "WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq LIMIT $3";
/// Who was a member of each event's conversation at that event (the event that removed a
/// member included): live delivery's recipients.
const MEMBERS_AT_EVENTS: &str = "SELECT e.seq, ms.user_id FROM events e \
     JOIN memberships ms ON ms.conversation_id = e.conversation_id \
     AND ms.joined_event <= e.seq AND (ms.left_event IS NULL OR ms.left_event >= e.seq) \
     WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq, ms.user_id";

/// Up to `limit` events in (`after`, `up_to`], each with the users live delivery sends it to:
/// the conversation's members at that event, and the person an escalation step brought in.
pub(crate) async fn events_between<E: Exec>(
    c: &mut E,
    after: i64,
    up_to: i64,
    limit: u32,
) -> StoreResult<Vec<LogItem>> {
    let args = [after.into(), up_to.into(), i64::from(limit).into()];
    let mut items = c.fetch(&EVENTS_BETWEEN, &args, sync_row).await?;
    with_receipts(c, &mut items).await?;
    let last = items.last().map_or(after, |i| i.event.seq);
    let args = [after.into(), last.into()];
    let members = c
        .fetch(MEMBERS_AT_EVENTS, &args, |r| {
            Ok((r.get::<i64>(0)?, r.get::<UserId>(1)?))
        })
        .await?;
    let mut members = members.into_iter().peekable();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let mut recipients = Vec::new();
        while let Some((_, user)) = members.next_if(|(seq, _)| *seq <= item.event.seq) {
            if !recipients.contains(&user) {
                recipients.push(user);
            }
        }
        if item.event.kind.is_escalation_step()
            && let Some(user) = item.event.user_id
            && !recipients.contains(&user)
        {
            recipients.push(user);
        }
        out.push(LogItem { item, recipients });
    }
    Ok(out)
}
