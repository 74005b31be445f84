//! The event log and memberships, and the writes other domains share: appending an event,
//! the members who see it, and adding or removing members under one event. Patients and
//! conversations are in [`super::conversations`], messages and receipts in
//! [`super::messages`], device cursors and the sync read in [`super::sync`].

use ward_core::Timestamp;
use ward_core::conversation::{Committed, Event, EventKind, MessageId};
use ward_core::id::{ConversationId, UserId};

pub(crate) use super::conversations::care_team_conversation;
use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

// ---- events and membership ----------------------------------------------------------------

const APPEND_EVENT: &str = "INSERT INTO events (seq, conversation_id, kind, \
     message_id, user_id, at) \
     VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), $1, $2, $3, $4, $5) RETURNING seq";
const MAX_EVENT_SEQ: &str = "SELECT COALESCE(MAX(seq), 0) FROM events";
const ACTIVE_MEMBERS: &str = "SELECT user_id FROM memberships \
     WHERE conversation_id = $1 AND left_event IS NULL ORDER BY user_id";
const IS_MEMBER: &str = "SELECT joined_event FROM memberships \
     WHERE conversation_id = $1 AND user_id = $2 AND left_event IS NULL";
const INSERT_MEMBERSHIP: &str =
    "INSERT INTO memberships (conversation_id, user_id, joined_event) VALUES ($1, $2, $3)";
/// A new member's receipt starts where they start reading: at the conversation's latest
/// message, except in the kinds whose history new members read (see
/// `ConversationKind::new_members_read_history`), where it starts at 0.
const INSERT_RECEIPT: &str = "INSERT INTO receipts (conversation_id, user_id, \
     delivered_seq, read_seq, updated_at) \
     SELECT $1, $2, CASE WHEN kind IN ('care_team', 'patient', 'role') THEN 0 ELSE last_seq END, \
     CASE WHEN kind IN ('care_team', 'patient', 'role') THEN 0 ELSE last_seq END, $3 \
     FROM conversations WHERE id = $1 \
     ON CONFLICT (conversation_id, user_id) DO NOTHING";
const END_MEMBERSHIP: &str = "UPDATE memberships SET left_event = $1 \
     WHERE conversation_id = $2 AND user_id = $3 AND left_event IS NULL";
/// Before the membership began (the last message sent before it), and the escalated message
/// whose escalation brought the member in (its event follows the membership's).
const HISTORY_START: &str = "SELECT (SELECT m.seq FROM messages m \
     WHERE m.conversation_id = ms.conversation_id \
     AND m.event_seq < ms.joined_event ORDER BY m.event_seq DESC LIMIT 1), \
     (SELECT m.seq FROM events e JOIN messages m ON m.id = e.message_id \
     WHERE e.seq = ms.joined_event + 1 AND e.user_id = ms.user_id \
     AND e.kind IN ('escalation.on_call', 'escalation.supervisor')) \
     FROM memberships ms WHERE ms.conversation_id = $1 AND ms.user_id = $2 \
     AND ms.left_event IS NULL";

fn history_row(r: &dyn Row) -> StoreResult<(Option<i64>, Option<i64>)> {
    Ok((r.opt(0)?, r.opt(1)?))
}

/// Appends an event at the next position; the caller holds the ordering lock.
pub(crate) async fn append_event<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    kind: EventKind,
    message_id: Option<MessageId>,
    user_id: Option<UserId>,
    at: Timestamp,
) -> StoreResult<Event> {
    let args = [
        conversation.into(),
        kind.as_str().into(),
        message_id.into(),
        user_id.into(),
        at.into(),
    ];
    let seq = c
        .fetch_optional(APPEND_EVENT, &args, |r| r.get::<i64>(0))
        .await?
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

/// The position of the latest event (0 if there is none).
pub(crate) async fn max_event_seq<E: Exec>(c: &mut E) -> StoreResult<i64> {
    c.count(MAX_EVENT_SEQ, &[]).await
}

/// The conversation's members now, in id order.
pub(crate) async fn active_members<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
) -> StoreResult<Vec<UserId>> {
    c.fetch(ACTIVE_MEMBERS, &[conversation.into()], |r| {
        r.get::<UserId>(0)
    })
    .await
}

/// Appends an event and returns it with the members who see it; the caller holds the
/// ordering lock.
pub(crate) async fn commit_event<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    kind: EventKind,
    message: Option<MessageId>,
    user: Option<UserId>,
    at: Timestamp,
) -> StoreResult<Committed> {
    let event = append_event(c, conversation, kind, message, user, at).await?;
    let recipients = active_members(c, conversation).await?;
    Ok(Committed { event, recipients })
}

pub(crate) async fn is_member<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
) -> StoreResult<bool> {
    let args = [conversation.into(), user.into()];
    Ok(c.fetch_optional(IS_MEMBER, &args, |_| Ok(()))
        .await?
        .is_some())
}

/// See [`crate::ConversationStore::history_start`]. An escalation that brings someone in
/// appends its event right after their membership's, in the same transaction. Both lookups
/// are single index probes.
pub(crate) async fn history_start<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
) -> StoreResult<Option<i64>> {
    let args = [conversation.into(), user.into()];
    let row = c.fetch_optional(HISTORY_START, &args, history_row).await?;
    Ok(row.map(|(before_join, escalated)| {
        let before_join = before_join.unwrap_or(0);
        escalated.map_or(before_join, |seq| before_join.min(seq - 1))
    }))
}

/// Starts a membership at `joined_event`, with the member's receipt.
pub(crate) async fn insert_membership<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
    joined_event: i64,
    at: Timestamp,
) -> StoreResult<()> {
    let membership = [conversation.into(), user.into(), joined_event.into()];
    c.execute(INSERT_MEMBERSHIP, &membership).await?;
    let receipt = [conversation.into(), user.into(), at.into()];
    c.execute(INSERT_RECEIPT, &receipt).await?;
    Ok(())
}

/// Ends a membership at `left_event`.
pub(crate) async fn end_membership<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
    left_event: i64,
) -> StoreResult<()> {
    let args = [left_event.into(), conversation.into(), user.into()];
    c.execute(END_MEMBERSHIP, &args).await?;
    Ok(())
}

/// Adds members (those already in are skipped) under one `conversation.updated` event.
pub(crate) async fn add_members<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    users: &[UserId],
    at: Timestamp,
) -> StoreResult<Option<Committed>> {
    let mut fresh = Vec::new();
    for user in users {
        if !is_member(c, conversation, *user).await? && !fresh.contains(user) {
            fresh.push(*user);
        }
    }
    if fresh.is_empty() {
        return Ok(None);
    }
    let kind = EventKind::ConversationUpdated;
    let event = append_event(c, conversation, kind, None, None, at).await?;
    for user in &fresh {
        insert_membership(c, conversation, *user, event.seq, at).await?;
    }
    let recipients = active_members(c, conversation).await?;
    Ok(Some(Committed { event, recipients }))
}

/// Ends a membership; the removed member receives the removal event and nothing after.
pub(crate) async fn remove_member<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    user: UserId,
    at: Timestamp,
) -> StoreResult<Option<Committed>> {
    if !is_member(c, conversation, user).await? {
        return Ok(None);
    }
    let kind = EventKind::MemberRemoved;
    let event = append_event(c, conversation, kind, None, Some(user), at).await?;
    end_membership(c, conversation, user, event.seq).await?;
    let mut recipients = active_members(c, conversation).await?;
    recipients.push(user);
    Ok(Some(Committed { event, recipients }))
}
