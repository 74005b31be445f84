// Wire types of the `/api/v1` API (see crates/ward-proto). Times are RFC 3339 strings.

export type Uuid = string;
export type Priority = "normal" | "urgent" | "stat";
export type ConversationKind = "direct" | "group" | "channel" | "care_team" | "patient" | "role";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
  retry_after?: number;
  findings?: SafetyFinding[];
}

export interface UserSummary { id: Uuid; username: string; role: string }
export interface UserView {
  id: Uuid; username: string; display_name: string; role: string;
  status: "active" | "disabled"; created_at: string;
}
/** A change a second person with the compliance permission must approve (202 answers). */
export interface PrivilegedChangeView {
  id: Uuid; kind: "create_user" | "reset_totp"; subject: Uuid; requested_by: Uuid;
  account: { username: string; display_name: string; role: string } | null;
  requested_at: string; expires_at: string; state: "pending" | "approved" | "rejected" | "expired";
  decided_by: Uuid | null; decided_at: string | null;
}
/** Whether an answer is a privileged change waiting for approval rather than the change. */
export function isPendingChange(answer: unknown): answer is PrivilegedChangeView {
  return typeof answer === "object" && answer !== null && "requested_by" in answer && "kind" in answer;
}
export interface SessionView {
  id: Uuid; device_name: string; scope: "full" | "mfa_enrollment"; address: string | null;
  created_at: string; last_seen_at: string; expires_at: string;
  wipe_requested_at: string | null; current: boolean;
}
export interface Me { user: UserView; permissions: string[]; mfa_enrolled: boolean; session: SessionView }
export interface WebSession {
  session_id: Uuid; user: UserSummary; expires_at: string; scope: "full" | "mfa_enrollment";
  idle_timeout_secs: number; csrf_token: string;
}
export interface TotpEnrollment { secret: string; otpauth_uri: string }
export interface RoleView { name: string; permissions: string[]; builtin: boolean }

export interface PatientView {
  id: Uuid; mrn: string; family_name: string; given_name: string;
  /** YYYY-MM-DD. */
  birth_date: string;
  user_id: Uuid | null; care_team: Uuid[]; care_team_conversation_id: Uuid | null;
}
/** A channel in the directory (GET /channels). */
export interface ChannelView {
  id: Uuid;
  title: string | null;
  member_count: number;
  joined: boolean;
}

export interface ConversationView {
  id: Uuid; kind: ConversationKind; title: string | null; patient_id: Uuid | null;
  members: Uuid[]; created_at: string; last_seq?: number; unread?: number; lifespan_secs?: number;
}
export interface AttachmentView {
  id: Uuid; name: string | null; media_type: string; size: number; thumbnail: boolean;
  metadata: { stripped: boolean; removed: string[]; note: string | null };
}
export interface MessageView {
  id: Uuid; seq: number; conversation_id: Uuid; sender_id: Uuid; client_id: Uuid; body: string;
  priority: Priority; created_at: string; attachments: AttachmentView[];
  edited_at?: string | null; recalled?: boolean; expires_at?: string | null; expired?: boolean;
  disposed?: boolean;
}
export interface ReceiptView {
  conversation_id: Uuid; user_id: Uuid; delivered_up_to: number; read_up_to: number; updated_at: string;
}
export interface RecipientState { user_id: Uuid; delivered: boolean; read: boolean; acknowledged_at: string | null }
export interface AckView { message_id: Uuid; user_id: Uuid; acknowledged_at: string }
export interface MessageReceipts { message_id: Uuid; recipients: RecipientState[] }
export interface SafetyFinding {
  check: "identifier" | "abbreviation" | "order_text"; code: string; start: number; end: number;
  advice: string; blocking: boolean;
}
export interface SafetyCheckResult { findings: SafetyFinding[]; blocked: boolean }

export type AlertKind = "break_glass" | "many_patients" | "bulk_download" | "failed_logins" | "new_address" | "unusual_hours";
export interface AlertView {
  id: Uuid; kind: AlertKind; subject_id: Uuid | null; patient_id: Uuid | null; audit_seq: number;
  evidence: number[]; raised_at: string; acknowledged_by: Uuid | null; acknowledged_at: string | null;
}
export interface AuditEventView {
  seq: number; id: Uuid; at: string; actor_id: Uuid | null; session_id: Uuid | null;
  address: string | null; action: string; target_kind: string | null; target_id: Uuid | null;
  patient_id: Uuid | null; outcome: string; detail: unknown; hash: string;
}
export interface AuditPage { events: AuditEventView[]; next_before: number | null }
export interface DisclosureView {
  at: string; actor_id: Uuid | null; action: string; outcome: string; purpose: string | null; audit_seq: number;
}
export type HoldScope = "conversation" | "patient" | "user";
export interface LegalHoldView {
  id: Uuid; scope: HoldScope; subject_id: Uuid; reason: string; placed_by: Uuid; placed_at: string;
  released_by: Uuid | null; released_at: string | null;
}

/** Frames the server pushes over the WebSocket (and returns from `/sync`). */
export type ServerFrame =
  | { type: "hello"; session_id: Uuid; cursor: string }
  | { type: "message.created"; cursor: string; message: MessageView }
  | { type: "message.edited"; cursor: string; message: MessageView }
  | { type: "receipt.updated"; cursor: string; receipt: ReceiptView }
  | { type: "conversation.updated"; cursor: string; conversation: ConversationView }
  | { type: "member.removed"; cursor: string; conversation_id: Uuid; user_id: Uuid }
  | { type: "message.acknowledged"; cursor: string; conversation_id: Uuid; message_id: Uuid; user_id: Uuid; at: string }
  | { type: "message.escalated"; cursor: string; conversation_id: Uuid; message_id: Uuid; step: string; target_user_id: Uuid | null; at: string }
  | { type: "message.recalled"; cursor: string; conversation_id: Uuid; message_id: Uuid; at: string }
  | { type: "message.expired"; cursor: string; conversation_id: Uuid; message_id: Uuid; at: string }
  | { type: "alert.raised"; alert: AlertView }
  | { type: "resync"; cursor: string }
  | { type: "session.revoked"; reason: string }
  | { type: "device.wipe" }
  | { type: "pong" }
  | { type: "error"; problem: Problem };

export interface SyncPage { events: ServerFrame[]; cursor: string; more: boolean }
