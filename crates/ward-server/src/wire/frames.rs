//! Domain events to wire frames: the JSON a device receives over the WebSocket and in sync
//! pages. Encoded once per event, whatever the number of recipients.

use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::conversation::{ConversationKind, Event, EventKind, Priority, Receipt};
use ward_core::id::{ConversationId, UserId};
use ward_proto::messaging::{
    self as wire, AttachmentMetadata, AttachmentView, ConversationView, MessageView, ReceiptView,
};
use ward_proto::realtime::ServerFrame;

use crate::opened::{AttachmentInfo, PlainConversation, PlainMessage};

/// What an event carries, in the clear (only ever sent to its recipients).
#[derive(Debug)]
pub enum Payload<'a> {
    Message(&'a PlainMessage),
    /// A message the sender edited.
    Edited(&'a PlainMessage),
    Receipt(&'a Receipt),
    Conversation(&'a PlainConversation),
    Removed {
        conversation: ConversationId,
        user: UserId,
    },
    /// Events that carry nothing but their log entry (acknowledgements, escalation steps).
    Event(&'a Event),
}

/// Cursors are event positions, as decimal text.
pub fn cursor(seq: i64) -> String {
    seq.to_string()
}

/// Parses a cursor; `None` if it is not one.
pub fn parse_cursor(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|seq| *seq >= 0)
}

pub fn event_frame(seq: i64, payload: &Payload<'_>) -> ServerFrame {
    let cursor = cursor(seq);
    match payload {
        Payload::Message(m) => ServerFrame::MessageCreated {
            cursor,
            message: message_view(m),
        },
        Payload::Edited(m) => ServerFrame::MessageEdited {
            cursor,
            message: message_view(m),
        },
        Payload::Receipt(r) => ServerFrame::ReceiptUpdated {
            cursor,
            receipt: receipt_view(r),
        },
        Payload::Conversation(c) => ServerFrame::ConversationUpdated {
            cursor,
            conversation: conversation_view(c, None),
        },
        Payload::Removed { conversation, user } => ServerFrame::MemberRemoved {
            cursor,
            conversation_id: *conversation.as_uuid(),
            user_id: *user.as_uuid(),
        },
        Payload::Event(event) => log_event_frame(cursor, event),
    }
}

/// The frame of an event that is complete in its log entry.
fn log_event_frame(cursor: String, e: &Event) -> ServerFrame {
    let conversation_id = *e.conversation_id.as_uuid();
    let message_id = e.message_id.unwrap_or_default();
    let user = e.user_id.map(|u| *u.as_uuid());
    let at = e.at.to_datetime();
    let step = match e.kind {
        EventKind::MessageRecalled => {
            return ServerFrame::MessageRecalled {
                cursor,
                conversation_id,
                message_id,
                at,
            };
        }
        EventKind::MessageExpired => {
            return ServerFrame::MessageExpired {
                cursor,
                conversation_id,
                message_id,
                at,
            };
        }
        EventKind::MessageAcknowledged => {
            return ServerFrame::MessageAcknowledged {
                cursor,
                conversation_id,
                message_id,
                user_id: user.unwrap_or_default(),
                at,
            };
        }
        EventKind::EscalationRepeat => wire::EscalationStep::Repeat,
        EventKind::EscalationOnCall => wire::EscalationStep::OnCall,
        _ => wire::EscalationStep::Supervisor,
    };
    ServerFrame::MessageEscalated {
        cursor,
        conversation_id,
        message_id,
        step,
        target_user_id: user,
        at,
    }
}

/// Whether an event's frame is built from its log entry alone ([`Payload::Event`]).
pub fn is_log_event(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::MessageAcknowledged
            | EventKind::MessageRecalled
            | EventKind::MessageExpired
            | EventKind::EscalationRepeat
            | EventKind::EscalationOnCall
            | EventKind::EscalationSupervisor
    )
}

/// A frame as JSON text.
pub fn encode(frame: &ServerFrame) -> Arc<str> {
    Arc::from(serde_json::to_string(frame).unwrap_or_default())
}

pub fn message_view(m: &PlainMessage) -> MessageView {
    MessageView {
        id: m.message.id,
        seq: m.message.seq,
        conversation_id: *m.message.conversation_id.as_uuid(),
        sender_id: *m.message.sender_id.as_uuid(),
        client_id: m.message.client_id,
        body: m.body.clone(),
        priority: priority(m.message.priority),
        created_at: m.message.created_at.to_datetime(),
        attachments: m.attachments.iter().map(attachment_view).collect(),
        edited_at: m.message.edited_at.map(Timestamp::to_datetime),
        recalled: m.message.recalled_at.is_some(),
        expires_at: m.message.expires_at.map(Timestamp::to_datetime),
        expired: m.message.expired_at.is_some(),
        disposed: m.disposed,
    }
}

pub fn attachment_view(a: &AttachmentInfo) -> AttachmentView {
    let metadata = match &a.metadata {
        ward_media::Metadata::Stripped { removed } => AttachmentMetadata {
            stripped: true,
            removed: removed.clone(),
            note: None,
        },
        ward_media::Metadata::NotStripped { reason } => AttachmentMetadata {
            stripped: false,
            removed: Vec::new(),
            note: Some(reason.clone()),
        },
    };
    AttachmentView {
        id: a.id,
        name: a.name.clone(),
        media_type: a.media_type.clone(),
        size: a.size,
        thumbnail: a.thumbnail,
        metadata,
    }
}

pub fn receipt_view(r: &Receipt) -> ReceiptView {
    ReceiptView {
        conversation_id: *r.conversation_id.as_uuid(),
        user_id: *r.user_id.as_uuid(),
        delivered_up_to: r.delivered_seq,
        read_up_to: r.read_seq,
        updated_at: r.updated_at.to_datetime(),
    }
}

/// A conversation; with `position` (last seq, read seq) in lists.
pub fn conversation_view(c: &PlainConversation, position: Option<(i64, i64)>) -> ConversationView {
    ConversationView {
        id: *c.conversation.id.as_uuid(),
        kind: kind(c.conversation.kind),
        title: c.title.clone(),
        patient_id: c.conversation.patient_id.map(|p| *p.as_uuid()),
        members: c.members.iter().map(|m| *m.as_uuid()).collect(),
        created_at: c.conversation.created_at.to_datetime(),
        last_seq: position.map(|(last, _)| last),
        unread: position.map(|(last, read)| (last - read).max(0)),
        lifespan_secs: c.conversation.lifespan_secs,
    }
}

pub fn kind(kind: ConversationKind) -> wire::ConversationKind {
    match kind {
        ConversationKind::Direct => wire::ConversationKind::Direct,
        ConversationKind::Group => wire::ConversationKind::Group,
        ConversationKind::Channel => wire::ConversationKind::Channel,
        ConversationKind::CareTeam => wire::ConversationKind::CareTeam,
        ConversationKind::Patient => wire::ConversationKind::Patient,
        ConversationKind::Role => wire::ConversationKind::Role,
    }
}

pub fn kind_from_wire(kind: wire::ConversationKind) -> ConversationKind {
    match kind {
        wire::ConversationKind::Direct => ConversationKind::Direct,
        wire::ConversationKind::Group => ConversationKind::Group,
        wire::ConversationKind::Channel => ConversationKind::Channel,
        wire::ConversationKind::CareTeam => ConversationKind::CareTeam,
        wire::ConversationKind::Patient => ConversationKind::Patient,
        wire::ConversationKind::Role => ConversationKind::Role,
    }
}

pub fn priority(p: Priority) -> wire::Priority {
    match p {
        Priority::Normal => wire::Priority::Normal,
        Priority::Urgent => wire::Priority::Urgent,
        Priority::Stat => wire::Priority::Stat,
    }
}

pub fn priority_from_wire(p: wire::Priority) -> Priority {
    match p {
        wire::Priority::Normal => Priority::Normal,
        wire::Priority::Urgent => Priority::Urgent,
        wire::Priority::Stat => Priority::Stat,
    }
}

pub const fn alert_kind(kind: ward_core::oversight::AlertKind) -> ward_proto::oversight::AlertKind {
    use ward_core::oversight::AlertKind;
    match kind {
        AlertKind::BreakGlass => ward_proto::oversight::AlertKind::BreakGlass,
        AlertKind::ManyPatients => ward_proto::oversight::AlertKind::ManyPatients,
        AlertKind::BulkDownload => ward_proto::oversight::AlertKind::BulkDownload,
        AlertKind::FailedLogins => ward_proto::oversight::AlertKind::FailedLogins,
        AlertKind::NewAddress => ward_proto::oversight::AlertKind::NewAddress,
        AlertKind::UnusualHours => ward_proto::oversight::AlertKind::UnusualHours,
        AlertKind::PrivilegedChange => ward_proto::oversight::AlertKind::PrivilegedChange,
    }
}

pub fn alert_view(a: &ward_core::oversight::Alert) -> ward_proto::oversight::AlertView {
    ward_proto::oversight::AlertView {
        id: a.id,
        kind: alert_kind(a.kind),
        subject_id: a.subject_id.map(|u| *u.as_uuid()),
        patient_id: a.patient_id.map(|p| *p.as_uuid()),
        audit_seq: a.audit_seq,
        evidence: a.evidence.clone(),
        raised_at: a.raised_at.to_datetime(),
        acknowledged_by: a.acknowledged_by.map(|u| *u.as_uuid()),
        acknowledged_at: a.acknowledged_at.map(Timestamp::to_datetime),
    }
}
