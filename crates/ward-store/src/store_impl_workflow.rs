//! [`crate::MessageLifecycleStore`], [`crate::ScheduleStore`] and [`crate::OversightStore`],
//! implemented once for both backends like [`crate::store_impl_clinical`]: reads through `$qw`
//! (sqlx), writes through the backend's writer `$w`, each write taking the ordering lock first.

macro_rules! impl_workflow_store {
    ($store:ty, $qw:path, $w:path) => {
        use std::sync::Arc;

        use async_trait::async_trait;
        use ward_core::Timestamp;
        use ward_core::audit::NewAuditEvent;
        use ward_core::conversation::{Committed, EventKind, Message, MessageId, MessageVersion};
        use ward_core::id::{ConversationId, PatientId, UserId};
        use ward_core::keys::Epoch;
        use ward_core::oversight::{Alert, AlertId, BreakGlassGrant, GrantId};
        use ward_core::scheduled::{ScheduledId, ScheduledMessage, ScheduledState};
        use $qw as qw;
        use $w as w;

        use crate::{
            MessageLifecycleStore, OversightStore, ScheduleStore, StoreError, StoreResult,
        };

        #[async_trait]
        impl MessageLifecycleStore for $store {
            async fn edit_message(
                &self,
                message: &Message,
                sender: UserId,
                epoch: Epoch,
                sealed_body: Vec<u8>,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Committed>> {
                let (id, conversation) = (message.id, message.conversation_id);
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::edit_message(c, id, sender, epoch, &sealed_body, at).await? {
                            return Ok(None);
                        }
                        let kind = EventKind::MessageEdited;
                        let change = (conversation, id, sender, at);
                        Ok(Some(
                            w::message_changed(c, &*h, kind, change, &audit).await?,
                        ))
                    })
                })
                .await
            }

            async fn recall_message(
                &self,
                message: &Message,
                sender: UserId,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Committed>> {
                let (id, conversation) = (message.id, message.conversation_id);
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::recall_message(c, id, sender, at).await? {
                            return Ok(None);
                        }
                        let kind = EventKind::MessageRecalled;
                        let change = (conversation, id, sender, at);
                        Ok(Some(
                            w::message_changed(c, &*h, kind, change, &audit).await?,
                        ))
                    })
                })
                .await
            }

            async fn message_versions(
                &self,
                message: MessageId,
            ) -> StoreResult<Vec<MessageVersion>> {
                self.read(move |c| Box::pin(qw::message_versions(c, message)))
                    .await
            }

            async fn expiring_messages(
                &self,
                now: Timestamp,
                limit: u32,
            ) -> StoreResult<Vec<(MessageId, ConversationId)>> {
                self.read(move |c| Box::pin(qw::expiring_messages(c, now, limit)))
                    .await
            }

            async fn expire_messages(
                &self,
                messages: &[(MessageId, ConversationId)],
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Vec<Committed>> {
                let (messages, h) = (messages.to_vec(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        let mut committed = Vec::new();
                        for (id, conversation) in messages {
                            if !w::expire_message(c, id, at).await? {
                                continue;
                            }
                            let kind = EventKind::MessageExpired;
                            let event =
                                w::append_event(c, conversation, kind, Some(id), None, at).await?;
                            let recipients = w::active_members(c, conversation).await?;
                            committed.push(Committed { event, recipients });
                        }
                        if !committed.is_empty() {
                            w::append_audit(c, &*h, &audit).await?;
                        }
                        Ok(committed)
                    })
                })
                .await
            }

            async fn set_lifespan(
                &self,
                conversation: ConversationId,
                secs: Option<i64>,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Committed> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::set_lifespan(c, conversation, secs).await? {
                            return Err(StoreError::NotFound("conversation"));
                        }
                        let kind = EventKind::ConversationUpdated;
                        let event = w::append_event(c, conversation, kind, None, None, at).await?;
                        let recipients = w::active_members(c, conversation).await?;
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(Committed { event, recipients })
                    })
                })
                .await
            }
        }

        #[async_trait]
        impl ScheduleStore for $store {
            async fn schedule_message(
                &self,
                scheduled: &ScheduledMessage,
                audit: NewAuditEvent,
            ) -> StoreResult<()> {
                let (scheduled, h) = (scheduled.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        w::insert_scheduled(c, &scheduled).await?;
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(())
                    })
                })
                .await
            }

            async fn scheduled_message(
                &self,
                id: ScheduledId,
            ) -> StoreResult<Option<ScheduledMessage>> {
                self.read(move |c| Box::pin(qw::scheduled(c, id))).await
            }

            async fn scheduled_by_client_id(
                &self,
                client_id: uuid::Uuid,
            ) -> StoreResult<Option<ScheduledMessage>> {
                self.read(move |c| Box::pin(qw::scheduled_by_client_id(c, client_id)))
                    .await
            }

            async fn pending_scheduled(
                &self,
                sender: UserId,
            ) -> StoreResult<Vec<ScheduledMessage>> {
                self.read(move |c| Box::pin(qw::pending_scheduled_of(c, sender)))
                    .await
            }

            async fn due_scheduled(
                &self,
                now: Timestamp,
                limit: u32,
            ) -> StoreResult<Vec<ScheduledMessage>> {
                self.read(move |c| Box::pin(qw::due_scheduled(c, now, limit)))
                    .await
            }

            async fn cancel_scheduled(
                &self,
                id: ScheduledId,
                sender: UserId,
                audit: NewAuditEvent,
            ) -> StoreResult<bool> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::cancel_scheduled(c, id, sender).await? {
                            return Ok(false);
                        }
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(true)
                    })
                })
                .await
            }

            async fn claim_scheduled(&self, id: ScheduledId) -> StoreResult<bool> {
                self.write(move |c| Box::pin(async move { w::claim_scheduled(c, id).await }))
                    .await
            }

            async fn finish_scheduled(
                &self,
                id: ScheduledId,
                state: ScheduledState,
                message: Option<MessageId>,
                failure: Option<String>,
                audit: Option<NewAuditEvent>,
            ) -> StoreResult<bool> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        let failure = failure.as_deref();
                        if !w::finish_scheduled(c, id, state, message, failure).await? {
                            return Ok(false);
                        }
                        if let Some(audit) = &audit {
                            w::append_audit(c, &*h, audit).await?;
                        }
                        Ok(true)
                    })
                })
                .await
            }
        }

        #[async_trait]
        impl OversightStore for $store {
            async fn open_break_glass(
                &self,
                grant: &BreakGlassGrant,
                alert: Alert,
                audit: NewAuditEvent,
            ) -> StoreResult<(Option<Committed>, Alert)> {
                let (grant, h) = (grant.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        w::insert_grant(c, &grant).await?;
                        let (conversation, user) = (grant.conversation_id, grant.user_id);
                        let committed =
                            w::add_members(c, conversation, &[user], grant.opened_at).await?;
                        let audit_seq = w::append_audit(c, &*h, &audit).await?;
                        let evidence = vec![audit_seq];
                        let alert = Alert {
                            audit_seq,
                            evidence,
                            ..alert
                        };
                        w::insert_alert(c, &alert).await?;
                        Ok((committed, alert))
                    })
                })
                .await
            }

            async fn end_break_glass(
                &self,
                grant: &BreakGlassGrant,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<Option<Option<Committed>>> {
                let (grant, h) = (grant.clone(), Arc::clone(&self.hasher));
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::end_grant(c, grant.id, at).await? {
                            return Ok(None);
                        }
                        let removed = if w::still_entitled(c, grant.patient_id, grant.user_id)
                            .await?
                        {
                            None
                        } else {
                            w::remove_member(c, grant.conversation_id, grant.user_id, at).await?
                        };
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(Some(removed))
                    })
                })
                .await
            }

            async fn break_glass_grant(&self, id: GrantId) -> StoreResult<Option<BreakGlassGrant>> {
                self.read(move |c| Box::pin(qw::grant(c, id))).await
            }

            async fn due_break_glass(
                &self,
                now: Timestamp,
                limit: u32,
            ) -> StoreResult<Vec<BreakGlassGrant>> {
                self.read(move |c| Box::pin(qw::due_grants(c, now, limit)))
                    .await
            }

            async fn break_glass_for_patient(
                &self,
                patient: PatientId,
            ) -> StoreResult<Vec<BreakGlassGrant>> {
                self.read(move |c| Box::pin(qw::grants_for_patient(c, patient)))
                    .await
            }

            async fn alert(&self, id: AlertId) -> StoreResult<Option<Alert>> {
                self.read(move |c| Box::pin(qw::alert(c, id))).await
            }

            async fn alerts(&self, open_only: bool, limit: u32) -> StoreResult<Vec<Alert>> {
                self.read(move |c| Box::pin(qw::alerts(c, open_only, limit)))
                    .await
            }

            async fn acknowledge_alert(
                &self,
                id: AlertId,
                by: UserId,
                at: Timestamp,
                audit: NewAuditEvent,
            ) -> StoreResult<bool> {
                let h = Arc::clone(&self.hasher);
                self.write(move |c| {
                    Box::pin(async move {
                        w::order(c).await?;
                        if !w::acknowledge_alert(c, id, by, at).await? {
                            return Ok(false);
                        }
                        w::append_audit(c, &*h, &audit).await?;
                        Ok(true)
                    })
                })
                .await
            }
        }
    };
}

pub(crate) use impl_workflow_store;
