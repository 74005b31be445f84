//! The messaging traits, implemented once for both backends by [`impl_messaging_store!`], the
//! same way as [`crate::store_impl`]. Each write takes the ordering lock first, so its events
//! get positions in commit order.

macro_rules! impl_messaging_store {
    ($store:ty, $qm:path, $w:path) => {
        use std::sync::Arc;

        use async_trait::async_trait;
        use ward_core::Timestamp;
        use ward_core::audit::NewAuditEvent;
        use ward_core::conversation::{Committed, Conversation, Message, MessageId, Receipt};
        use ward_core::id::{ConversationId, PatientId, SessionId, UserId};
        use ward_core::patient::PatientRecord;
        use $qm as qm;
        use $w as w;

        use crate::{
            ConversationStore, ConversationSummary, MessageStore, PatientStore, SendOutcome,
            StoreError, StoreResult, SyncItem, SyncStore,
        };

        #[async_trait]
        impl PatientStore for $store {
            async fn create_patient(
                &self,
                patient: &PatientRecord,
                care_team: &[UserId],
                conversation: &Conversation,
                audit: NewAuditEvent,
            ) -> StoreResult<Committed> {
                let (patient, team, conv) =
                    (patient.clone(), care_team.to_vec(), conversation.clone());
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        w::insert_patient(c, &patient).await?;
                        for user in &team {
                            w::set_care_team_member(c, patient.id, *user, true).await?;
                        }
                        w::insert_conversation(c, &conv).await?;
                        let committed = w::add_members(c, conv.id, &team, conv.created_at)
                            .await?
                            .ok_or(StoreError::Conflict("a care team needs members"))?;
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(committed)
                    })
                })
                .await
            }

            async fn patient(&self, id: PatientId) -> StoreResult<Option<PatientRecord>> {
                self.read(move |c| Box::pin(qm::patient(c, id))).await
            }

            async fn patient_by_mrn_index(
                &self,
                index: &[u8; 32],
            ) -> StoreResult<Option<PatientRecord>> {
                let index = *index;
                self.read(move |c| Box::pin(async move { qm::patient_by_index(c, &index).await }))
                    .await
            }

            async fn patients_of(&self, user: UserId) -> StoreResult<Vec<PatientRecord>> {
                self.read(move |c| Box::pin(qm::patients_of(c, user))).await
            }

            async fn patients_page(
                &self,
                after: Option<PatientId>,
                limit: u32,
            ) -> StoreResult<Vec<PatientRecord>> {
                self.read(move |c| Box::pin(qm::patients_page(c, after, limit)))
                    .await
            }

            async fn care_team(&self, patient: PatientId) -> StoreResult<Vec<UserId>> {
                self.read(move |c| Box::pin(qm::care_team(c, patient)))
                    .await
            }

            async fn set_care_team_member(
                &self,
                patient: PatientId,
                user: UserId,
                on_team: bool,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Committed>> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::set_care_team_member(c, patient, user, on_team).await? {
                            return Ok(None);
                        }
                        let conv = w::care_team_conversation(c, patient)
                            .await?
                            .ok_or(StoreError::NotFound("care-team conversation"))?;
                        let committed = if on_team {
                            w::add_members(c, conv.id, &[user], at).await?
                        } else {
                            w::remove_member(c, conv.id, user, at).await?
                        };
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(committed)
                    })
                })
                .await
            }
        }

        #[async_trait]
        impl ConversationStore for $store {
            async fn create_conversation(
                &self,
                conversation: &Conversation,
                members: &[UserId],
                audit: NewAuditEvent,
            ) -> StoreResult<Committed> {
                let (conv, members) = (conversation.clone(), members.to_vec());
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        w::insert_conversation(c, &conv).await?;
                        let committed = w::add_members(c, conv.id, &members, conv.created_at)
                            .await?
                            .ok_or(StoreError::Conflict("a conversation needs members"))?;
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(committed)
                    })
                })
                .await
            }

            async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>> {
                self.read(move |c| Box::pin(qm::conversation(c, id))).await
            }

            async fn channels(&self) -> StoreResult<Vec<Conversation>> {
                self.read(|c| Box::pin(qm::channels(c))).await
            }

            async fn patient_conversations(
                &self,
                patient: PatientId,
            ) -> StoreResult<Vec<Conversation>> {
                self.read(move |c| Box::pin(qm::patient_conversations(c, patient)))
                    .await
            }

            async fn conversation_by_direct_key(
                &self,
                key: &str,
            ) -> StoreResult<Option<Conversation>> {
                let key = key.to_owned();
                self.read(move |c| {
                    Box::pin(async move { qm::conversation_by_direct_key(c, &key).await })
                })
                .await
            }

            async fn care_team_conversation(
                &self,
                patient: PatientId,
            ) -> StoreResult<Option<Conversation>> {
                self.read(move |c| Box::pin(qm::care_team_conversation(c, patient)))
                    .await
            }

            async fn conversations_of(
                &self,
                user: UserId,
            ) -> StoreResult<Vec<ConversationSummary>> {
                self.read(move |c| Box::pin(qm::conversations_of(c, user)))
                    .await
            }

            async fn members(&self, id: ConversationId) -> StoreResult<Vec<UserId>> {
                self.read(move |c| Box::pin(qm::active_members(c, id)))
                    .await
            }

            async fn conversation_for_member(
                &self,
                id: ConversationId,
                user: UserId,
            ) -> StoreResult<Option<Conversation>> {
                self.read(move |c| Box::pin(qm::conversation_for_member(c, id, user)))
                    .await
            }

            async fn is_member(&self, id: ConversationId, user: UserId) -> StoreResult<bool> {
                self.read(move |c| Box::pin(qm::is_member(c, id, user)))
                    .await
            }

            async fn history_start(
                &self,
                id: ConversationId,
                user: UserId,
            ) -> StoreResult<Option<i64>> {
                self.read(move |c| Box::pin(qm::history_start(c, id, user)))
                    .await
            }

            async fn add_members(
                &self,
                id: ConversationId,
                users: &[UserId],
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Committed>> {
                let (users, h) = (users.to_vec(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        let committed = w::add_members(c, id, &users, at).await?;
                        if committed.is_some() {
                            w::append_audit(c, &*h, &audit).await?;
                        }
                        Ok(committed)
                    })
                })
                .await
            }

            async fn remove_member(
                &self,
                id: ConversationId,
                user: UserId,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Committed>> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        let committed = w::remove_member(c, id, user, at).await?;
                        if committed.is_some() {
                            w::append_audit(c, &*h, &audit).await?;
                        }
                        Ok(committed)
                    })
                })
                .await
            }
        }

        #[async_trait]
        impl MessageStore for $store {
            async fn send_message(
                &self,
                message: &Message,
                attachments: &[ward_core::attachment::AttachmentId],
                escalate_at: Option<Timestamp>,
                audit: NewAuditEvent,
            ) -> StoreResult<SendOutcome> {
                let (mut message, h) = (message.clone(), Arc::clone(&self.hasher));
                let attachments = attachments.to_vec();
                let (sender, client_id) = (message.sender_id, message.client_id);
                let sent = self
                    .write(move |c| {
                        Box::pin(async move {
                            w::order(c).await?;
                            let conv = message.conversation_id;
                            let Some(seq) = w::next_message_seq(c, conv, message.sender_id).await?
                            else {
                                return Err(StoreError::NotFound("conversation"));
                            };
                            message.seq = seq;
                            let event = w::append_event(
                                c,
                                conv,
                                ward_core::conversation::EventKind::MessageCreated,
                                Some(message.id),
                                None,
                                message.created_at,
                            )
                            .await?;
                            message.event_seq = event.seq;
                            // A used client id fails here, and the job's savepoint (or the
                            // transaction) undoes the seq and the event.
                            w::insert_message(c, &message).await?;
                            w::attach_to_message(c, &message, &attachments).await?;
                            if let Some(due) = escalate_at {
                                w::insert_escalation(c, message.id, conv, due).await?;
                            }
                            let at = message.created_at;
                            w::advance_receipt(c, conv, message.sender_id, seq, seq, at).await?;
                            let recipients = w::active_members(c, conv).await?;
                            w::append_audit(c, &*h, &audit).await?;
                            Ok(SendOutcome::Created {
                                message,
                                committed: Committed { event, recipients },
                            })
                        })
                    })
                    .await;
                match sent {
                    Err(StoreError::Conflict(_)) => {
                        let existing = self
                            .read(move |c| Box::pin(qm::message_by_client_id(c, sender, client_id)))
                            .await?;
                        existing
                            .map(SendOutcome::Existing)
                            .ok_or(StoreError::Conflict("client_id"))
                    }
                    other => other,
                }
            }

            async fn message(&self, id: MessageId) -> StoreResult<Option<Message>> {
                self.read(move |c| Box::pin(qm::message(c, id))).await
            }

            async fn messages(
                &self,
                conversation: ConversationId,
                after: i64,
                limit: u32,
            ) -> StoreResult<Vec<Message>> {
                self.read(move |c| Box::pin(qm::messages(c, conversation, after, limit)))
                    .await
            }

            async fn mark_read(
                &self,
                conversation: ConversationId,
                user: UserId,
                up_to: i64,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Committed>> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::advance_receipt(c, conversation, user, up_to, up_to, at).await? {
                            return Ok(None);
                        }
                        let committed = receipt_event(c, conversation, user, at).await?;
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(Some(committed))
                    })
                })
                .await
            }

            async fn receipts(&self, conversation: ConversationId) -> StoreResult<Vec<Receipt>> {
                self.read(move |c| Box::pin(qm::receipts(c, conversation)))
                    .await
            }
        }

        /// Appends a `receipt.updated` event for a member and names who sees it.
        async fn receipt_event(
            c: &mut w::Conn,
            conversation: ConversationId,
            user: UserId,
            at: Timestamp,
        ) -> StoreResult<Committed> {
            let event = w::append_event(
                c,
                conversation,
                ward_core::conversation::EventKind::ReceiptUpdated,
                None,
                Some(user),
                at,
            )
            .await?;
            let recipients = w::active_members(c, conversation).await?;
            Ok(Committed { event, recipients })
        }

        #[async_trait]
        impl SyncStore for $store {
            async fn events_for(
                &self,
                user: UserId,
                after: i64,
                limit: u32,
            ) -> StoreResult<Vec<SyncItem>> {
                self.read(move |c| Box::pin(qm::events_for(c, user, after, limit)))
                    .await
            }

            async fn max_event_seq(&self) -> StoreResult<i64> {
                self.read(|c| Box::pin(qm::max_event_seq(c))).await
            }

            async fn record_delivery(
                &self,
                session: SessionId,
                user: UserId,
                cursor: i64,
                at: Timestamp,
            ) -> StoreResult<Vec<Committed>> {
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        let from = w::device_cursor(c, session).await?;
                        if cursor <= from {
                            return Ok(Vec::new());
                        }
                        w::set_device_cursor(c, session, cursor, at).await?;
                        let mut committed = Vec::new();
                        for (conversation, seq) in
                            w::delivered_in_range(c, user, from, cursor).await?
                        {
                            if w::advance_receipt(c, conversation, user, seq, 0, at).await? {
                                committed.push(receipt_event(c, conversation, user, at).await?);
                            }
                        }
                        Ok(committed)
                    })
                })
                .await
            }
        }
    };
}

pub(crate) use impl_messaging_store;
