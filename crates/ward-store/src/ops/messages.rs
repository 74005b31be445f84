//! Messages and receipts: a send takes the conversation's next seq and stores the message;
//! a member's receipt holds how far their devices have received and they have read.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::conversation::{Committed, EventKind, Message, MessageId, Priority, Receipt};
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::Epoch;

use super::messaging::commit_event;
use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

// ---- messages -----------------------------------------------------------------------------

/// Takes the conversation's next seq, if the sender is a member or holds an escalation grant
/// there that is open at `$3` (one statement).
const NEXT_MESSAGE_SEQ: &str = "UPDATE conversations SET last_seq = last_seq + 1 \
     WHERE id = $1 AND (EXISTS (SELECT 1 FROM memberships WHERE conversation_id = $1 \
     AND user_id = $2 AND left_event IS NULL) OR EXISTS (SELECT 1 FROM escalation_grants \
     WHERE conversation_id = $1 AND user_id = $2 AND ended_at IS NULL AND ends_at > $3)) \
     RETURNING last_seq";
const INSERT_MESSAGE: &str = "INSERT INTO messages (id, conversation_id, seq, \
     sender_id, client_id, priority, epoch, sealed_body, created_at, event_seq, \
     sealed_attachments, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
const MESSAGE_BY_CLIENT_ID: &str = "SELECT id, conversation_id, seq, sender_id, client_id, \
     priority, epoch, sealed_body, sealed_attachments, created_at, event_seq, edited_at, \
     recalled_at, expires_at, expired_at FROM messages WHERE sender_id = $1 AND client_id = $2";
const MESSAGE: &str = "SELECT id, conversation_id, seq, sender_id, client_id, priority, \
     epoch, sealed_body, sealed_attachments, created_at, event_seq, edited_at, recalled_at, \
     expires_at, expired_at FROM messages WHERE id = $1";
const MESSAGES: &str = "SELECT id, conversation_id, seq, sender_id, client_id, priority, \
     epoch, sealed_body, sealed_attachments, created_at, event_seq, edited_at, recalled_at, \
     expires_at, expired_at FROM messages WHERE conversation_id = $1 \
     AND seq > $2 ORDER BY seq LIMIT $3";

fn message_row(r: &dyn Row) -> StoreResult<Message> {
    Ok(Message {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        seq: r.get(2)?,
        sender_id: r.get(3)?,
        client_id: r.get(4)?,
        priority: Priority::parse(&r.get::<String>(5)?)
            .map_err(|_| StoreError::Corrupt("message"))?,
        epoch: Epoch::from_index(r.get(6)?),
        sealed_body: r.get(7)?,
        sealed_attachments: r.opt(8)?,
        created_at: r.get(9)?,
        event_seq: r.get(10)?,
        edited_at: r.opt(11)?,
        recalled_at: r.opt(12)?,
        expires_at: r.opt(13)?,
        expired_at: r.opt(14)?,
    })
}

/// Takes the conversation's next seq, if `sender` is a member or holds an escalation grant
/// there open at `at`.
pub(crate) async fn next_message_seq<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    sender: UserId,
    at: Timestamp,
) -> StoreResult<Option<i64>> {
    let args = [conversation.into(), sender.into(), at.into()];
    c.fetch_optional(NEXT_MESSAGE_SEQ, &args, |r| r.get::<i64>(0))
        .await
}

/// Stores a message; Conflict if the sender used its client id before.
pub(crate) async fn insert_message<E: Exec>(c: &mut E, m: &Message) -> StoreResult<()> {
    let args = [
        m.id.into(),
        m.conversation_id.into(),
        m.seq.into(),
        m.sender_id.into(),
        m.client_id.into(),
        m.priority.as_str().into(),
        m.epoch.index().into(),
        (&m.sealed_body).into(),
        m.created_at.into(),
        m.event_seq.into(),
        m.sealed_attachments.as_deref().into(),
        m.expires_at.into(),
    ];
    c.execute(INSERT_MESSAGE, &args)
        .await
        .map_err(|e| e.unique_as("this client_id was used already"))?;
    Ok(())
}

pub(crate) async fn message_by_client_id<E: Exec>(
    c: &mut E,
    sender: UserId,
    client_id: Uuid,
) -> StoreResult<Option<Message>> {
    let args = [sender.into(), client_id.into()];
    c.fetch_optional(MESSAGE_BY_CLIENT_ID, &args, message_row)
        .await
}

pub(crate) async fn message<E: Exec>(c: &mut E, id: MessageId) -> StoreResult<Option<Message>> {
    c.fetch_optional(MESSAGE, &[id.into()], message_row).await
}

/// A conversation's messages after seq `after`, in order, at most `limit`.
pub(crate) async fn messages<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    let args = [conversation.into(), after.into(), i64::from(limit).into()];
    c.fetch(MESSAGES, &args, message_row).await
}

// ---- receipts -----------------------------------------------------------------------------

const ADVANCE_RECEIPT: &str = "UPDATE receipts SET \
     delivered_seq = CASE WHEN delivered_seq < $1 THEN $1 ELSE delivered_seq END, \
     read_seq = CASE WHEN read_seq < $2 THEN $2 ELSE read_seq END, updated_at = $3 \
     WHERE conversation_id = $4 AND user_id = $5 AND (delivered_seq < $1 OR read_seq < $2)";
const RECEIPTS: &str = "SELECT r.conversation_id, r.user_id, r.delivered_seq, r.read_seq, \
     r.updated_at \
     FROM receipts r JOIN memberships m ON m.conversation_id = r.conversation_id \
     AND m.user_id = r.user_id AND m.left_event IS NULL \
     WHERE r.conversation_id = $1 ORDER BY r.user_id";
const RECEIPT: &str = "SELECT conversation_id, user_id, delivered_seq, read_seq, updated_at \
     FROM receipts WHERE conversation_id = $1 AND user_id = $2";

fn receipt_row(r: &dyn Row) -> StoreResult<Receipt> {
    Ok(Receipt {
        conversation_id: r.get(0)?,
        user_id: r.get(1)?,
        delivered_seq: r.get(2)?,
        read_seq: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

/// Raises a member's delivered and read marks; false if neither moved.
pub(crate) async fn advance_receipt<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
    delivered: i64,
    read: i64,
    at: Timestamp,
) -> StoreResult<bool> {
    let args = [
        delivered.into(),
        read.into(),
        at.into(),
        conversation.into(),
        user.into(),
    ];
    Ok(c.execute(ADVANCE_RECEIPT, &args).await? == 1)
}

/// Appends a `receipt.updated` event for a member and names who sees it.
pub(crate) async fn receipt_event<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
    at: Timestamp,
) -> StoreResult<Committed> {
    let kind = EventKind::ReceiptUpdated;
    commit_event(c, conversation, kind, None, Some(user), at).await
}

/// Every current member's position.
pub(crate) async fn receipts<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
) -> StoreResult<Vec<Receipt>> {
    c.fetch(RECEIPTS, &[conversation.into()], receipt_row).await
}

pub(crate) async fn receipt<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
) -> StoreResult<Option<Receipt>> {
    let args = [conversation.into(), user.into()];
    c.fetch_optional(RECEIPT, &args, receipt_row).await
}
