//! Compliance reports over the audit log (a user's activity, failed sign-ins, exports and bulk
//! downloads, each over a period) and the e-discovery export of a conversation or of every
//! conversation about a patient, with earlier versions and attachments. Every report and
//! export is itself audited.

use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::audit::{AuditAction, AuditEvent, AuditFilter, Outcome, TargetKind};
use ward_core::conversation::{Conversation, Message};
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::role::Permission;

use super::Compliance;
use crate::services::Access;
use crate::services::{AttachmentInfo, Caller, PlainConversation, ServiceError};

/// Most rows one report holds; a longer period must be asked for in parts.
pub const MAX_REPORT_ROWS: usize = 100_000;
/// Most attachment bytes one export carries (they travel inside its JSON).
pub const MAX_EXPORT_BYTES: u64 = 256 * 1024 * 1024;
/// A period without a start begins this long before its end.
const DEFAULT_PERIOD_SECS: i64 = 30 * 24 * 3600;

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Everything one user did.
    UserActivity,
    /// Failed and throttled sign-ins.
    FailedLogins,
    /// Attachment downloads and compliance exports.
    Exports,
}

impl ReportKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UserActivity => "user-activity",
            Self::FailedLogins => "failed-logins",
            Self::Exports => "exports",
        }
    }

    const fn actions(self) -> &'static [AuditAction] {
        match self {
            Self::UserActivity => &[],
            Self::FailedLogins => &[AuditAction::LoginFailed, AuditAction::LoginThrottled],
            Self::Exports => &[
                AuditAction::AttachmentDownloaded,
                AuditAction::ConversationExported,
            ],
        }
    }
}

/// A period, checked: `from` at or before `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Period {
    /// The period asked for: up to now, and 30 days back, unless given.
    pub fn new(from: Option<Timestamp>, to: Option<Timestamp>) -> Result<Self, ValidationError> {
        let to = to.unwrap_or_else(Timestamp::now);
        let from = from.unwrap_or_else(|| to.plus_secs(-DEFAULT_PERIOD_SECS));
        if to < from {
            return Err(ValidationError::new("to", "must not be before from"));
        }
        Ok(Self { from, to })
    }
}

/// One message as exported, with what it was and carried.
#[derive(Debug, Clone)]
pub struct ExportedMessage {
    pub message: Message,
    /// `None` once retention disposed of it.
    pub body: Option<String>,
    /// Earlier bodies, oldest first.
    pub versions: Vec<String>,
    pub attachments: Vec<(AttachmentInfo, Vec<u8>)>,
}

/// A conversation as exported.
#[derive(Debug, Clone)]
pub struct ConversationExport {
    pub conversation: PlainConversation,
    pub messages: Vec<ExportedMessage>,
}

impl Compliance {
    /// A report over `period` (compliance officers); `user` is required for user activity and
    /// must exist.
    pub async fn report(
        &self,
        caller: &Caller,
        kind: ReportKind,
        user: Option<UserId>,
        period: Period,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        self.access
            .require(caller, Permission::AuditRead, AuditAction::ReportGenerated)
            .await?;
        let rows = self.report_rows(kind, user, period).await?;
        let event = caller
            .event(AuditAction::ReportGenerated, Outcome::Success)
            .target(TargetKind::AuditLog, None)
            .detail(format!(
                r#"{{"report":"{}","rows":{}}}"#,
                kind.as_str(),
                rows.len()
            ));
        self.store.append_audit(event).await?;
        Ok(rows)
    }

    /// The rows of a report, newest first, without a caller (the CLI audits its own run).
    pub async fn report_rows(
        &self,
        kind: ReportKind,
        user: Option<UserId>,
        period: Period,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        if kind == ReportKind::UserActivity {
            let user = user.ok_or(ValidationError::new("user", "is required for this report"))?;
            if self.store.user(user).await?.is_none() {
                return Err(ServiceError::NotFound("user"));
            }
        }
        let actions: Vec<Option<AuditAction>> = match kind.actions() {
            [] => vec![None],
            actions => actions.iter().copied().map(Some).collect(),
        };
        let mut rows = Vec::new();
        for action in actions {
            let filter = AuditFilter {
                actor: user,
                action,
                from: Some(period.from),
                to: Some(period.to),
                ..AuditFilter::default()
            };
            self.collect_audit(filter, &mut rows, MAX_REPORT_ROWS, Some)
                .await?;
        }
        rows.sort_by_key(|e| std::cmp::Reverse(e.seq));
        rows.truncate(MAX_REPORT_ROWS);
        Ok(rows)
    }

    /// Exports a conversation for e-discovery (compliance officers), audited.
    pub async fn export_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
    ) -> Result<ConversationExport, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ComplianceManage,
                AuditAction::ConversationExported,
            )
            .await?;
        let conversation = self
            .store
            .conversation(id)
            .await?
            .ok_or(ServiceError::NotFound("conversation"))?;
        let mut budget = MAX_EXPORT_BYTES;
        let export = self.export_one(conversation, &mut budget).await?;
        self.audit_export(caller, &export).await?;
        Ok(export)
    }

    /// Exports every conversation about a patient (care-team and patient threads).
    pub async fn export_patient(
        &self,
        caller: &Caller,
        patient: PatientId,
    ) -> Result<Vec<ConversationExport>, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ComplianceManage,
                AuditAction::ConversationExported,
            )
            .await?;
        if self.store.patient(patient).await?.is_none() {
            return Err(ServiceError::NotFound("patient"));
        }
        let mut budget = MAX_EXPORT_BYTES;
        let mut exports = Vec::new();
        for conversation in self.store.patient_conversations(patient).await? {
            exports.push(self.export_one(conversation, &mut budget).await?);
        }
        for export in &exports {
            self.audit_export(caller, export).await?;
        }
        Ok(exports)
    }

    async fn audit_export(
        &self,
        caller: &Caller,
        export: &ConversationExport,
    ) -> Result<(), ServiceError> {
        let c = &export.conversation.conversation;
        let files: usize = export.messages.iter().map(|m| m.attachments.len()).sum();
        let event = Access::conversation_event(caller, AuditAction::ConversationExported, c)
            .detail(format!(
                r#"{{"messages":{},"attachments":{files}}}"#,
                export.messages.len()
            ));
        self.store.append_audit(event).await?;
        Ok(())
    }

    async fn export_one(
        &self,
        conversation: Conversation,
        budget: &mut u64,
    ) -> Result<ConversationExport, ServiceError> {
        let id = conversation.id;
        let plain = self.sealing.plain_conversation(conversation).await?;
        let mut messages = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .store
                .messages(id, after, crate::services::MAX_PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for message in page {
                messages.push(self.export_message(message, budget).await?);
            }
        }
        Ok(ConversationExport {
            conversation: plain,
            messages,
        })
    }

    async fn export_message(
        &self,
        message: Message,
        budget: &mut u64,
    ) -> Result<ExportedMessage, ServiceError> {
        let body = match self.sealing.open_body(&message).await {
            Ok(body) => body,
            Err(ServiceError::Disposed) => {
                return Ok(ExportedMessage {
                    message,
                    body: None,
                    versions: Vec::new(),
                    attachments: Vec::new(),
                });
            }
            Err(e) => return Err(e),
        };
        let mut versions = Vec::new();
        for version in self.store.message_versions(message.id).await? {
            let text = self
                .sealing
                .open_text(
                    message.conversation_id,
                    version.epoch,
                    message.id,
                    &version.sealed_body,
                )
                .await?;
            versions.push(text);
        }
        let mut attachments = Vec::new();
        for info in self.attachments.open_attachment_list(&message).await? {
            *budget = budget
                .checked_sub(info.size)
                .ok_or(ServiceError::TooLarge {
                    limit: MAX_EXPORT_BYTES,
                    what: "an export's attachments (export conversations one at a time)",
                })?;
            let content = self.attachment_bytes(info.id).await?;
            attachments.push((info, content));
        }
        Ok(ExportedMessage {
            message,
            body: Some(body),
            versions,
            attachments,
        })
    }

    /// Every byte of an attachment, opened.
    async fn attachment_bytes(
        &self,
        id: ward_core::attachment::AttachmentId,
    ) -> Result<Vec<u8>, ServiceError> {
        let attachment = self
            .store
            .attachment(id)
            .await?
            .ok_or(ServiceError::NotFound("attachment"))?;
        let mut bytes = Vec::with_capacity(usize::try_from(attachment.size).unwrap_or(0));
        for index in 0..attachment.chunk_count {
            bytes.extend(self.attachments.open_chunk(&attachment, index).await?);
        }
        Ok(bytes)
    }
}
