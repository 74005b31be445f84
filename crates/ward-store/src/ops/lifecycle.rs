//! What happens to a message after it is sent: edits (the old bodies kept as versions),
//! recalls, expiry at the end of its lifespan, and a conversation's lifespan for new messages.

use ward_core::Timestamp;
use ward_core::audit::{ChainHasher, NewAuditEvent};
use ward_core::conversation::{Committed, EventKind, MessageId, MessageVersion};
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::Epoch;

use crate::StoreResult;
use crate::exec::{Exec, Row};
use crate::ops::{audit, messaging};

const MESSAGE_VERSIONS: &str = "SELECT message_id, version, epoch, sealed_body, replaced_at \
     FROM message_versions WHERE message_id = $1 ORDER BY version";
const EXPIRING_MESSAGES: &str = "SELECT id, conversation_id FROM messages \
     WHERE expires_at IS NOT NULL AND expired_at IS NULL AND expires_at <= $1 \
     ORDER BY expires_at LIMIT $2";
const COUNT_VERSIONS: &str = "SELECT COUNT(*) FROM message_versions WHERE message_id = $1";
/// Keeps a message's current body as a version, if `sender` sent it and it is still readable.
const KEEP_VERSION: &str = "INSERT INTO message_versions (message_id, version, \
     epoch, sealed_body, replaced_at) SELECT id, $2, epoch, sealed_body, $3 FROM messages \
     WHERE id = $1 AND sender_id = $4 AND recalled_at IS NULL AND expired_at IS NULL";
const REPLACE_BODY: &str = "UPDATE messages SET epoch = $2, sealed_body = $3, \
     edited_at = $4 WHERE id = $1";
const RECALL_MESSAGE: &str = "UPDATE messages SET recalled_at = $2 WHERE id = $1 \
     AND sender_id = $3 AND recalled_at IS NULL AND expired_at IS NULL";
const EXPIRE_MESSAGE: &str = "UPDATE messages SET expired_at = $2 WHERE id = $1 \
     AND expired_at IS NULL";
/// A withdrawn message escalates no further.
const WITHDRAW_ESCALATION: &str = "UPDATE escalations SET state = 'withdrawn' \
     WHERE message_id = $1 AND state = 'pending'";
const SET_LIFESPAN: &str = "UPDATE conversations SET lifespan_secs = $2 WHERE id = $1";

fn version_row(r: &dyn Row) -> StoreResult<MessageVersion> {
    Ok(MessageVersion {
        message_id: r.get(0)?,
        version: r.get(1)?,
        epoch: Epoch::from_index(r.get(2)?),
        sealed_body: r.get(3)?,
        replaced_at: r.get(4)?,
    })
}

/// The earlier bodies of an edited message, oldest first.
pub(crate) async fn message_versions<E: Exec>(
    c: &mut E,
    message: MessageId,
) -> StoreResult<Vec<MessageVersion>> {
    c.fetch(MESSAGE_VERSIONS, &[message.into()], version_row)
        .await
}

/// Messages whose lifespan ended by `now` and that devices were not told about yet.
pub(crate) async fn expiring_messages<E: Exec>(
    c: &mut E,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<(MessageId, ConversationId)>> {
    let args = [now.into(), i64::from(limit).into()];
    c.fetch(EXPIRING_MESSAGES, &args, |r| {
        Ok((r.get::<MessageId>(0)?, r.get::<ConversationId>(1)?))
    })
    .await
}

/// Replaces a message's body, keeping the one it had as a version; false unless `sender`
/// sent it and it is neither recalled nor expired.
pub(crate) async fn edit_message<E: Exec>(
    c: &mut E,
    message: MessageId,
    sender: UserId,
    epoch: Epoch,
    sealed_body: &[u8],
    at: Timestamp,
) -> StoreResult<bool> {
    let version = c.count(COUNT_VERSIONS, &[message.into()]).await? + 1;
    let args = [message.into(), version.into(), at.into(), sender.into()];
    if c.execute(KEEP_VERSION, &args).await? != 1 {
        return Ok(false);
    }
    let args = [
        message.into(),
        epoch.index().into(),
        sealed_body.into(),
        at.into(),
    ];
    c.execute(REPLACE_BODY, &args).await?;
    Ok(true)
}

/// Appends the event of a change `user` made to a message at `at`, and its audit event; the
/// event with the members who see it.
pub(crate) async fn message_changed<E: Exec>(
    c: &mut E,
    hasher: &dyn ChainHasher,
    kind: EventKind,
    (conversation, message, user, at): (ConversationId, MessageId, UserId, Timestamp),
    audit: &NewAuditEvent,
) -> StoreResult<Committed> {
    let committed =
        messaging::commit_event(c, conversation, kind, Some(message), Some(user), at).await?;
    audit::append_audit(c, hasher, audit).await?;
    Ok(committed)
}

/// Recalls a message (its escalation stops); false unless `sender` sent it and it is still
/// readable.
pub(crate) async fn recall_message<E: Exec>(
    c: &mut E,
    message: MessageId,
    sender: UserId,
    at: Timestamp,
) -> StoreResult<bool> {
    let args = [message.into(), at.into(), sender.into()];
    if c.execute(RECALL_MESSAGE, &args).await? != 1 {
        return Ok(false);
    }
    c.execute(WITHDRAW_ESCALATION, &[message.into()]).await?;
    Ok(true)
}

/// Marks a message expired (its escalation stops); false if it was already.
pub(crate) async fn expire_message<E: Exec>(
    c: &mut E,
    message: MessageId,
    at: Timestamp,
) -> StoreResult<bool> {
    let args = [message.into(), at.into()];
    if c.execute(EXPIRE_MESSAGE, &args).await? != 1 {
        return Ok(false);
    }
    c.execute(WITHDRAW_ESCALATION, &[message.into()]).await?;
    Ok(true)
}

/// Sets (or clears) how long a conversation's new messages live; false if there is no such
/// conversation.
pub(crate) async fn set_lifespan<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    secs: Option<i64>,
) -> StoreResult<bool> {
    let args = [conversation.into(), secs.into()];
    Ok(c.execute(SET_LIFESPAN, &args).await? == 1)
}
