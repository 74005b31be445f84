//! Device sessions. A session belongs to one device of one user and is found by the hash of its
//! bearer token; it ends on logout, revocation, idle timeout, absolute expiry or remote wipe.

use serde::{Deserialize, Serialize};

use crate::id::{SessionId, UserId};
use crate::policy::SessionPolicy;
use crate::{Timestamp, ValidationError};

/// What a session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionScope {
    /// Everything the user's role allows.
    Full,
    /// Only enrol a second factor (a user whose role needs one and who has none yet).
    MfaEnrollment,
}

impl SessionScope {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::MfaEnrollment => "mfa_enrollment",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "full" => Ok(Self::Full),
            "mfa_enrollment" => Ok(Self::MfaEnrollment),
            _ => Err(ValidationError::new(
                "scope",
                "is not a known session scope",
            )),
        }
    }
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Logout,
    Revoked,
    IdleTimeout,
    Expired,
    Wiped,
    UserDisabled,
    /// The user's second factor was reset: every session signed in with it ends.
    FactorReset,
}

impl EndReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::Revoked => "revoked",
            Self::IdleTimeout => "idle_timeout",
            Self::Expired => "expired",
            Self::Wiped => "wiped",
            Self::UserDisabled => "user_disabled",
            Self::FactorReset => "factor_reset",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        [
            Self::Logout,
            Self::Revoked,
            Self::IdleTimeout,
            Self::Expired,
            Self::Wiped,
            Self::UserDisabled,
            Self::FactorReset,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
        .ok_or(ValidationError::new("end_reason", "is not a known reason"))
    }
}

/// The name a device gives itself at sign-in ("Ward iPhone", "Nurses' station 4W").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceName(String);

impl DeviceName {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let name = text.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "device_name",
                "must be 1 to 100 characters without control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub token_hash: [u8; 32],
    pub device_name: DeviceName,
    pub scope: SessionScope,
    pub address: Option<String>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub ended: Option<(Timestamp, EndReason)>,
    pub wipe_requested_at: Option<Timestamp>,
    pub wipe_confirmed_at: Option<Timestamp>,
}

/// Whether a session may be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active,
    /// The device must erase its data and confirm; nothing else is allowed.
    WipePending,
    /// Ended already, or it should end now for this reason.
    Ended(EndReason),
}

impl Session {
    /// Judges the session at `now` under `policy`: ended, wipe pending, idle, expired, or active.
    pub fn state(&self, now: Timestamp, policy: &SessionPolicy) -> SessionState {
        if let Some((_, reason)) = self.ended {
            return SessionState::Ended(reason);
        }
        if self.wipe_requested_at.is_some() {
            return SessionState::WipePending;
        }
        if now >= self.expires_at {
            return SessionState::Ended(EndReason::Expired);
        }
        if now >= self.last_seen_at.plus_secs(policy.idle_timeout_secs) {
            return SessionState::Ended(EndReason::IdleTimeout);
        }
        SessionState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(now: Timestamp) -> Session {
        Session {
            id: SessionId::new(),
            user_id: UserId::new(),
            token_hash: [0; 32],
            device_name: DeviceName("test".into()),
            scope: SessionScope::Full,
            address: None,
            created_at: now,
            last_seen_at: now,
            expires_at: now.plus_secs(3600),
            ended: None,
            wipe_requested_at: None,
            wipe_confirmed_at: None,
        }
    }

    #[test]
    fn idle_and_absolute_limits_end_sessions() {
        let policy = SessionPolicy {
            idle_timeout_secs: 60,
            absolute_lifetime_secs: 3600,
        };
        let t0 = Timestamp::from_micros(1_000_000_000_000);
        let s = session(t0);
        assert_eq!(s.state(t0.plus_secs(59), &policy), SessionState::Active);
        assert_eq!(
            s.state(t0.plus_secs(60), &policy),
            SessionState::Ended(EndReason::IdleTimeout)
        );
        let mut busy = s.clone();
        busy.last_seen_at = t0.plus_secs(3599);
        assert_eq!(
            busy.state(t0.plus_secs(3600), &policy),
            SessionState::Ended(EndReason::Expired)
        );
        let mut wiped = s.clone();
        wiped.wipe_requested_at = Some(t0);
        assert_eq!(wiped.state(t0, &policy), SessionState::WipePending);
        let mut ended = s;
        ended.ended = Some((t0, EndReason::Revoked));
        assert_eq!(
            ended.state(t0, &policy),
            SessionState::Ended(EndReason::Revoked)
        );
    }

    #[test]
    fn reasons_round_trip() {
        for r in [
            "logout",
            "revoked",
            "idle_timeout",
            "expired",
            "wiped",
            "user_disabled",
            "factor_reset",
        ] {
            assert_eq!(EndReason::parse(r).map(EndReason::as_str), Ok(r));
        }
    }
}
