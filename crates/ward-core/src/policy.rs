//! Organisation policy: session lengths, who must use a second factor, login throttling, which
//! clinical safety findings block a message.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::conversation::Priority;
use crate::monitoring::MonitoringPolicy;
use crate::retention::RetentionPolicy;
use crate::role::RoleName;
use crate::safety::CheckKind;

/// The whole policy of a deployment, stored as one record and changed by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub session: SessionPolicy,
    pub login: LoginPolicy,
    /// Roles whose members must sign in with a second factor.
    pub mfa_required_roles: BTreeSet<RoleName>,
    /// Added after the first release: a stored policy without it gets the defaults.
    #[serde(default)]
    pub safety: SafetyPolicy,
    #[serde(default)]
    pub escalation: EscalationPolicy,
    #[serde(default)]
    pub monitoring: MonitoringPolicy,
    #[serde(default)]
    pub retention: RetentionPolicy,
    #[serde(default)]
    pub review: ReviewPolicy,
    #[serde(default)]
    pub notify: crate::notify::NotifyPolicy,
}

/// How soon the reviews HIPAA asks of a person are due (the compliance report judges them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPolicy {
    /// Days within which a compliance officer signs off a break-glass use or an alert.
    pub sign_off_days: i64,
    /// Days between access reviews of each active account.
    pub access_review_days: i64,
    /// Days without a sign-in after which an active account needs attention.
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

impl ReviewPolicy {
    fn validate(&self) -> Result<(), ValidationError> {
        for (field, days) in [
            ("review.sign_off_days", self.sign_off_days),
            ("review.access_review_days", self.access_review_days),
            ("review.inactive_days", self.inactive_days),
        ] {
            if !(1..=366).contains(&days) {
                return Err(ValidationError::new(
                    field,
                    "must be between 1 and 366 days",
                ));
            }
        }
        Ok(())
    }
}

/// How long an urgent or stat message waits for acknowledgement before each escalation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationPolicy {
    pub urgent_after_secs: i64,
    pub stat_after_secs: i64,
    /// How long an escalation grant lets the person brought in reach the message, unless the
    /// message is acknowledged first.
    #[serde(default = "default_grant_secs")]
    pub grant_secs: i64,
    /// How many messages before the escalated one the person brought in may read.
    #[serde(default = "default_context_messages")]
    pub context_messages: i64,
}

const fn default_grant_secs() -> i64 {
    4 * 3600
}

const fn default_context_messages() -> i64 {
    5
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            urgent_after_secs: 5 * 60,
            stat_after_secs: 2 * 60,
            grant_secs: default_grant_secs(),
            context_messages: default_context_messages(),
        }
    }
}

impl EscalationPolicy {
    /// The delay before each step for a message of this priority; `None` for normal messages,
    /// which need no acknowledgement.
    pub fn delay_secs(&self, priority: Priority) -> Option<i64> {
        match priority {
            Priority::Normal => None,
            Priority::Urgent => Some(self.urgent_after_secs),
            Priority::Stat => Some(self.stat_after_secs),
        }
    }
}

/// Which clinical safety findings stop a message instead of asking the sender to confirm.
/// "Do Not Use" abbreviations always only warn: the sender fixes the wording.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyPolicy {
    /// Patient identifiers outside the patient's own conversations.
    pub block_identifiers: bool,
    /// Text that reads like an order.
    pub block_order_text: bool,
}

impl SafetyPolicy {
    /// Whether a finding of this kind stops the message.
    pub fn blocks(&self, check: CheckKind) -> bool {
        match check {
            CheckKind::Identifier => self.block_identifiers,
            CheckKind::OrderText => self.block_order_text,
            CheckKind::Abbreviation => false,
        }
    }
}

/// Automatic logoff (HIPAA 164.312(a)(2)(iii)) and session lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionPolicy {
    /// A session unused for this long is ended.
    pub idle_timeout_secs: i64,
    /// A session ends this long after sign-in, however active.
    pub absolute_lifetime_secs: i64,
}

/// Password-guessing limits. Counters are durable, so a restart does not reset them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginPolicy {
    /// Failed sign-ins allowed per account name within the window; past it the account is
    /// locked until the window has moved on.
    pub max_failures_per_account: u32,
    /// Failed sign-ins allowed per client address within the window.
    pub max_failures_per_address: u32,
    pub window_secs: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            session: SessionPolicy {
                idle_timeout_secs: 15 * 60,
                absolute_lifetime_secs: 12 * 60 * 60,
            },
            login: LoginPolicy {
                max_failures_per_account: 10,
                max_failures_per_address: 100,
                window_secs: 15 * 60,
            },
            mfa_required_roles: [RoleName::ADMIN, RoleName::COMPLIANCE_OFFICER]
                .into_iter()
                .filter_map(|name| RoleName::parse(name).ok())
                .collect(),
            safety: SafetyPolicy::default(),
            escalation: EscalationPolicy::default(),
            monitoring: MonitoringPolicy::default(),
            retention: RetentionPolicy::default(),
            review: ReviewPolicy::default(),
            notify: crate::notify::NotifyPolicy::default(),
        }
    }
}

impl Policy {
    /// Checks that every value is within sane bounds.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let s = &self.session;
        if !(1..=24 * 3600).contains(&s.idle_timeout_secs) {
            return Err(ValidationError::new(
                "session.idle_timeout_secs",
                "must be between 1 second and 24 hours",
            ));
        }
        if !(s.idle_timeout_secs..=30 * 24 * 3600).contains(&s.absolute_lifetime_secs) {
            return Err(ValidationError::new(
                "session.absolute_lifetime_secs",
                "must be at least the idle timeout and at most 30 days",
            ));
        }
        let l = &self.login;
        if !(1..=1000).contains(&l.max_failures_per_account) {
            return Err(ValidationError::new(
                "login.max_failures_per_account",
                "must be between 1 and 1000",
            ));
        }
        if !(1..=100_000).contains(&l.max_failures_per_address) {
            return Err(ValidationError::new(
                "login.max_failures_per_address",
                "must be between 1 and 100000",
            ));
        }
        if !(60..=7 * 24 * 3600).contains(&l.window_secs) {
            return Err(ValidationError::new(
                "login.window_secs",
                "must be between 1 minute and 7 days",
            ));
        }
        let e = &self.escalation;
        for (field, secs) in [
            ("escalation.urgent_after_secs", e.urgent_after_secs),
            ("escalation.stat_after_secs", e.stat_after_secs),
        ] {
            if !(1..=24 * 3600).contains(&secs) {
                return Err(ValidationError::new(
                    field,
                    "must be between 1 second and 24 hours",
                ));
            }
        }
        if !(60..=24 * 3600).contains(&e.grant_secs) {
            return Err(ValidationError::new(
                "escalation.grant_secs",
                "must be between 1 minute and 24 hours",
            ));
        }
        if !(0..=50).contains(&e.context_messages) {
            return Err(ValidationError::new(
                "escalation.context_messages",
                "must be between 0 and 50",
            ));
        }
        self.monitoring.validate()?;
        self.retention.validate()?;
        self.review.validate()?;
        self.notify.validate()
    }

    pub fn requires_mfa(&self, role: &RoleName) -> bool {
        self.mfa_required_roles.contains(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_brief() {
        let policy = Policy::default();
        assert_eq!(policy.validate(), Ok(()));
        assert_eq!(policy.session.idle_timeout_secs, 900);
        assert_eq!(policy.session.absolute_lifetime_secs, 43_200);
        assert_eq!(policy.login.max_failures_per_account, 10);
        assert!(policy.requires_mfa(&RoleName::parse("admin").unwrap_or_else(|_| unreachable!())));
    }

    #[test]
    fn a_policy_stored_before_safety_existed_still_loads() {
        let mut stored = serde_json::to_value(Policy::default()).unwrap_or_default();
        if let Some(object) = stored.as_object_mut() {
            object.remove("safety");
        }
        let policy: Result<Policy, _> = serde_json::from_value(stored);
        assert_eq!(policy.ok().map(|p| p.safety), Some(SafetyPolicy::default()));
        let blocking = SafetyPolicy {
            block_identifiers: true,
            block_order_text: false,
        };
        assert!(blocking.blocks(CheckKind::Identifier));
        assert!(!blocking.blocks(CheckKind::OrderText));
        assert!(!blocking.blocks(CheckKind::Abbreviation));
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let mut policy = Policy::default();
        policy.session.idle_timeout_secs = 0;
        assert_eq!(
            policy.validate().map_err(|e| e.field),
            Err("session.idle_timeout_secs")
        );
        let mut policy = Policy::default();
        policy.session.absolute_lifetime_secs = 10;
        assert!(policy.validate().is_err());
        let mut policy = Policy::default();
        policy.login.window_secs = 5;
        assert!(policy.validate().is_err());
    }
}
