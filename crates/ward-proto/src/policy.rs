//! The organisation policy document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    pub session: SessionPolicy,
    pub login: LoginPolicy,
    /// Roles whose members must sign in with a second factor.
    pub mfa_required_roles: Vec<String>,
    /// Which clinical safety findings block a message; absent means none do.
    #[serde(default)]
    pub safety: SafetyPolicy,
    /// How long urgent and stat messages wait for acknowledgement before each escalation step.
    #[serde(default)]
    pub escalation: EscalationPolicy,
    /// Thresholds of the monitoring rules that raise alerts to compliance officers.
    #[serde(default)]
    pub monitoring: MonitoringPolicy,
    /// How long each kind of conversation keeps its messages; absent keeps them.
    #[serde(default)]
    pub retention: RetentionPolicy,
    /// How soon the reviews a person must do are due; the compliance report judges them.
    #[serde(default)]
    pub review: ReviewPolicy,
    /// When notifications go out.
    #[serde(default)]
    pub notify: NotifyPolicy,
}

/// When push notifications go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyPolicy {
    /// How long a normal message waits, unread, before it notifies (0 to 86400 seconds; 120 by
    /// default). Urgent and STAT messages notify at once.
    pub normal_delay_secs: i64,
    /// Urgent messages notify whatever a user's preferences say (true by default). STAT
    /// messages always do.
    pub force_urgent: bool,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        Self {
            normal_delay_secs: 120,
            force_urgent: true,
        }
    }
}

/// Days (1 to 366) within which the reviews HIPAA asks of a person are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewPolicy {
    /// A compliance officer signs off each break-glass use and alert within this many days; 7
    /// by default.
    pub sign_off_days: i64,
    /// Each active account's access is reviewed at least this often; 90 days by default.
    pub access_review_days: i64,
    /// An active account unused this long needs attention; 90 days by default.
    pub inactive_days: i64,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            sign_off_days: 7,
            access_review_days: 90,
            inactive_days: 90,
        }
    }
}

/// Retention per conversation kind, in seconds (60 seconds to 100 years); `null` keeps
/// messages until a policy says otherwise. Disposal destroys each closed key epoch (a month)
/// whose messages are all past retention, unless a legal hold covers it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    #[serde(default)]
    pub direct: Option<i64>,
    #[serde(default)]
    pub group: Option<i64>,
    #[serde(default)]
    pub channel: Option<i64>,
    #[serde(default)]
    pub care_team: Option<i64>,
    #[serde(default)]
    pub patient: Option<i64>,
    #[serde(default)]
    pub role: Option<i64>,
}

/// Thresholds of the monitoring rules; each counts within one sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitoringPolicy {
    /// The window, in seconds (10 to 86400); 60 by default.
    pub window_secs: i64,
    /// Distinct patients whose records one user opens within the window; 30 by default.
    pub distinct_patients: u32,
    /// Attachments one user downloads, or conversations they export, within the window; 20
    /// by default.
    pub downloads: u32,
    /// Failed sign-ins for one account or from one address within the window; 10 by default.
    pub failed_logins: u32,
    /// Alert on a sign-in from an address the user never used before; on by default.
    pub new_address: bool,
    /// Alert on a sign-in at an hour (UTC) none of the user's last 200 sign-ins came within an
    /// hour of, once they have 20; on by default.
    #[serde(default = "enabled")]
    pub unusual_hours: bool,
}

const fn enabled() -> bool {
    true
}

impl Default for MonitoringPolicy {
    fn default() -> Self {
        Self {
            window_secs: 60,
            distinct_patients: 30,
            downloads: 20,
            failed_logins: 10,
            new_address: true,
            unusual_hours: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationPolicy {
    /// Seconds (1 to 86400); 300 by default.
    pub urgent_after_secs: i64,
    /// Seconds (1 to 86400); 120 by default.
    pub stat_after_secs: i64,
    /// How long (seconds, 60 to 86400; 14400 by default) a person an escalation brings in may
    /// reach the message, unless it is acknowledged first. They never become a member.
    #[serde(default = "default_grant_secs")]
    pub grant_secs: i64,
    /// How many messages before the escalated one they may read (0 to 50; 5 by default).
    #[serde(default = "default_context_messages")]
    pub context_messages: i64,
}

const fn default_grant_secs() -> i64 {
    14_400
}

const fn default_context_messages() -> i64 {
    5
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            urgent_after_secs: 300,
            stat_after_secs: 120,
            grant_secs: default_grant_secs(),
            context_messages: default_context_messages(),
        }
    }
}

/// Which clinical safety findings block a message rather than ask the sender to confirm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyPolicy {
    /// Patient identifiers in a conversation that is not about a patient.
    pub block_identifiers: bool,
    /// Text that reads like an order (medication, lab, imaging, diet, nursing, device, blood
    /// product, consult, code status or disposition); orders go through order entry (CPOE).
    pub block_order_text: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPolicy {
    /// Automatic logoff after this many seconds without activity (1 to 86400).
    pub idle_timeout_secs: i64,
    /// A session ends this many seconds after sign-in.
    pub absolute_lifetime_secs: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginPolicy {
    pub max_failures_per_account: u32,
    pub max_failures_per_address: u32,
    pub window_secs: i64,
}
