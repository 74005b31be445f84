//! Handing committed events to the hub, and the senders' cache their membership changes
//! invalidate.

use std::sync::Arc;

use ward_core::conversation::{Committed, Conversation, EventKind};
use ward_core::id::{ConversationId, UserId};

use super::CACHE_TTL;
use super::ttl_cache::TtlCache;
use crate::realtime::Hub;
use crate::wire::frames::{self, Payload};

/// Conversations by (conversation, member), for sends only: the writer checks membership
/// again in the send's transaction, so a stale entry can never let a non-member send.
pub(crate) type SenderCache = TtlCache<(ConversationId, UserId), Conversation>;

/// Publishes committed events, as ready frames, to the hub.
#[derive(Debug, Clone)]
pub(crate) struct Publisher {
    hub: Hub,
    senders: Arc<SenderCache>,
}

impl Publisher {
    pub(crate) fn new(hub: Hub) -> Self {
        Self {
            hub,
            senders: Arc::new(TtlCache::new(CACHE_TTL)),
        }
    }

    /// Hands a committed event to the hub, for the recipients the store named in its
    /// transaction.
    pub(crate) fn publish(&self, committed: &Committed, payload: Payload<'_>) {
        if matches!(
            committed.event.kind,
            EventKind::ConversationUpdated | EventKind::MemberRemoved
        ) {
            // A conversation or its membership changed: no sender relies on its cached copy.
            self.senders.invalidate();
        }
        let frame = frames::encode(&frames::event_frame(committed.event.seq, &payload));
        self.hub
            .publish(committed.event.seq, committed.recipients.clone(), frame);
    }

    /// The conversations senders were last found members of.
    pub(crate) fn senders(&self) -> &SenderCache {
        &self.senders
    }

    /// The hub, for frames outside the event log and for closing devices.
    pub(crate) fn hub(&self) -> &Hub {
        &self.hub
    }
}
