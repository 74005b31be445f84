//! The statements of the write path, shared by the two backends' writers
//! ([`crate::postgres::writes`] on sqlx, [`crate::sqlite::writes`] on rusqlite). Placeholders
//! are PostgreSQL's `$N`; the SQLite writer binds them by number, as sqlx does.

// ---- audit --------------------------------------------------------------------------------

pub(crate) const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_events (seq, id, at, actor_id, \
     session_id, address, action, target_kind, target_id, patient_id, outcome, detail, \
     prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

// ---- users and second factors -------------------------------------------------------------

pub(crate) const ROLE_EXISTS: &str = "SELECT 1 FROM roles WHERE name = $1";
pub(crate) const INSERT_USER: &str = "INSERT INTO users (id, username, display_name, role, \
     status, password_hash, created_at, sealed_display_name) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// Seals a name stored plain: the placeholder in the plain column, the sealed name beside it.
pub(crate) const SEAL_DISPLAY_NAME: &str = "UPDATE users SET display_name = $1, \
     sealed_display_name = $2 WHERE id = $3 AND sealed_display_name IS NULL";
pub(crate) const SET_USER_STATUS: &str = "UPDATE users SET status = $1 WHERE id = $2";
pub(crate) const END_USER_SESSIONS: &str = "UPDATE sessions SET ended_at = $1, end_reason = $2 \
     WHERE user_id = $3 AND ended_at IS NULL";
pub(crate) const TOTP_CONFIRMED: &str = "SELECT confirmed FROM totp_factors WHERE user_id = $1";
pub(crate) const DELETE_TOTP: &str = "DELETE FROM totp_factors WHERE user_id = $1";
pub(crate) const INSERT_PENDING_TOTP: &str = "INSERT INTO totp_factors (user_id, sealed_secret, \
     confirmed, last_used_step, created_at) VALUES ($1, $2, $3, NULL, $4)";
pub(crate) const CONFIRM_TOTP: &str = "UPDATE totp_factors SET confirmed = $1, \
     last_used_step = $2 WHERE user_id = $3 AND confirmed = $4";
pub(crate) const CONSUME_TOTP_STEP: &str = "UPDATE totp_factors SET last_used_step = $1 \
     WHERE user_id = $2 AND confirmed = $3 AND (last_used_step IS NULL OR last_used_step < $1)";

// ---- sessions and sign-in throttling ------------------------------------------------------

pub(crate) const INSERT_SESSION: &str = "INSERT INTO sessions (id, user_id, token_hash, \
     device_name, scope, address, created_at, last_seen_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub(crate) const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 \
     AND last_seen_at < $1 AND ended_at IS NULL";
pub(crate) const END_SESSION: &str = "UPDATE sessions SET ended_at = $1, end_reason = $2 \
     WHERE id = $3 AND ended_at IS NULL";
pub(crate) const REQUEST_WIPE: &str = "UPDATE sessions SET wipe_requested_at = $1 WHERE id = $2 \
     AND ended_at IS NULL AND wipe_requested_at IS NULL";
pub(crate) const CONFIRM_WIPE: &str = "UPDATE sessions SET wipe_confirmed_at = $1, \
     ended_at = $1, end_reason = $2 \
     WHERE id = $3 AND ended_at IS NULL AND wipe_requested_at IS NOT NULL";
pub(crate) const SET_SESSION_SCOPE: &str = "UPDATE sessions SET scope = $1 WHERE id = $2";
pub(crate) const INSERT_LOGIN_FAILURE: &str =
    "INSERT INTO login_failures (username, address, at) VALUES ($1, $2, $3)";
pub(crate) const PRUNE_LOGIN_FAILURES: &str = "DELETE FROM login_failures WHERE at < $1";
/// Failures older than this are pruned; no policy window may be longer.
pub(crate) const FAILURE_RETENTION_SECS: i64 = 7 * 24 * 3600;

// ---- policy and data keys -----------------------------------------------------------------

/// Creates or changes a custom role; a built-in role's row is left alone (no row changes).
pub(crate) const PUT_ROLE: &str = "INSERT INTO roles (name, permissions, builtin) \
     VALUES ($1, $2, FALSE) ON CONFLICT (name) DO UPDATE SET permissions = excluded.permissions \
     WHERE NOT roles.builtin";
pub(crate) const PUT_POLICY: &str = "INSERT INTO policy (id, document, updated_at) \
     VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET document = $1, updated_at = $2";
pub(crate) const DATA_KEY: &str = "SELECT scope_kind, scope_id, epoch, root_key_id, wrapped, \
     created_at FROM data_keys WHERE scope_kind = $1 AND scope_id = $2 AND epoch = $3";
pub(crate) const INSERT_DATA_KEY: &str = "INSERT INTO data_keys (scope_kind, scope_id, epoch, \
     root_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (scope_kind, scope_id, epoch) DO NOTHING";
pub(crate) const UPDATE_WRAPPED_KEY: &str = "UPDATE data_keys SET root_key_id = $1, \
     wrapped = $2 WHERE scope_kind = $3 AND scope_id = $4 AND epoch = $5";

// ---- events and membership ----------------------------------------------------------------

pub(crate) const APPEND_EVENT: &str = "INSERT INTO events (seq, conversation_id, kind, \
     message_id, user_id, at) \
     VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), $1, $2, $3, $4, $5) RETURNING seq";
pub(crate) const ACTIVE_MEMBERS: &str = "SELECT user_id FROM memberships \
     WHERE conversation_id = $1 AND left_event IS NULL ORDER BY user_id";
pub(crate) const IS_MEMBER: &str = "SELECT joined_event FROM memberships \
     WHERE conversation_id = $1 AND user_id = $2 AND left_event IS NULL";
pub(crate) const INSERT_MEMBERSHIP: &str =
    "INSERT INTO memberships (conversation_id, user_id, joined_event) VALUES ($1, $2, $3)";
/// A new member's receipt starts where they start reading: at the conversation's latest
/// message, except in the kinds whose history new members read (see
/// `ConversationKind::new_members_read_history`), where it starts at 0.
pub(crate) const INSERT_RECEIPT: &str = "INSERT INTO receipts (conversation_id, user_id, \
     delivered_seq, read_seq, updated_at) \
     SELECT $1, $2, CASE WHEN kind IN ('care_team', 'patient', 'role') THEN 0 ELSE last_seq END, \
     CASE WHEN kind IN ('care_team', 'patient', 'role') THEN 0 ELSE last_seq END, $3 \
     FROM conversations WHERE id = $1 \
     ON CONFLICT (conversation_id, user_id) DO NOTHING";
pub(crate) const END_MEMBERSHIP: &str = "UPDATE memberships SET left_event = $1 \
     WHERE conversation_id = $2 AND user_id = $3 AND left_event IS NULL";

// ---- patients and conversations -----------------------------------------------------------

pub(crate) const INSERT_PATIENT: &str = "INSERT INTO patients (id, mrn_index, \
     sealed_demographics, user_id, created_at) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const ADD_CARE_TEAM_MEMBER: &str = "INSERT INTO care_team (patient_id, user_id) \
     VALUES ($1, $2) ON CONFLICT (patient_id, user_id) DO NOTHING";
pub(crate) const REMOVE_CARE_TEAM_MEMBER: &str =
    "DELETE FROM care_team WHERE patient_id = $1 AND user_id = $2";
pub(crate) const INSERT_CONVERSATION: &str = "INSERT INTO conversations (id, kind, sealed_title, \
     patient_id, direct_key, created_by, created_at, last_seq, lifespan_secs) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)";
pub(crate) const CARE_TEAM_CONVERSATION: &str = "SELECT c.id, c.kind, c.sealed_title, \
     c.patient_id, c.direct_key, c.created_by, c.created_at, c.lifespan_secs \
     FROM conversations c \
     WHERE c.patient_id = $1 AND c.kind = 'care_team'";

// ---- messages, receipts and device cursors ------------------------------------------------

/// Takes the conversation's next seq, if the sender is a member (one statement).
pub(crate) const NEXT_MESSAGE_SEQ: &str = "UPDATE conversations SET last_seq = last_seq + 1 \
     WHERE id = $1 AND EXISTS (SELECT 1 FROM memberships WHERE conversation_id = $1 \
     AND user_id = $2 AND left_event IS NULL) RETURNING last_seq";
pub(crate) const INSERT_MESSAGE: &str = "INSERT INTO messages (id, conversation_id, seq, \
     sender_id, client_id, priority, epoch, sealed_body, created_at, event_seq, \
     sealed_attachments, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
pub(crate) const ADVANCE_RECEIPT: &str = "UPDATE receipts SET \
     delivered_seq = CASE WHEN delivered_seq < $1 THEN $1 ELSE delivered_seq END, \
     read_seq = CASE WHEN read_seq < $2 THEN $2 ELSE read_seq END, updated_at = $3 \
     WHERE conversation_id = $4 AND user_id = $5 AND (delivered_seq < $1 OR read_seq < $2)";
/// Per conversation of a member, the last message in a range of the event log that someone
/// else sent (NULL if none): one bounded index lookup per conversation.
pub(crate) const DELIVERED_IN_RANGE: &str = "SELECT ms.conversation_id, \
     (SELECT m.seq FROM messages m WHERE m.conversation_id = ms.conversation_id \
     AND m.event_seq > $2 AND m.event_seq <= $3 AND m.sender_id <> $1 \
     ORDER BY m.event_seq DESC LIMIT 1) \
     FROM memberships ms WHERE ms.user_id = $1 AND ms.left_event IS NULL";
pub(crate) const DEVICE_CURSOR: &str = "SELECT cursor FROM device_cursors WHERE session_id = $1";
pub(crate) const SET_DEVICE_CURSOR: &str = "INSERT INTO device_cursors (session_id, cursor, \
     updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (session_id) DO UPDATE SET cursor = $2, updated_at = $3";

// ---- acknowledgement, escalation, clinical roles ------------------------------------------

pub(crate) const INSERT_ACK: &str = "INSERT INTO message_acks (message_id, user_id, acked_at) \
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
pub(crate) const INSERT_ESCALATION: &str = "INSERT INTO escalations (message_id, \
     conversation_id, due_at) VALUES ($1, $2, $3)";
/// Moves an escalation on, only from the step it was read at (one node takes each step).
pub(crate) const ADVANCE_ESCALATION: &str = "UPDATE escalations SET steps_taken = $1, \
     due_at = COALESCE($2, due_at), state = $3 \
     WHERE message_id = $4 AND steps_taken = $5 AND state = 'pending'";
pub(crate) const INSERT_CLINICAL_ROLE: &str = "INSERT INTO clinical_roles (id, name, \
     supervisor_id, created_at) VALUES ($1, $2, $3, $4)";
pub(crate) const INSERT_SHIFT: &str = "INSERT INTO role_shifts (id, role_id, user_id, \
     starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const SET_ESCALATION_ROLE: &str = "INSERT INTO conversation_escalation \
     (conversation_id, role_id) VALUES ($1, $2) \
     ON CONFLICT (conversation_id) DO UPDATE SET role_id = excluded.role_id";
pub(crate) const CLEAR_ESCALATION_ROLE: &str =
    "DELETE FROM conversation_escalation WHERE conversation_id = $1";

/// Why a send that names attachments was refused.
pub(crate) const ATTACH_REFUSED: ward_core::ValidationError = ward_core::ValidationError::new(
    "attachments",
    "an attachment is not a finished upload of yours to this conversation, or is attached already",
);
/// Why an upload's size cannot be stored.
pub(crate) const SIZE_REFUSED: ward_core::ValidationError =
    ward_core::ValidationError::new("size", "is too large to store");

// ---- attachments --------------------------------------------------------------------------

pub(crate) const INSERT_ATTACHMENT: &str = "INSERT INTO attachments (id, conversation_id, \
     uploader_id, epoch, media_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const INSERT_ATTACHMENT_CHUNK: &str = "INSERT INTO attachment_chunks \
     (attachment_id, idx, sealed) SELECT $1, $2, $3 \
     WHERE EXISTS (SELECT 1 FROM attachments WHERE id = $1 AND state = 'uploading')";
pub(crate) const FINISH_ATTACHMENT: &str = "UPDATE attachments SET state = 'ready', \
     media_type = $2, size = $3, chunk_count = $4, sealed_name = $5, sealed_thumbnail = $6, \
     metadata = $7 WHERE id = $1 AND state = 'uploading' \
     AND (SELECT COUNT(*) FROM attachment_chunks WHERE attachment_id = $1) = $4";
pub(crate) const DELETE_ATTACHMENT_CHUNKS: &str =
    "DELETE FROM attachment_chunks WHERE attachment_id = $1";
pub(crate) const DELETE_UPLOADING_ATTACHMENT: &str =
    "DELETE FROM attachments WHERE id = $1 AND state = 'uploading'";
pub(crate) const STALE_UPLOADS: &str =
    "SELECT id FROM attachments WHERE state = 'uploading' AND created_at < $1";
/// Gives a ready, unattached upload of the sender's in this conversation to a message.
pub(crate) const ATTACH_TO_MESSAGE: &str = "UPDATE attachments SET message_id = $1 \
     WHERE id = $2 AND conversation_id = $3 AND uploader_id = $4 AND state = 'ready' \
     AND message_id IS NULL";

// ---- edit, recall, lifespan; scheduled sends; break-glass and alerts ---------------------
// Their writes are written once for both backends ([`crate::writes_workflow`]), binding
// [`Arg`]s.

/// A value bound to a statement whose write is shared by the two backends.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Id(Option<uuid::Uuid>),
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

pub(crate) const COUNT_VERSIONS: &str =
    "SELECT COUNT(*) FROM message_versions WHERE message_id = $1";
/// Keeps a message's current body as a version, if `sender` sent it and it is still readable.
pub(crate) const KEEP_VERSION: &str = "INSERT INTO message_versions (message_id, version, \
     epoch, sealed_body, replaced_at) SELECT id, $2, epoch, sealed_body, $3 FROM messages \
     WHERE id = $1 AND sender_id = $4 AND recalled_at IS NULL AND expired_at IS NULL";
pub(crate) const REPLACE_BODY: &str = "UPDATE messages SET epoch = $2, sealed_body = $3, \
     edited_at = $4 WHERE id = $1";
pub(crate) const RECALL_MESSAGE: &str = "UPDATE messages SET recalled_at = $2 WHERE id = $1 \
     AND sender_id = $3 AND recalled_at IS NULL AND expired_at IS NULL";
pub(crate) const EXPIRE_MESSAGE: &str = "UPDATE messages SET expired_at = $2 WHERE id = $1 \
     AND expired_at IS NULL";
/// A withdrawn message escalates no further.
pub(crate) const WITHDRAW_ESCALATION: &str = "UPDATE escalations SET state = 'withdrawn' \
     WHERE message_id = $1 AND state = 'pending'";
pub(crate) const SET_LIFESPAN: &str = "UPDATE conversations SET lifespan_secs = $2 WHERE id = $1";

pub(crate) const INSERT_SCHEDULED: &str = "INSERT INTO scheduled_messages (id, \
     conversation_id, sender_id, session_id, client_id, priority, epoch, sealed_body, \
     attachments, lifespan_secs, send_at, state, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12)";
pub(crate) const CANCEL_SCHEDULED: &str = "UPDATE scheduled_messages SET state = 'cancelled' \
     WHERE id = $1 AND sender_id = $2 AND state = 'pending'";
/// A scheduler takes a due message (or one whose earlier claim timed out).
pub(crate) const CLAIM_SCHEDULED: &str = "UPDATE scheduled_messages SET state = 'sending' \
     WHERE id = $1 AND state IN ('pending', 'sending')";
pub(crate) const FINISH_SCHEDULED: &str = "UPDATE scheduled_messages SET state = $2, \
     message_id = $3, failure = $4 WHERE id = $1 AND state = 'sending'";

pub(crate) const INSERT_GRANT: &str = "INSERT INTO break_glass (id, patient_id, user_id, \
     conversation_id, epoch, sealed_reason, opened_at, ends_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const END_GRANT: &str =
    "UPDATE break_glass SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL";
/// Whether a user still has a reason to be in a care-team thread: on the care team, or
/// another break-glass grant still open.
pub(crate) const STILL_ENTITLED: &str = "SELECT (SELECT COUNT(*) FROM care_team \
     WHERE patient_id = $1 AND user_id = $2) + (SELECT COUNT(*) FROM break_glass \
     WHERE patient_id = $1 AND user_id = $2 AND ended_at IS NULL)";
pub(crate) const INSERT_ALERT: &str = "INSERT INTO alerts (id, kind, subject_id, patient_id, \
     audit_seq, raised_at, evidence) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (kind, audit_seq) DO NOTHING";
pub(crate) const ACKNOWLEDGE_ALERT: &str = "UPDATE alerts SET acknowledged_by = $2, \
     acknowledged_at = $3 WHERE id = $1 AND acknowledged_at IS NULL";

// ---- compliance ------------------------------------------------------------------------------

pub(crate) const INSERT_CHECKPOINT: &str = "INSERT INTO audit_checkpoints (seq, head_hash, \
     signed_at, public_key, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING";
pub(crate) const SET_RETENTION: &str = "UPDATE conversations SET retention_secs = $2 WHERE id = $1";
pub(crate) const DESTROY_DATA_KEY: &str =
    "DELETE FROM data_keys WHERE scope_kind = 'conversation' AND scope_id = $1 AND epoch = $2";
pub(crate) const RECORD_SHRED: &str = "INSERT INTO shredded_keys (scope_kind, scope_id, epoch, \
     shredded_at) VALUES ('conversation', $1, $2, $3) ON CONFLICT DO NOTHING";
pub(crate) const PLACE_HOLD: &str = "INSERT INTO legal_holds (id, scope, subject_id, epoch, \
     sealed_reason, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const RELEASE_HOLD: &str = "UPDATE legal_holds SET released_by = $2, \
     released_at = $3 WHERE id = $1 AND released_at IS NULL";
pub(crate) const DELETE_DATA_KEY: &str =
    "DELETE FROM data_keys WHERE scope_kind = $1 AND scope_id = $2 AND epoch = $3";
