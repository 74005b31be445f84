//! What conversations, messages and receipts share: opening conversations (their forms are in
//! [`crate::opened`]), sealed titles, the membership check (with the senders' cache), and
//! publishing committed events to the hub.
//!
//! Every change is committed with its event and audit event, then published to the hub for the
//! recipients the store named inside the transaction (so a member removed just before never
//! gets the event). A conversation that the caller is not a member of does not exist for them:
//! the answer is 404 and the attempt is audited.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::audit::AuditAction;
use ward_core::conversation::{
    Committed, Conversation, EventKind, Priority, check_body, check_lifespan,
};
use ward_core::id::ConversationId;
use ward_core::keys::KeyScope;
use ward_crypto::seal::Binding;

use super::{Caller, ServiceError, Services};
use crate::opened::PlainConversation;
use crate::wire::frames::{self, Payload};

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

impl Services {
    /// Hands a committed event to the hub.
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

    /// Seals a new conversation's title under its key for the month it is created in.
    pub(crate) async fn seal_title(
        &self,
        id: ConversationId,
        title: &str,
        now: Timestamp,
    ) -> Result<Vec<u8>, ServiceError> {
        let epoch = self.keys.epoch_of(now);
        let binding = Binding::ConversationTitle {
            conversation: id,
            epoch,
        };
        self.keys
            .seal(KeyScope::Conversation(id), epoch, binding, title.as_bytes())
            .await
    }

    async fn open_title(&self, c: &Conversation) -> Result<Option<String>, ServiceError> {
        let Some(sealed) = &c.sealed_title else {
            return Ok(None);
        };
        let epoch = c.title_epoch();
        let binding = Binding::ConversationTitle {
            conversation: c.id,
            epoch,
        };
        match self
            .keys
            .open(KeyScope::Conversation(c.id), epoch, binding, sealed)
            .await
        {
            Ok(plain) => Ok(Some(String::from_utf8_lossy(&plain).into_owned())),
            // Its month was disposed of: the conversation goes on untitled.
            Err(ServiceError::Disposed) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn plain_conversation(
        &self,
        conversation: Conversation,
    ) -> Result<PlainConversation, ServiceError> {
        let title = self.open_title(&conversation).await?;
        let members = self.store.members(conversation.id).await?;
        Ok(PlainConversation {
            conversation,
            title,
            members,
        })
    }

    /// Like [`Access::member_conversation`], from the sender cache: for sends only, whose write
    /// checks membership again (a stale entry then ends in [`Access::deny_conversation`]).
    pub(crate) async fn sender_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
    ) -> Result<Conversation, ServiceError> {
        let key = (id, caller.user.id);
        if let Some(conversation) = self.senders.get(&key) {
            return Ok(conversation);
        }
        let generation = self.senders.generation();
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::MessageSent)
            .await?;
        self.senders.insert(generation, key, conversation.clone());
        Ok(conversation)
    }
}
