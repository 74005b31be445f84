//! Push subscriptions and the notifications owed to subscribed users.

use ward_core::Timestamp;
use ward_core::conversation::{Message, Priority};
use ward_core::id::{SessionId, UserId};
use ward_core::notify::{Notification, NotificationState, NotifyPrefs, PushSubscription};

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

const DELETE_OF_SESSION: &str = "DELETE FROM push_subscriptions WHERE session_id = $1";
const INSERT_SUBSCRIPTION: &str = "INSERT INTO push_subscriptions (id, session_id, user_id, \
     sealed, created_at) VALUES ($1, $2, $3, $4, $5)";
const DELETE_SUBSCRIPTION: &str = "DELETE FROM push_subscriptions WHERE id = $1";
const OF_SESSION: &str = "SELECT id, session_id, user_id, sealed, created_at \
     FROM push_subscriptions WHERE session_id = $1";
/// A user's subscriptions whose sessions still live: not ended, not past their lifetime, and
/// used since `$3` (the idle timeout ago).
const LIVE_OF_USER: &str = "SELECT p.id, p.session_id, p.user_id, p.sealed, p.created_at \
     FROM push_subscriptions p JOIN sessions s ON s.id = p.session_id \
     WHERE p.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 \
     AND s.last_seen_at > $3 ORDER BY p.created_at";
/// Subscriptions whose sessions ended, lapsed or idled out (read from the subscriptions, few,
/// each session by its key: never a scan of every session).
const PURGE_DEAD: &str = "DELETE FROM push_subscriptions WHERE EXISTS (SELECT 1 FROM sessions s \
     WHERE s.id = push_subscriptions.session_id \
     AND (s.ended_at IS NOT NULL OR s.expires_at <= $1 OR s.last_seen_at <= $2))";
/// One notification per member (not the sender) with a push subscription, for a message.
const ENQUEUE: &str = "INSERT INTO push_outbox (user_id, event_seq, conversation_id, \
     message_seq, priority, created_at, state, attempts, next_attempt_at) \
     SELECT DISTINCT m.user_id, $1, $2, $3, $4, $5, 'pending', 0, $5 \
     FROM memberships m JOIN push_subscriptions p ON p.user_id = m.user_id \
     WHERE m.conversation_id = $2 AND m.left_event IS NULL AND m.user_id <> $6 \
     AND EXISTS (SELECT 1 FROM push_subscriptions)";
/// Pending notifications due by `$1`: urgent and stat at once, normal ones from `$2` back.
const DUE: &str = "SELECT user_id, event_seq, conversation_id, message_seq, priority, \
     created_at, attempts FROM push_outbox WHERE state = 'pending' AND next_attempt_at <= $1 \
     AND (priority <> 'normal' OR created_at <= $2) ORDER BY next_attempt_at LIMIT $3";
/// Takes a due notification for one attempt: whoever changes the row has it until `$4`.
const CLAIM: &str = "UPDATE push_outbox SET attempts = attempts + 1, next_attempt_at = $4 \
     WHERE user_id = $1 AND event_seq = $2 AND state = 'pending' AND next_attempt_at <= $3";
const FAIL: &str = "UPDATE push_outbox SET state = $3 WHERE user_id = $1 AND event_seq = $2";
const DONE: &str = "DELETE FROM push_outbox WHERE user_id = $1 AND event_seq = $2";
const RETRY: &str = "UPDATE push_outbox SET next_attempt_at = $3 \
     WHERE user_id = $1 AND event_seq = $2 AND state = 'pending'";

fn subscription_row(r: &dyn Row) -> StoreResult<PushSubscription> {
    Ok(PushSubscription {
        id: r.get(0)?,
        session_id: r.get(1)?,
        user_id: r.get(2)?,
        sealed: r.get(3)?,
        created_at: r.get(4)?,
    })
}

fn notification_row(r: &dyn Row) -> StoreResult<Notification> {
    Ok(Notification {
        user_id: r.get(0)?,
        event_seq: r.get(1)?,
        conversation_id: r.get(2)?,
        message_seq: r.get(3)?,
        priority: Priority::parse(&r.get::<String>(4)?)
            .map_err(|_| StoreError::Corrupt("notification"))?,
        created_at: r.get(5)?,
        attempts: r.get(6)?,
    })
}

/// Keeps `s` as its session's subscription, replacing any earlier one.
pub(crate) async fn put_subscription<E: Exec>(c: &mut E, s: &PushSubscription) -> StoreResult<()> {
    c.execute(DELETE_OF_SESSION, &[s.session_id.into()]).await?;
    let args = [
        s.id.into(),
        s.session_id.into(),
        s.user_id.into(),
        (&s.sealed).into(),
        s.created_at.into(),
    ];
    c.execute(INSERT_SUBSCRIPTION, &args).await?;
    Ok(())
}

/// Removes a session's subscription; false if it had none.
pub(crate) async fn delete_subscription_of<E: Exec>(
    c: &mut E,
    session: SessionId,
) -> StoreResult<bool> {
    Ok(c.execute(DELETE_OF_SESSION, &[session.into()]).await? > 0)
}

pub(crate) async fn delete_subscription<E: Exec>(c: &mut E, id: uuid::Uuid) -> StoreResult<bool> {
    Ok(c.execute(DELETE_SUBSCRIPTION, &[id.into()]).await? > 0)
}

pub(crate) async fn subscription_of<E: Exec>(
    c: &mut E,
    session: SessionId,
) -> StoreResult<Option<PushSubscription>> {
    c.fetch_optional(OF_SESSION, &[session.into()], subscription_row)
        .await
}

pub(crate) async fn live_subscriptions<E: Exec>(
    c: &mut E,
    user: UserId,
    now: Timestamp,
    idle_since: Timestamp,
) -> StoreResult<Vec<PushSubscription>> {
    let args = [user.into(), now.into(), idle_since.into()];
    c.fetch(LIVE_OF_USER, &args, subscription_row).await
}

pub(crate) async fn purge_dead_subscriptions<E: Exec>(
    c: &mut E,
    now: Timestamp,
    idle_since: Timestamp,
) -> StoreResult<u64> {
    c.execute(PURGE_DEAD, &[now.into(), idle_since.into()])
        .await
}

/// Owes a notification of `message` to each subscribed member but its sender.
pub(crate) async fn enqueue_for_message<E: Exec>(c: &mut E, m: &Message) -> StoreResult<()> {
    let args = [
        m.event_seq.into(),
        m.conversation_id.into(),
        m.seq.into(),
        m.priority.as_str().into(),
        m.created_at.into(),
        m.sender_id.into(),
    ];
    c.execute(ENQUEUE, &args).await?;
    Ok(())
}

pub(crate) async fn due_notifications<E: Exec>(
    c: &mut E,
    now: Timestamp,
    normal_before: Timestamp,
    limit: u32,
) -> StoreResult<Vec<Notification>> {
    let args = [now.into(), normal_before.into(), i64::from(limit).into()];
    c.fetch(DUE, &args, notification_row).await
}

/// Takes a notification for one attempt until `lease`; false if another node took it.
pub(crate) async fn claim_notification<E: Exec>(
    c: &mut E,
    n: &Notification,
    now: Timestamp,
    lease: Timestamp,
) -> StoreResult<bool> {
    let args = [
        n.user_id.into(),
        n.event_seq.into(),
        now.into(),
        lease.into(),
    ];
    Ok(c.execute(CLAIM, &args).await? == 1)
}

/// Ends a notification: a sent or suppressed one is forgotten (the metrics count it), a failed
/// one is kept for the admin console.
pub(crate) async fn settle_notification<E: Exec>(
    c: &mut E,
    n: &Notification,
    state: NotificationState,
) -> StoreResult<()> {
    match state {
        NotificationState::Failed => {
            let args = [n.user_id.into(), n.event_seq.into(), state.as_str().into()];
            c.execute(FAIL, &args).await?;
        }
        _ => {
            c.execute(DONE, &[n.user_id.into(), n.event_seq.into()])
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn retry_notification<E: Exec>(
    c: &mut E,
    n: &Notification,
    at: Timestamp,
) -> StoreResult<()> {
    let args = [n.user_id.into(), n.event_seq.into(), at.into()];
    c.execute(RETRY, &args).await?;
    Ok(())
}

// ---- preferences --------------------------------------------------------------------------

const PREFS: &str = "SELECT prefs FROM notify_prefs WHERE user_id = $1";
const PUT_PREFS: &str = "INSERT INTO notify_prefs (user_id, prefs) VALUES ($1, $2) \
     ON CONFLICT (user_id) DO UPDATE SET prefs = $2";

/// A user's preferences; the defaults until they set some.
pub(crate) async fn prefs<E: Exec>(c: &mut E, user: UserId) -> StoreResult<NotifyPrefs> {
    match c
        .fetch_optional(PREFS, &[user.into()], |r| r.get::<String>(0))
        .await?
    {
        Some(doc) => serde_json::from_str(&doc).map_err(|_| StoreError::Corrupt("notify prefs")),
        None => Ok(NotifyPrefs::default()),
    }
}

pub(crate) async fn put_prefs<E: Exec>(
    c: &mut E,
    user: UserId,
    prefs: &NotifyPrefs,
) -> StoreResult<()> {
    let doc = serde_json::to_string(prefs).map_err(|_| StoreError::Corrupt("notify prefs"))?;
    c.execute(PUT_PREFS, &[user.into(), doc.as_str().into()])
        .await?;
    Ok(())
}

/// One notification to `user` (if subscribed) for an escalation step of a message, keyed by
/// the step's event.
const ENQUEUE_ONE: &str = "INSERT INTO push_outbox (user_id, event_seq, conversation_id, \
     message_seq, priority, created_at, state, attempts, next_attempt_at) \
     SELECT $1, $2, $3, $4, $5, $6, 'pending', 0, $6 \
     WHERE EXISTS (SELECT 1 FROM push_subscriptions WHERE user_id = $1) \
     ON CONFLICT (user_id, event_seq) DO NOTHING";

/// Owes a notification of an escalation step (event `event_seq`) of `m` to each of `users`
/// but its sender who has a push subscription.
pub(crate) async fn enqueue_for_escalation<E: Exec>(
    c: &mut E,
    m: &Message,
    event_seq: i64,
    users: &[UserId],
    at: Timestamp,
) -> StoreResult<()> {
    for user in users.iter().filter(|u| **u != m.sender_id) {
        let args = [
            (*user).into(),
            event_seq.into(),
            m.conversation_id.into(),
            m.seq.into(),
            m.priority.as_str().into(),
            at.into(),
        ];
        c.execute(ENQUEUE_ONE, &args).await?;
    }
    Ok(())
}
