//! Conversations and their members: creating them, listing them (and the channel directory),
//! adding, joining and removing members. What they share with messages is in
//! the module root.

use ward_core::ValidationError;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome};
use ward_core::conversation::{Conversation, ConversationKind, check_title};
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::role::{Permission, RoleName};
use ward_core::user::UserStatus;

use super::Messaging;
use crate::opened::PlainConversation;
use crate::services::Access;
use crate::services::{Caller, ServiceError};
use crate::wire::frames::Payload;

/// A conversation to create.
#[derive(Debug, Clone)]
pub struct NewConversation {
    pub kind: ConversationKind,
    pub title: Option<String>,
    pub member_ids: Vec<UserId>,
    pub patient_id: Option<PatientId>,
}

impl Messaging {
    /// Checks that every user exists and is active. A patient account may only be in the
    /// patient-facing conversation of its own record (`patient_account`), never in anyone else's.
    async fn check_members(
        &self,
        patient_account: Option<UserId>,
        ids: &[UserId],
    ) -> Result<(), ServiceError> {
        for id in ids {
            let user = self.store.user(*id).await?;
            let Some(user) = user.filter(|u| u.status == UserStatus::Active) else {
                return Err(ServiceError::NotFound("user"));
            };
            if user.role.as_str() == RoleName::PATIENT && patient_account != Some(user.id) {
                return Err(ValidationError::new(
                    "member_ids",
                    "a patient can only be in their own patient-facing conversation",
                )
                .into());
            }
        }
        Ok(())
    }

    /// The account of the patient a conversation is about, for patient-facing conversations.
    async fn patient_account(
        &self,
        conversation: &Conversation,
    ) -> Result<Option<UserId>, ServiceError> {
        match (conversation.kind, conversation.patient_id) {
            (ConversationKind::Patient, Some(patient)) => {
                Ok(self.store.patient(patient).await?.and_then(|p| p.user_id))
            }
            _ => Ok(None),
        }
    }

    /// Starts a conversation; the creator is always a member. A direct conversation that exists
    /// already for the pair is returned instead (`false`).
    pub async fn create_conversation(
        &self,
        caller: &Caller,
        new: NewConversation,
    ) -> Result<(PlainConversation, bool), ServiceError> {
        self.access
            .require(
                caller,
                Permission::ConversationsCreate,
                AuditAction::ConversationCreated,
            )
            .await?;
        let mut members = new.member_ids.clone();
        members.retain(|m| *m != caller.user.id);
        members.dedup();
        let title = new.title.as_deref().map(check_title).transpose()?;
        let mut patient_id = None;
        let mut direct_key = None;
        let mut patient_account = None;
        match new.kind {
            ConversationKind::Direct => {
                let [other] = members[..] else {
                    return Err(ValidationError::new(
                        "member_ids",
                        "a direct conversation has exactly one other member",
                    )
                    .into());
                };
                if title.is_some() {
                    return Err(ValidationError::new(
                        "title",
                        "direct conversations have no title",
                    )
                    .into());
                }
                let key = Conversation::direct_key(caller.user.id, other);
                if let Some(existing) = self.store.conversation_by_direct_key(&key).await?
                    && self.store.is_member(existing.id, caller.user.id).await?
                {
                    return Ok((self.sealing.plain_conversation(existing).await?, false));
                }
                direct_key = Some(key);
            }
            ConversationKind::Group => {}
            ConversationKind::Channel => {
                if title.is_none() {
                    return Err(ValidationError::new("title", "a channel needs a title").into());
                }
            }
            ConversationKind::CareTeam => {
                return Err(ValidationError::new(
                    "kind",
                    "care-team conversations come with the patient's registration",
                )
                .into());
            }
            ConversationKind::Role => {
                return Err(ValidationError::new(
                    "kind",
                    "role threads start with a message to the role: POST /clinical-roles/{id}/messages",
                )
                .into());
            }
            ConversationKind::Patient => {
                let id = new.patient_id.ok_or(ValidationError::new(
                    "patient_id",
                    "is required for a patient conversation",
                ))?;
                let patient = self
                    .patients
                    .patient_for_staff(caller, id, AuditAction::ConversationCreated)
                    .await?;
                let account = patient.user_id.ok_or(ValidationError::new(
                    "patient_id",
                    "the patient has no account to join",
                ))?;
                members.push(account);
                patient_account = Some(account);
                patient_id = Some(id);
            }
        }
        self.check_members(patient_account, &members).await?;
        members.push(caller.user.id);

        let id = ConversationId::new();
        let now = self.now();
        let sealed_title = match &title {
            Some(title) => Some(self.sealing.seal_title(id, title, now).await?),
            None => None,
        };
        let conversation = Conversation {
            id,
            kind: new.kind,
            sealed_title,
            patient_id,
            direct_key,
            created_by: caller.user.id,
            created_at: now,
            lifespan_secs: None,
        };
        let event =
            Access::conversation_event(caller, AuditAction::ConversationCreated, &conversation);
        let committed = self
            .store
            .create_conversation(&conversation, &members, event)
            .await?;
        let plain = PlainConversation {
            conversation,
            title,
            members: committed.recipients.clone(),
        };
        self.publisher
            .publish(&committed, Payload::Conversation(&plain));
        Ok((plain, true))
    }

    /// The caller's conversations with last seq and read position.
    pub async fn list_conversations(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(PlainConversation, i64, i64)>, ServiceError> {
        let summaries = self.store.conversations_of(caller.user.id).await?;
        let mut out = Vec::with_capacity(summaries.len());
        for s in summaries {
            out.push((
                self.sealing.plain_conversation(s.conversation).await?,
                s.last_seq,
                s.read_seq,
            ));
        }
        let event = caller.event(AuditAction::ConversationsListed, Outcome::Success);
        self.store.append_audit(event).await?;
        Ok(out)
    }

    /// Every channel, for staff who may join channels: the directory they join from.
    pub async fn list_channels(
        &self,
        caller: &Caller,
    ) -> Result<Vec<PlainConversation>, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ChannelsJoin,
                AuditAction::ConversationsListed,
            )
            .await?;
        let mut out = Vec::new();
        for channel in self.store.channels().await? {
            out.push(self.sealing.plain_conversation(channel).await?);
        }
        let event = caller
            .event(AuditAction::ConversationsListed, Outcome::Success)
            .detail(r#"{"directory":"channels"}"#.to_owned());
        self.store.append_audit(event).await?;
        Ok(out)
    }

    pub async fn get_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
    ) -> Result<PlainConversation, ServiceError> {
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::ConversationRead)
            .await?;
        let event =
            Access::conversation_event(caller, AuditAction::ConversationRead, &conversation);
        self.store.append_audit(event).await?;
        self.sealing.plain_conversation(conversation).await
    }

    /// Adds a member. Direct and care-team conversations keep their own rules (a pair; the
    /// care team), so they refuse.
    pub async fn add_member(
        &self,
        caller: &Caller,
        id: ConversationId,
        user: UserId,
    ) -> Result<PlainConversation, ServiceError> {
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::MemberAdded)
            .await?;
        if !caller.allows(Permission::ConversationsCreate) {
            self.access.deny(caller, AuditAction::MemberAdded).await?;
        }
        match conversation.kind {
            ConversationKind::Direct => {
                return Err(ServiceError::Conflict(
                    "a direct conversation has exactly two members",
                ));
            }
            ConversationKind::CareTeam => {
                return Err(ServiceError::Conflict(
                    "care-team members follow the patient's care team",
                ));
            }
            ConversationKind::Role => {
                return Err(ServiceError::Conflict(
                    "a role thread's members are its sender and the role's holder",
                ));
            }
            _ => {}
        }
        let account = self.patient_account(&conversation).await?;
        self.check_members(account, &[user]).await?;
        let event = Access::conversation_event(caller, AuditAction::MemberAdded, &conversation)
            .detail(format!(r#"{{"user":"{user}"}}"#));
        self.insert_member(conversation, user, event).await
    }

    /// Joins an open channel.
    pub async fn join_channel(
        &self,
        caller: &Caller,
        id: ConversationId,
    ) -> Result<PlainConversation, ServiceError> {
        self.access
            .require(caller, Permission::ChannelsJoin, AuditAction::MemberAdded)
            .await?;
        let conversation = self
            .store
            .conversation(id)
            .await?
            .filter(|c| c.kind == ConversationKind::Channel)
            .ok_or(ServiceError::NotFound("channel"))?;
        let event = Access::conversation_event(caller, AuditAction::MemberAdded, &conversation);
        self.insert_member(conversation, caller.user.id, event)
            .await
    }

    /// Adds `user` with its audit event and tells the members' devices (the new one's too).
    async fn insert_member(
        &self,
        conversation: Conversation,
        user: UserId,
        event: NewAuditEvent,
    ) -> Result<PlainConversation, ServiceError> {
        let committed = self
            .store
            .add_members(conversation.id, &[user], self.now(), event)
            .await?;
        let plain = self.sealing.plain_conversation(conversation).await?;
        if let Some(committed) = committed {
            self.publisher
                .publish(&committed, Payload::Conversation(&plain));
        }
        Ok(plain)
    }

    /// Removes a member (or the caller leaves). Once this returns, no further event of the
    /// conversation reaches any device of the removed member.
    pub async fn remove_member(
        &self,
        caller: &Caller,
        id: ConversationId,
        user: UserId,
    ) -> Result<(), ServiceError> {
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::MemberRemoved)
            .await?;
        let leaving = user == caller.user.id;
        if !leaving && !caller.allows(Permission::ConversationsCreate) {
            self.access.deny(caller, AuditAction::MemberRemoved).await?;
        }
        match conversation.kind {
            ConversationKind::Direct => {
                return Err(ServiceError::Conflict(
                    "a direct conversation has exactly two members",
                ));
            }
            ConversationKind::CareTeam => {
                return Err(ServiceError::Conflict(
                    "care-team members follow the patient's care team",
                ));
            }
            ConversationKind::Role => {
                return Err(ServiceError::Conflict(
                    "a role thread's members are its sender and the role's holder",
                ));
            }
            _ => {}
        }
        let event = Access::conversation_event(caller, AuditAction::MemberRemoved, &conversation)
            .detail(format!(r#"{{"user":"{user}"}}"#));
        let committed = self
            .store
            .remove_member(id, user, self.now(), event)
            .await?
            .ok_or(ServiceError::NotFound("member"))?;
        self.publisher.publish(
            &committed,
            Payload::Removed {
                conversation: id,
                user,
            },
        );
        Ok(())
    }
}
