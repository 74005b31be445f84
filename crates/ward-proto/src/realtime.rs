//! Sync pages and the WebSocket frames: what a device receives live or catches up on, and what
//! it sends.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::Problem;
use crate::messaging::{
    ConversationView, EscalationStep, MessageView, ReceiptView, SendMessageRequest,
};

/// `?since=CURSOR&limit=N`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// The cursor of the last event this device has (absent: from the beginning).
    pub since: Option<String>,
    /// At most this many events (1 to 5000, default 1000).
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncPage {
    /// Events in order; each carries its cursor.
    pub events: Vec<ServerFrame>,
    /// Pass as `since` next time.
    pub cursor: String,
    /// More events are waiting: call again at once.
    pub more: bool,
}

/// What the server sends over the WebSocket (and, for events, in sync pages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type")]
pub enum ServerFrame {
    /// First frame after authentication; `cursor` is the latest event position.
    #[serde(rename = "hello")]
    Hello { session_id: Uuid, cursor: String },
    #[serde(rename = "message.created")]
    MessageCreated {
        cursor: String,
        message: MessageView,
    },
    #[serde(rename = "receipt.updated")]
    ReceiptUpdated {
        cursor: String,
        receipt: ReceiptView,
    },
    /// Created, or its members changed.
    #[serde(rename = "conversation.updated")]
    ConversationUpdated {
        cursor: String,
        conversation: ConversationView,
    },
    /// A member left or was removed; to the removed member this is the last event of it.
    #[serde(rename = "member.removed")]
    MemberRemoved {
        cursor: String,
        conversation_id: Uuid,
        user_id: Uuid,
    },
    /// A member acknowledged an urgent or stat message.
    #[serde(rename = "message.acknowledged")]
    MessageAcknowledged {
        cursor: String,
        conversation_id: Uuid,
        message_id: Uuid,
        user_id: Uuid,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// An urgent or stat message was not acknowledged in time: the escalation took a step.
    /// `target_user_id` is whom the step brought into the conversation (absent for `repeat`,
    /// or when the role had no holder or supervisor).
    #[serde(rename = "message.escalated")]
    MessageEscalated {
        cursor: String,
        conversation_id: Uuid,
        message_id: Uuid,
        step: EscalationStep,
        target_user_id: Option<Uuid>,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The sender edited a message: replace it.
    #[serde(rename = "message.edited")]
    MessageEdited {
        cursor: String,
        message: MessageView,
    },
    /// The sender recalled a message: delete its body and attachments.
    #[serde(rename = "message.recalled")]
    MessageRecalled {
        cursor: String,
        conversation_id: Uuid,
        message_id: Uuid,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// A message's lifespan ended: delete it.
    #[serde(rename = "message.expired")]
    MessageExpired {
        cursor: String,
        conversation_id: Uuid,
        message_id: Uuid,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// To compliance officers: something needs their attention. Not part of the event log;
    /// `GET /alerts` lists them.
    #[serde(rename = "alert.raised")]
    AlertRaised { alert: crate::oversight::AlertView },
    /// The device fell behind: fetch from `cursor` with `/sync` (or reconnect with it).
    #[serde(rename = "resync")]
    Resync { cursor: String },
    /// The session ended (revoked, signed out, timed out); the socket closes.
    #[serde(rename = "session.revoked")]
    SessionRevoked { reason: String },
    /// Erase every local copy of Ward data, then confirm with `POST /auth/wipe-confirmation`.
    #[serde(rename = "device.wipe")]
    DeviceWipe,
    #[serde(rename = "pong")]
    Pong,
    /// A `send` frame's message is durably stored (`created` is false for a retry).
    #[serde(rename = "send.ok")]
    SendOk {
        client_id: Uuid,
        created: bool,
        message: MessageView,
    },
    /// A `send` frame's message was not stored; `problem` is what the REST call would answer,
    /// safety findings included.
    #[serde(rename = "send.failed")]
    SendFailed { client_id: Uuid, problem: Problem },
    #[serde(rename = "error")]
    Error { problem: Problem },
}

/// A bearer token inside a frame; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String)]
pub struct BearerToken(pub String);

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

/// What a device sends over the WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame, when the token is not in the `Authorization` header; with `cursor`, the
    /// server first sends everything after it.
    #[serde(rename = "auth")]
    Auth {
        token: BearerToken,
        cursor: Option<String>,
    },
    /// The device has every event up to `cursor` (records delivery receipts).
    #[serde(rename = "ack")]
    Ack { cursor: String },
    #[serde(rename = "ping")]
    Ping,
    /// Sends a message, exactly as `POST /conversations/{id}/messages` does (same checks, same
    /// idempotency by `client_id`); answered with `send.ok` or `send.failed`.
    #[serde(rename = "send")]
    Send {
        conversation_id: Uuid,
        message: SendMessageRequest,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_frames_carry_the_token_but_never_show_it() {
        let json = r#"{"type":"auth","token":"ward_secret_token","cursor":"12"}"#;
        let frame: ClientFrame = serde_json::from_str(json).unwrap_or(ClientFrame::Ping);
        assert_eq!(
            frame,
            ClientFrame::Auth {
                token: BearerToken("ward_secret_token".into()),
                cursor: Some("12".into())
            }
        );
        assert!(!format!("{frame:?}").contains("ward_secret_token"));
        let unknown =
            serde_json::from_str::<ClientFrame>(r#"{"type":"ack","cursor":"1","extra":1}"#);
        assert!(unknown.is_err(), "unknown fields are refused");
    }
}
