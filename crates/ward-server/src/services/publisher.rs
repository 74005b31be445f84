//! What every node must learn of: committed events (as ready frames), frames outside the log,
//! devices to close and caches to drop. Each goes to this node's hub and caches, and, in a
//! cluster, over the bus to the other nodes, which apply it with [`Publisher::apply`].

use std::sync::Arc;

use uuid::Uuid;
use ward_core::conversation::{Committed, Conversation, EventKind};
use ward_core::id::{ConversationId, SessionId, UserId};
use ward_core::session::{EndReason, Session};
use ward_core::user::User;

use super::ttl_cache::TtlCache;
use super::{CACHE_TTL, PolicyCache, RoleCache};
use crate::cluster::{Bus, Cache, Notice};
use crate::realtime::{CloseReason, Hub};
use crate::wire::frames::{self, Payload};

/// Conversations by (conversation, member), for sends only: the writer checks membership
/// again in the send's transaction, so a stale entry can never let a non-member send.
pub(crate) type SenderCache = TtlCache<(ConversationId, UserId), Conversation>;

/// Sessions and their users by token hash: every request needs them.
pub(crate) type SessionCache = TtlCache<[u8; 32], (Session, User)>;

/// The close reason that travels as `wipe` on the bus.
const WIPE: &str = "wipe";

/// This node's caches of what lives in the database.
#[derive(Debug, Clone)]
pub(crate) struct Caches {
    pub(crate) sessions: Arc<SessionCache>,
    pub(crate) senders: Arc<SenderCache>,
    pub(crate) policy: PolicyCache,
    pub(crate) roles: RoleCache,
}

impl Caches {
    pub(crate) fn new(policy: PolicyCache, roles: RoleCache) -> Self {
        Self {
            sessions: Arc::new(TtlCache::new(CACHE_TTL)),
            senders: Arc::new(TtlCache::new(CACHE_TTL)),
            policy,
            roles,
        }
    }

    fn drop_cached(&self, cache: Cache) {
        match cache {
            Cache::Sessions => self.sessions.invalidate(),
            Cache::Senders => self.senders.invalidate(),
            Cache::Policy => self.policy.invalidate(),
            Cache::Roles => self.roles.invalidate(),
        }
    }
}

/// Hands committed events and closings to this node's hub and to the other nodes.
#[derive(Debug, Clone)]
pub(crate) struct Publisher {
    hub: Hub,
    bus: Option<Bus>,
    caches: Caches,
}

impl Publisher {
    pub(crate) fn new(hub: Hub, bus: Option<Bus>, caches: Caches) -> Self {
        Self { hub, bus, caches }
    }

    /// Hands a committed event to the hubs of every node, for the recipients the store named
    /// in its transaction.
    pub(crate) fn publish(&self, committed: &Committed, payload: Payload<'_>) {
        let kind = committed.event.kind;
        if changes_membership(kind) {
            // No sender relies on its cached copy of the conversation.
            self.caches.senders.invalidate();
        }
        let seq = committed.event.seq;
        let frame = frames::encode(&frames::event_frame(seq, &payload));
        if let Some(bus) = &self.bus {
            bus.send(Notice::Event {
                seq,
                kind: kind.as_str().to_owned(),
                recipients: uuids(&committed.recipients),
                frame: frame.to_string(),
            });
        }
        self.hub.publish(seq, committed.recipients.clone(), frame);
    }

    /// Delivers a frame outside the event log (an alert) to the users' devices on every node.
    pub(crate) fn notify(&self, users: &[UserId], frame: Arc<str>) {
        if let Some(bus) = &self.bus {
            bus.send(Notice::Frame {
                users: uuids(users),
                frame: frame.to_string(),
            });
        }
        self.hub.notify(users, frame);
    }

    /// Drops a cache on every node: here at once, elsewhere once the bus confirms the notice.
    pub(crate) async fn invalidate(&self, cache: Cache) {
        self.caches.drop_cached(cache);
        if let Some(bus) = &self.bus {
            bus.confirm(Notice::Invalidate { cache }).await;
        }
    }

    /// A session ended: its cached copy goes and its devices close, on every node.
    pub(crate) async fn end_session(&self, session: SessionId, reason: CloseReason) {
        self.caches.sessions.invalidate();
        self.hub.close_session(session, reason.clone());
        if let Some(bus) = &self.bus {
            let reason = close_reason_code(&reason).to_owned();
            let session = *session.as_uuid();
            bus.confirm(Notice::CloseSession { session, reason }).await;
        }
    }

    /// Every session of a user ended: their cached sessions go and their devices close, on
    /// every node.
    pub(crate) async fn end_user_sessions(&self, user: UserId, reason: CloseReason) {
        self.caches.sessions.invalidate();
        self.hub.close_user(user, reason.clone());
        if let Some(bus) = &self.bus {
            let reason = close_reason_code(&reason).to_owned();
            let user = *user.as_uuid();
            bus.confirm(Notice::CloseUser { user, reason }).await;
        }
    }

    /// Applies what another node published.
    pub(crate) fn apply(&self, notice: Notice) {
        match notice {
            Notice::Event {
                seq,
                kind,
                recipients,
                frame,
            } => {
                if EventKind::parse(&kind).is_ok_and(changes_membership) {
                    self.caches.senders.invalidate();
                }
                self.hub
                    .publish(seq, user_ids(recipients), Arc::from(frame));
            }
            Notice::Frame { users, frame } => self.hub.notify(&user_ids(users), Arc::from(frame)),
            Notice::CloseSession { session, reason } => {
                self.caches.sessions.invalidate();
                let session = SessionId::from_uuid(session);
                self.hub.close_session(session, close_reason(&reason));
            }
            Notice::CloseUser { user, reason } => {
                self.caches.sessions.invalidate();
                let user = UserId::from_uuid(user);
                self.hub.close_user(user, close_reason(&reason));
            }
            Notice::Invalidate { cache } => self.caches.drop_cached(cache),
        }
    }

    /// This node's caches.
    pub(crate) fn caches(&self) -> &Caches {
        &self.caches
    }

    /// The conversations senders were last found members of.
    pub(crate) fn senders(&self) -> &SenderCache {
        &self.caches.senders
    }

    /// The cluster bus, if this node has one.
    pub(crate) fn bus(&self) -> Option<&Bus> {
        self.bus.as_ref()
    }
}

/// Whether an event changes who is in a conversation (or what it is).
fn changes_membership(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::ConversationUpdated | EventKind::MemberRemoved
    )
}

fn uuids(users: &[UserId]) -> Vec<Uuid> {
    users.iter().map(|u| *u.as_uuid()).collect()
}

fn user_ids(users: Vec<Uuid>) -> Vec<UserId> {
    users.into_iter().map(UserId::from_uuid).collect()
}

/// How a close reason travels on the bus.
fn close_reason_code(reason: &CloseReason) -> &'static str {
    match reason {
        CloseReason::SessionEnded(reason) => reason,
        CloseReason::Wipe => WIPE,
        CloseReason::Shutdown => "shutdown",
    }
}

/// A close reason from the bus; one this version does not know reads as `ended`.
fn close_reason(code: &str) -> CloseReason {
    if code == WIPE {
        return CloseReason::Wipe;
    }
    CloseReason::SessionEnded(EndReason::parse(code).map_or("ended", EndReason::as_str))
}
