//! The values services hand out, as opened for a reader: a message with its body, a
//! conversation with its title, an attachment's description, the safety findings for a body,
//! an entry of an accounting of disclosures. Plain data: services build them, `wire` turns them
//! into their wire form.
//!
//! Imports only `ward_core`, `ward_media` and external crates: never services, the API, the hub
//! or `wire`.

use serde::{Deserialize, Serialize};
use ward_core::attachment::AttachmentId;
use ward_core::audit::AuditEvent;
use ward_core::conversation::{Conversation, Message};
use ward_core::id::UserId;
use ward_core::policy::SafetyPolicy;
use ward_core::safety::Finding;
use ward_media::Metadata;

/// A message with its body opened.
#[derive(Debug, Clone)]
pub struct PlainMessage {
    pub message: Message,
    pub body: String,
    pub attachments: Vec<AttachmentInfo>,
    /// Retention destroyed its key: the body and attachments are gone for good.
    pub disposed: bool,
}

/// A conversation with its title opened and its members.
#[derive(Debug, Clone)]
pub struct PlainConversation {
    pub conversation: Conversation,
    pub title: Option<String>,
    pub members: Vec<UserId>,
}

/// An attachment as its uploader and recipients see it; also the sealed list a message
/// carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: AttachmentId,
    pub name: Option<String>,
    pub media_type: String,
    pub size: u64,
    pub thumbnail: bool,
    pub metadata: Metadata,
}

/// One finding and whether policy makes it stop the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedFinding {
    pub finding: Finding,
    pub blocking: bool,
}

/// Every finding for one body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafetyReport {
    pub findings: Vec<ReviewedFinding>,
}

impl SafetyReport {
    /// The findings, each marked blocking where `policy` says so.
    pub(crate) fn new(findings: Vec<Finding>, policy: &SafetyPolicy) -> Self {
        let findings = findings
            .into_iter()
            .map(|finding| ReviewedFinding {
                blocking: policy.blocks(finding.check),
                finding,
            })
            .collect();
        Self { findings }
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// Some finding stops the message whatever the sender confirms.
    pub fn blocked(&self) -> bool {
        self.findings.iter().any(|f| f.blocking)
    }

    /// The distinct finding codes as a JSON array, for audit details (codes only, no text).
    pub fn codes_json(&self) -> String {
        let mut codes: Vec<&str> = self.findings.iter().map(|f| f.finding.code).collect();
        codes.sort_unstable();
        codes.dedup();
        serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
    }
}

/// One entry of an accounting of disclosures.
#[derive(Debug, Clone)]
pub struct Disclosure {
    pub event: AuditEvent,
    /// Why, where known: the reason stated for a break-glass access.
    pub purpose: Option<String>,
}

/// An alert (or break-glass use) in a review queue, with its sign-off opened.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub alert: ward_core::oversight::Alert,
    /// The username whose activity raised it.
    pub subject: Option<String>,
    pub signed_off_by: Option<String>,
    pub note: Option<String>,
}

/// One account in the access review.
#[derive(Debug, Clone)]
pub struct AccessRow {
    pub account: ward_core::evidence::Account,
    /// Conversations about patients it belongs to (care-team and patient threads).
    pub patient_conversations: usize,
    pub decision: Option<ward_core::oversight::AccessDecision>,
    pub reviewed_by: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct ComplianceReport {
    pub organisation: String,
    pub version: &'static str,
    pub generated_at: ward_core::Timestamp,
    pub period: crate::services::Period,
    /// The audit log's head when the report was made: seq and hash (hex).
    pub audit_head: Option<(i64, String)>,
    pub controls: Vec<ward_core::evidence::Assessment>,
    pub break_glass: Vec<ReviewItem>,
    pub alerts: Vec<ReviewItem>,
    pub access: Vec<AccessRow>,
    pub selftest: Vec<ward_core::evidence::Check>,
}
