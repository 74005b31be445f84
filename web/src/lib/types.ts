// Names for the wire types of the `/api/v1` API. Each is the schema of the server's OpenAPI
// document as generated into `api-schema.d.ts` (see crates/ward-proto for the Rust side); none is
// written out here. Times are RFC 3339 strings.

import type { components } from "./api-schema";

type Schemas = components["schemas"];

/** An id as the wire carries it (a UUID string); a name for readability, not a wire type. */
export type Uuid = string;

export type Problem = Schemas["Problem"];

export type Priority = Schemas["Priority"];
export type ConversationKind = Schemas["ConversationKind"];
export type ConversationView = Schemas["ConversationView"];
export type ChannelView = Schemas["ChannelView"];
export type MessageView = Schemas["MessageView"];
export type AttachmentView = Schemas["AttachmentView"];
export type ReceiptView = Schemas["ReceiptView"];
export type SafetyFinding = Schemas["SafetyFinding"];
/** A message an escalation brought the user to (not a membership), with its context. */
export type EscalationGrantView = Schemas["EscalationGrantView"];
/** Frames the server pushes over the WebSocket (and returns from `/sync`). */
export type ServerFrame = Schemas["ServerFrame"];

export type UserView = Schemas["UserView"];
export type SessionView = Schemas["SessionView"];
export type Me = Schemas["Me"];
export type WebSession = Schemas["WebSession"];
export type TotpEnrollment = Schemas["TotpEnrollment"];
export type RoleView = Schemas["RoleView"];
export type PolicyDocument = Schemas["PolicyDocument"];
/** A change a second person with the compliance permission must approve (202 answers). */
export type PrivilegedChangeView = Schemas["PrivilegedChangeView"];

export type PatientView = Schemas["PatientView"];

export type AlertKind = Schemas["AlertKind"];
export type AlertView = Schemas["AlertView"];
export type AuditEventView = Schemas["AuditEventView"];
export type AuditPage = Schemas["AuditPage"];
export type AuditVerifyReport = Schemas["AuditVerifyReport"];
export type DisclosureView = Schemas["DisclosureView"];
export type HoldScope = Schemas["HoldScope"];
export type LegalHoldView = Schemas["LegalHoldView"];

export type ComplianceReportView = Schemas["ComplianceReportView"];
export type ControlView = Schemas["ControlView"];
export type ReviewItemView = Schemas["ReviewItemView"];
export type AccessReviewRow = Schemas["AccessReviewRow"];

/** Whether an answer is a privileged change waiting for approval rather than the change. */
export function isPendingChange(answer: unknown): answer is PrivilegedChangeView {
  return typeof answer === "object" && answer !== null && "requested_by" in answer && "kind" in answer;
}
