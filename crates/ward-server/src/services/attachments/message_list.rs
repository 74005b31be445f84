//! The list of attachments a message carries: checked and sealed when it is sent, opened
//! with the message.

use uuid::Uuid;
use ward_core::attachment::{Attachment, AttachmentId};
use ward_core::conversation::Message;
use ward_core::id::ConversationId;
use ward_core::keys::{Epoch, KeyScope};
use ward_crypto::seal::Binding;

use super::{AttachmentInfo, Attachments, MAX_ATTACHMENTS_PER_MESSAGE};
use crate::services::{Caller, ServiceError};

impl Attachments {
    /// The attachments a message will carry, checked (the sender's finished uploads to this
    /// conversation, each named once), and the list sealed for the message (`None` without
    /// attachments). That none is carried by another message already is checked by the store,
    /// in the send's transaction (a retried send finds its first message there).
    pub(crate) async fn seal_attachment_list(
        &self,
        caller: &Caller,
        conversation: ConversationId,
        message: Uuid,
        epoch: Epoch,
        ids: &[AttachmentId],
    ) -> Result<(Vec<AttachmentInfo>, Option<Vec<u8>>), ServiceError> {
        if ids.is_empty() {
            return Ok((Vec::new(), None));
        }
        let mut infos = Vec::with_capacity(ids.len());
        for usable in self.usable_attachments(caller, conversation, ids).await? {
            infos.push(self.attachment_info(&usable).await?);
        }
        let list = serde_json::to_vec(&infos)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))?;
        let binding = Binding::MessageAttachments {
            conversation,
            message,
            epoch,
        };
        let sealed = self
            .keys
            .seal(KeyScope::Conversation(conversation), epoch, binding, &list)
            .await?;
        Ok((infos, Some(sealed)))
    }

    /// The uploads a message may carry: at most ten, each a finished upload of the sender's to
    /// this conversation, named once.
    pub(crate) async fn usable_attachments(
        &self,
        caller: &Caller,
        conversation: ConversationId,
        ids: &[AttachmentId],
    ) -> Result<Vec<Attachment>, ServiceError> {
        if ids.len() > MAX_ATTACHMENTS_PER_MESSAGE {
            return Err(ward_core::ValidationError::new(
                "attachments",
                "at most 10 attachments per message",
            )
            .into());
        }
        let mut usable = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            match self.store.attachment(*id).await? {
                Some(a)
                    if a.uploader_id == caller.user.id
                        && a.conversation_id == conversation
                        && !ids[..i].contains(id) =>
                {
                    usable.push(a);
                }
                _ => {
                    return Err(ward_core::ValidationError::new(
                        "attachments",
                        "each must be a finished upload of yours to this conversation, named \
                         once",
                    )
                    .into());
                }
            }
        }
        Ok(usable)
    }

    /// Opens a message's attachment list.
    pub(crate) async fn open_attachment_list(
        &self,
        message: &Message,
    ) -> Result<Vec<AttachmentInfo>, ServiceError> {
        let Some(sealed) = &message.sealed_attachments else {
            return Ok(Vec::new());
        };
        let binding = Binding::MessageAttachments {
            conversation: message.conversation_id,
            message: message.id,
            epoch: message.epoch,
        };
        let list = self
            .keys
            .open(
                KeyScope::Conversation(message.conversation_id),
                message.epoch,
                binding,
                sealed,
            )
            .await?;
        serde_json::from_slice(&list)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))
    }
}
