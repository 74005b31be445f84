//! Patients, conversations, messages, attachments and receipts. Sync and the WebSocket frames
//! are in [`crate::realtime`].

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

// Birth dates travel as `YYYY-MM-DD`, as the schema says.
time::serde::format_description!(calendar_date, Date, "[year]-[month]-[day]");

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePatientRequest {
    /// 1 to 32 letters, digits or `-`.
    #[schema(min_length = 1, max_length = 32)]
    pub mrn: String,
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: String,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    #[serde(with = "calendar_date")]
    pub birth_date: Date,
    /// The patient's own account, if they have one (role `patient`).
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// Staff on the care team; they become the members of the care-team conversation.
    pub care_team: Vec<Uuid>,
}

/// Finds a patient by medical record number (in the body, never in a URL).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientLookupRequest {
    #[schema(min_length = 1, max_length = 32)]
    pub mrn: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PatientView {
    pub id: Uuid,
    pub mrn: String,
    pub family_name: String,
    pub given_name: String,
    #[schema(value_type = String, format = Date)]
    #[serde(with = "calendar_date")]
    pub birth_date: Date,
    pub user_id: Option<Uuid>,
    pub care_team: Vec<Uuid>,
    pub care_team_conversation_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PatientList {
    pub patients: Vec<PatientView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub user_id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Direct,
    Group,
    Channel,
    CareTeam,
    Patient,
    /// A thread with a clinical role (`POST /clinical-roles/{id}/messages`); its title is the
    /// role's name and its staff member whoever holds the role.
    Role,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversationRequest {
    pub kind: ConversationKind,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// Members besides the creator, who is always one.
    pub member_ids: Vec<Uuid>,
    /// For `patient` conversations: the patient (whose account joins).
    #[serde(default)]
    pub patient_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConversationView {
    pub id: Uuid,
    pub kind: ConversationKind,
    pub title: Option<String>,
    pub patient_id: Option<Uuid>,
    pub members: Vec<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The seq of the latest message (in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seq: Option<i64>,
    /// Messages after the caller's read position (in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread: Option<i64>,
    /// How long its new messages live on devices, in seconds (absent: no lifespan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifespan_secs: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConversationList {
    pub conversations: Vec<ConversationView>,
}

/// A channel in the directory staff join from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChannelView {
    pub id: Uuid,
    /// `None` once the month its title was sealed in has been disposed of.
    pub title: Option<String>,
    pub member_count: usize,
    /// Whether the caller is a member.
    pub joined: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChannelList {
    pub channels: Vec<ChannelView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Normal,
    Urgent,
    Stat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// A UUID the client picks; a retry with the same one never makes a second message.
    pub client_id: Uuid,
    pub body: String,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// The sender has seen the clinical safety findings for this body and sends it anyway.
    /// Without it, a body with findings is answered `safety-review` and not sent.
    #[serde(default)]
    pub confirm_findings: bool,
    /// Uploads (from `POST /attachments`) this message carries; each is the sender's, to this
    /// conversation, and not carried by another message. With attachments the body may be
    /// empty.
    #[serde(default)]
    pub attachments: Vec<Uuid>,
    /// Send later, at this time (in the future): the answer is `202` with the scheduled
    /// message, which is sent then (safety checks run again) unless cancelled before.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub send_at: Option<OffsetDateTime>,
    /// Devices delete the message after this many seconds (60 to 366 days); without it, the
    /// conversation's lifespan applies, if it has one.
    #[serde(default)]
    #[schema(minimum = 60, maximum = 31622400)]
    pub lifespan_secs: Option<i64>,
}

/// A body to run the clinical safety checks on, without sending it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyCheckRequest {
    #[schema(min_length = 1)]
    pub body: String,
}

/// Which check a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SafetyCheckKind {
    /// A patient identifier outside the patient's own conversations.
    Identifier,
    /// A Joint Commission "Do Not Use" abbreviation.
    Abbreviation,
    /// Text that reads like an order (medication, lab, imaging, diet, nursing, device, blood
    /// product, consult, code status or disposition); orders go through order entry (CPOE).
    OrderText,
}

/// One thing the sender should look at. Offsets are in bytes of the UTF-8 body; the finding
/// never repeats the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SafetyFinding {
    pub check: SafetyCheckKind,
    /// A stable code, such as `ssn`, `patient_name`, `qd`, `trailing_zero` or `order`.
    pub code: String,
    pub start: usize,
    pub end: usize,
    /// What to write or do instead.
    pub advice: String,
    /// Policy stops a message with this finding; confirming does not help.
    pub blocking: bool,
}

/// The findings for a body, as sending it would see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SafetyCheckResult {
    pub findings: Vec<SafetyFinding>,
    /// Some finding blocks the message: it cannot be sent as written.
    pub blocked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub seq: i64,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    pub client_id: Uuid,
    pub body: String,
    pub priority: Priority,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default)]
    pub attachments: Vec<AttachmentView>,
    /// When the sender last edited it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
    /// Recalled by the sender: the body and attachments are gone.
    #[serde(default)]
    pub recalled: bool,
    /// When devices delete it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Its lifespan ended: the body and attachments are gone.
    #[serde(default)]
    pub expired: bool,
    /// Retention disposed of it (its key was destroyed): the body and attachments are gone
    /// for everyone, compliance included.
    #[serde(default)]
    pub disposed: bool,
}

/// An uploaded file. Download it from `GET /attachments/{id}`, its thumbnail (images) from
/// `GET /attachments/{id}/thumbnail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    /// The name the uploader gave, if any.
    pub name: Option<String>,
    /// The type sniffed from the bytes (never the one the client claimed).
    pub media_type: String,
    /// Size in bytes, as stored (after metadata stripping).
    pub size: u64,
    pub thumbnail: bool,
    pub metadata: AttachmentMetadata,
}

/// `POST /attachments?conversation_id=ID`; the body is the file itself, and its name (if any)
/// goes percent-encoded in the [`FILE_NAME_HEADER`] header, never in the URL.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The conversation the file is for; its key seals the file.
    pub conversation_id: Uuid,
}

/// The request header carrying an upload's file name, percent-encoded UTF-8.
pub const FILE_NAME_HEADER: &str = "ward-file-name";

/// What was done about the file's embedded metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentMetadata {
    /// True if embedded metadata was removed before storing.
    pub stripped: bool,
    /// The kinds removed (`exif`, `gps`, `xmp`, `iptc`, `comment`, `text`, ...).
    #[serde(default)]
    pub removed: Vec<String>,
    /// Why it was not stripped, when it was not.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageList {
    pub messages: Vec<MessageView>,
    /// Who acknowledged the urgent and stat messages of this page, and when.
    #[serde(default)]
    pub acknowledgements: Vec<AckView>,
}

/// `?after=SEQ&limit=N`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Messages with a higher seq (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (1 to 1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub up_to_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptView {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub delivered_up_to: i64,
    pub read_up_to: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Per recipient of one message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecipientState {
    pub user_id: Uuid,
    pub delivered: bool,
    pub read: bool,
    /// When they acknowledged an urgent or stat message (absent: not yet, or not urgent).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// An escalation step of an unacknowledged urgent or stat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationStep {
    /// The recipients who have not acknowledged are notified again.
    Repeat,
    /// Whoever holds the conversation's on-call role now is brought in.
    OnCall,
    /// The on-call role's supervisor is brought in.
    Supervisor,
}

/// The answer to an acknowledgement.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AckView {
    pub message_id: Uuid,
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub acknowledged_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageReceipts {
    pub message_id: Uuid,
    pub recipients: Vec<RecipientState>,
}
