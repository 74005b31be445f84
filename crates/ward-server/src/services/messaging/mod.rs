//! Conversations and messages: creating conversations and managing members, sending (past
//! the safety checks), reading and receipts, edits and recalls, lifespans, sync and scheduled
//! sends.
//!
//! Every change is committed with its event and audit event, then published to the hub for the
//! recipients the store named inside the transaction (so a member removed just before never
//! gets the event). A conversation that the caller is not a member of does not exist for them:
//! the answer is 404 and the attempt is audited.

mod changes;
mod conversations;
mod reading;
mod safety;
mod scheduled;
mod send;
mod sync;

use std::sync::Arc;

use ward_core::clock::Clock;
use ward_store::Store;

use super::publisher::Publisher;
use super::sealing::Sealing;
use super::{Access, Attachments, Keys, Patients, PolicyCache, RoleCache, Shared};

pub use changes::MessageHistory;
pub use conversations::NewConversation;
pub use reading::{MAX_PAGE, MessagePage};
pub use scheduled::PlainScheduled;
pub use sync::{MAX_SYNC_PAGE, SyncResult};

/// Conversations, messages and what happens to them.
#[derive(Debug, Clone)]
pub struct Messaging {
    store: Arc<dyn Store>,
    keys: Keys,
    access: Access,
    policy: PolicyCache,
    roles: RoleCache,
    sealing: Sealing,
    publisher: Publisher,
    attachments: Attachments,
    /// Patient conversations need the registry, and the safety checks its index.
    patients: Patients,
    clock: Arc<dyn Clock>,
    /// One pass of due scheduled sends at a time on this node, so a pass called directly
    /// waits for the background one under way.
    scheduled_pass: Arc<tokio::sync::Mutex<()>>,
}

impl Messaging {
    pub(super) fn new(
        shared: &Shared,
        sealing: &Sealing,
        attachments: &Attachments,
        patients: &Patients,
    ) -> Self {
        Self {
            store: Arc::clone(&shared.store),
            keys: shared.keys.clone(),
            access: shared.access.clone(),
            policy: shared.policy.clone(),
            roles: shared.roles.clone(),
            sealing: sealing.clone(),
            publisher: shared.publisher.clone(),
            attachments: attachments.clone(),
            patients: patients.clone(),
            clock: Arc::clone(&shared.clock),
            scheduled_pass: Arc::default(),
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::audit::AuditAction;
use ward_core::conversation::{Conversation, Priority, check_body, check_lifespan};
use ward_core::id::ConversationId;

use crate::services::{Caller, ServiceError};

/// A message to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub client_id: Uuid,
    pub body: String,
    pub priority: Priority,
    /// The sender has seen the safety findings for this body and sends it anyway.
    pub confirm_findings: bool,
    /// Uploads the message carries.
    pub attachments: Vec<Uuid>,
    /// Devices delete it after this many seconds (checked); else the conversation's lifespan.
    pub lifespan_secs: Option<i64>,
}

impl Outgoing {
    /// Checks what needs no lookup: a body (which may be empty only with attachments) and the
    /// lifespan.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.attachments.is_empty() || !self.body.is_empty() {
            check_body(&self.body)?;
        }
        if let Some(secs) = self.lifespan_secs {
            check_lifespan(secs)?;
        }
        Ok(())
    }
}

impl Messaging {
    /// Like [`Access::member_or_granted_conversation`] (a member, or one brought in by an
    /// escalation answering it), from the sender cache: for sends only, whose write checks
    /// membership or the grant again (a stale entry then ends in
    /// [`Access::deny_conversation`]).
    pub(crate) async fn sender_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
    ) -> Result<Conversation, ServiceError> {
        let key = (id, caller.user.id);
        if let Some(conversation) = self.publisher.senders().get(&key) {
            return Ok(conversation);
        }
        let generation = self.publisher.senders().generation();
        let conversation = self
            .access
            .member_or_granted_conversation(caller, id, AuditAction::MessageSent)
            .await?;
        self.publisher
            .senders()
            .insert(generation, key, conversation.clone());
        Ok(conversation)
    }
}
