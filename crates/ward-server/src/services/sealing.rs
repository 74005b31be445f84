//! What conversations and messages keep sealed, opened for a reader (into the forms of
//! [`crate::opened`]) and sealed when new: titles and bodies, under the conversation's key for
//! the month.

use std::sync::Arc;

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::conversation::{Conversation, Message};
use ward_core::id::ConversationId;
use ward_core::keys::{Epoch, KeyScope};
use ward_crypto::seal::Binding;
use ward_store::Store;

use super::{Attachments, Keys, ServiceError};
use crate::opened::{PlainConversation, PlainMessage};

/// Opens and seals conversation titles and message bodies.
#[derive(Debug, Clone)]
pub(crate) struct Sealing {
    store: Arc<dyn Store>,
    keys: Keys,
    attachments: Attachments,
}

impl Sealing {
    pub(crate) fn new(store: Arc<dyn Store>, keys: Keys, attachments: Attachments) -> Self {
        Self {
            store,
            keys,
            attachments,
        }
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

    /// A conversation with its title opened and its members.
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

    /// Opens a message for its members: a recalled or expired one shows no body and no
    /// attachments (use [`Self::open_body`] for compliance), nor does one whose epoch
    /// retention disposed of (for anyone).
    pub(crate) async fn open_message(
        &self,
        message: Message,
    ) -> Result<PlainMessage, ServiceError> {
        let tombstone = |message, disposed| PlainMessage {
            message,
            body: String::new(),
            attachments: Vec::new(),
            disposed,
        };
        if message.withdrawn() {
            return Ok(tombstone(message, false));
        }
        let body = match self.open_body(&message).await {
            Ok(body) => body,
            Err(ServiceError::Disposed) => return Ok(tombstone(message, true)),
            Err(e) => return Err(e),
        };
        let attachments = self.attachments.open_attachment_list(&message).await?;
        Ok(PlainMessage {
            message,
            body,
            attachments,
            disposed: false,
        })
    }

    /// A message's current body, whatever its state.
    pub(crate) async fn open_body(&self, message: &Message) -> Result<String, ServiceError> {
        self.open_text(
            message.conversation_id,
            message.epoch,
            message.id,
            &message.sealed_body,
        )
        .await
    }

    /// Seals a message body in `epoch`: a new message's, or an edit's (which keeps the
    /// message's own epoch, so the message stays under one key and is disposed of with it).
    pub(crate) async fn seal_body(
        &self,
        conversation: ConversationId,
        message: Uuid,
        epoch: Epoch,
        body: &str,
    ) -> Result<Vec<u8>, ServiceError> {
        let binding = Binding::MessageBody {
            conversation,
            message,
            epoch,
        };
        self.keys
            .seal(
                KeyScope::Conversation(conversation),
                epoch,
                binding,
                body.as_bytes(),
            )
            .await
    }

    /// A message body sealed in `epoch` (the current one, or an earlier version).
    pub(crate) async fn open_text(
        &self,
        conversation: ConversationId,
        epoch: Epoch,
        message: Uuid,
        sealed: &[u8],
    ) -> Result<String, ServiceError> {
        let binding = Binding::MessageBody {
            conversation,
            message,
            epoch,
        };
        self.keys
            .open_text(KeyScope::Conversation(conversation), epoch, binding, sealed)
            .await
    }
}
