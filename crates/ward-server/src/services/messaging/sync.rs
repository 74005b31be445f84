//! Catch-up: every event a device missed since its cursor, and delivery receipts for what a
//! device has received.

use ward_core::ValidationError;
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::conversation::EventKind;
use ward_core::id::UserId;
use ward_proto::realtime::ServerFrame;

use ward_store::{LogItem, SyncItem};

use super::Messaging;
use crate::realtime::Hub;
use crate::realtime::hub::{Filled, GAP_WAIT};
use crate::services::{Caller, ServiceError};
use crate::wire::frames::{self, Payload};

/// Most events one sync page returns.
pub const MAX_SYNC_PAGE: u32 = 5000;

/// Frames of one page of the log. Some events make no frame (a conversation gone since), so
/// the page's extent is reported apart from its frames.
#[derive(Debug)]
pub struct FramePage {
    pub frames: Vec<(i64, ServerFrame)>,
    /// The position the page read up to.
    pub scanned_to: i64,
    /// The page was full: more may follow.
    pub full: bool,
}

/// One page of catch-up.
#[derive(Debug)]
pub struct SyncResult {
    pub frames: Vec<ServerFrame>,
    /// The position to continue from.
    pub cursor: i64,
    pub more: bool,
}

impl Messaging {
    /// Checks a cursor a device sent: not from the future.
    pub async fn check_cursor(&self, cursor: i64) -> Result<i64, ServiceError> {
        if cursor > self.store.max_event_seq().await? {
            return Err(ValidationError::new(
                "since",
                "is ahead of the server (a cursor from the future)",
            )
            .into());
        }
        Ok(cursor)
    }

    /// Events after `since` that the caller may see, as frames, and records that this device
    /// has received them (delivery receipts).
    pub async fn sync(
        &self,
        caller: &Caller,
        since: i64,
        limit: u32,
    ) -> Result<SyncResult, ServiceError> {
        let since = self.check_cursor(since).await?;
        let limit = limit.clamp(1, MAX_SYNC_PAGE);
        let page = self.frames_after(caller.user.id, since, limit).await?;
        let event = caller
            .event(AuditAction::SyncRead, Outcome::Success)
            .detail(format!(
                r#"{{"since":{since},"events":{}}}"#,
                page.frames.len()
            ));
        self.store.append_audit(event).await?;
        self.record_delivery(caller, page.scanned_to).await?;
        Ok(SyncResult {
            frames: page.frames.into_iter().map(|(_, f)| f).collect(),
            cursor: page.scanned_to,
            more: page.full,
        })
    }

    /// Up to `limit` events after `after` for `user`, as frames with their positions.
    pub(crate) async fn frames_after(
        &self,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> Result<FramePage, ServiceError> {
        let items = self.store.events_for(user, after, limit).await?;
        let full = items.len() as u32 >= limit;
        let scanned_to = items.last().map_or(after, |i| i.event.seq);
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let seq = item.event.seq;
            if let Some(frame) = self.frame_of(item).await? {
                out.push((seq, frame));
            }
        }
        Ok(FramePage {
            frames: out,
            scanned_to,
            full,
        })
    }

    /// Notes the log's end in the hub, then reads from the log the positions live delivery
    /// has been missing for [`GAP_WAIT`] (a lost notice, the bus down, a node that died
    /// between commit and publish) and hands them to the hub, a page at a time.
    pub async fn deliver_missed(&self, hub: &Hub) -> Result<(), ServiceError> {
        hub.note_head(self.store.max_event_seq().await?);
        let Some((mut after, up_to)) = hub.missing(GAP_WAIT) else {
            return Ok(());
        };
        while after < up_to {
            let items = self
                .store
                .events_between(after, up_to, MAX_SYNC_PAGE)
                .await?;
            let Some(read_to) = items.last().map(|i| i.item.event.seq) else {
                break;
            };
            let mut filled = Vec::with_capacity(items.len());
            for LogItem { item, recipients } in items {
                let seq = item.event.seq;
                let frame = self.frame_of(item).await?.map(|f| frames::encode(&f));
                filled.push(Filled {
                    seq,
                    recipients,
                    frame,
                });
            }
            hub.fill(filled, read_to);
            after = read_to;
        }
        Ok(())
    }

    /// The frame of one event of the log; `None` for one that makes none (its conversation
    /// is gone, or it is not one devices hear of).
    async fn frame_of(&self, item: SyncItem) -> Result<Option<ServerFrame>, ServiceError> {
        let seq = item.event.seq;
        let frame = match (
            item.event.kind,
            item.message,
            item.receipt,
            item.event.user_id,
        ) {
            (EventKind::MessageCreated, Some(message), _, _) => {
                let plain = self.sealing.open_message(message).await?;
                frames::event_frame(seq, &Payload::Message(&plain))
            }
            (EventKind::MessageEdited, Some(message), _, _) => {
                let plain = self.sealing.open_message(message).await?;
                frames::event_frame(seq, &Payload::Edited(&plain))
            }
            (EventKind::ReceiptUpdated, _, Some(receipt), _) => {
                frames::event_frame(seq, &Payload::Receipt(&receipt))
            }
            (EventKind::MemberRemoved, _, _, Some(removed)) => frames::event_frame(
                seq,
                &Payload::Removed {
                    conversation: item.event.conversation_id,
                    user: removed,
                },
            ),
            (EventKind::ConversationUpdated, ..) => {
                match self.store.conversation(item.event.conversation_id).await? {
                    Some(c) => {
                        let plain = self.sealing.plain_conversation(c).await?;
                        frames::event_frame(seq, &Payload::Conversation(&plain))
                    }
                    None => return Ok(None),
                }
            }
            (kind, ..) if frames::is_log_event(kind) => {
                frames::event_frame(seq, &Payload::Event(&item.event))
            }
            _ => return Ok(None),
        };
        Ok(Some(frame))
    }

    /// Records that the caller's device has every event up to `cursor`, and publishes the
    /// delivery receipts that moved.
    pub async fn record_delivery(&self, caller: &Caller, cursor: i64) -> Result<(), ServiceError> {
        let committed = self
            .store
            .record_delivery(caller.session.id, caller.user.id, cursor, self.now())
            .await?;
        for c in &committed {
            self.publish_receipt(c).await?;
            self.audit_delivery(caller, c.event.conversation_id, cursor)
                .await?;
        }
        Ok(())
    }

    /// Records, for the patient's accounting of disclosures, that a device received messages
    /// of a patient's conversation (one event per conversation per acknowledgement, which
    /// devices send at most once a second).
    async fn audit_delivery(
        &self,
        caller: &Caller,
        conversation: ward_core::id::ConversationId,
        cursor: i64,
    ) -> Result<(), ServiceError> {
        let Some(patient) = self
            .store
            .conversation(conversation)
            .await?
            .and_then(|c| c.patient_id)
        else {
            return Ok(());
        };
        let event = caller
            .event(AuditAction::MessagesDelivered, Outcome::Success)
            .target(TargetKind::Conversation, Some(*conversation.as_uuid()))
            .patient(Some(patient))
            .detail(format!(r#"{{"cursor":{cursor}}}"#));
        self.store.append_audit(event).await?;
        Ok(())
    }
}
