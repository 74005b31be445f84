//! RFC 9457 problem details. Every error of the API is one of these, with a stable `type`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::messaging::SafetyFinding;

/// The stable kinds of problem. The `type` member is `urn:ward:problem:<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    BadRequest,
    Validation,
    Unauthenticated,
    InvalidCredentials,
    SessionEnded,
    WipeRequired,
    MfaEnrollmentRequired,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// Disposed of under the retention policy: its key was destroyed.
    Disposed,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidFile,
    LoginThrottled,
    /// Too many attempts of something that can be used to probe for records.
    RateLimited,
    SafetyReview,
    SafetyBlocked,
    Unavailable,
    /// The database's storage is full; nothing was written.
    StorageFull,
    Internal,
}

impl ProblemType {
    pub const fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::Validation => "validation",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid-credentials",
            Self::SessionEnded => "session-ended",
            Self::WipeRequired => "wipe-required",
            Self::MfaEnrollmentRequired => "mfa-enrollment-required",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::Disposed => "disposed",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::InvalidFile => "invalid-file",
            Self::LoginThrottled => "login-throttled",
            Self::RateLimited => "rate-limited",
            Self::SafetyReview => "safety-review",
            Self::SafetyBlocked => "safety-blocked",
            Self::Unavailable => "unavailable",
            Self::StorageFull => "storage-full",
            Self::Internal => "internal",
        }
    }

    pub const fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Validation | Self::SafetyReview | Self::SafetyBlocked | Self::InvalidFile => 422,
            Self::Unauthenticated
            | Self::InvalidCredentials
            | Self::SessionEnded
            | Self::WipeRequired => 401,
            Self::MfaEnrollmentRequired | Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::Disposed => 410,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::LoginThrottled | Self::RateLimited => 429,
            Self::Unavailable | Self::StorageFull => 503,
            Self::Internal => 500,
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "The request is malformed",
            Self::Validation => "A field is invalid",
            Self::Unauthenticated => "Sign-in required",
            Self::InvalidCredentials => "The username, password or code is wrong",
            Self::SessionEnded => "The session has ended",
            Self::WipeRequired => "This device must erase its data",
            Self::MfaEnrollmentRequired => "Set up a second factor first",
            Self::Forbidden => "Not allowed",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::Disposed => "Disposed of under the retention policy",
            Self::PayloadTooLarge => "The request body is too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::InvalidFile => "The file is malformed or expands beyond the limits",
            Self::LoginThrottled => "Too many failed sign-ins",
            Self::RateLimited => "Too many attempts; try again later",
            Self::SafetyReview => "Review the safety findings, then confirm or edit",
            Self::SafetyBlocked => "Policy does not allow sending this message",
            Self::Unavailable => "Service unavailable",
            Self::StorageFull => "Storage is full",
            Self::Internal => "Internal error",
        }
    }

    pub fn uri(self) -> String {
        format!("urn:ward:problem:{}", self.code())
    }

    /// The problem type named by a `type` URI, if it is one of ours.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let code = uri.strip_prefix("urn:ward:problem:")?;
        Self::ALL.iter().copied().find(|t| t.code() == code)
    }

    const ALL: [Self; 22] = [
        Self::BadRequest,
        Self::Validation,
        Self::Unauthenticated,
        Self::InvalidCredentials,
        Self::SessionEnded,
        Self::WipeRequired,
        Self::MfaEnrollmentRequired,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::Disposed,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::InvalidFile,
        Self::LoginThrottled,
        Self::RateLimited,
        Self::SafetyReview,
        Self::SafetyBlocked,
        Self::Unavailable,
        Self::StorageFull,
        Self::Internal,
    ];
}

/// An RFC 9457 problem details body (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// `urn:ward:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, fit to show a user. Never holds PHI or secrets, and
    /// never repeats the caller's input: it names the field or parameter and what it must be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request field (`priority`, `attachments[0]`) or query parameter at fault, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before trying again, for throttling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The clinical safety findings that stopped a message (`safety-review`, `safety-blocked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<SafetyFinding>>,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: Option<String>) -> Self {
        Self {
            kind: kind.uri(),
            title: kind.title().to_owned(),
            status: kind.status(),
            detail,
            field: None,
            retry_after: None,
            findings: None,
        }
    }

    /// The problem type, if the `type` is one of ours.
    pub fn problem_type(&self) -> Option<ProblemType> {
        ProblemType::from_uri(&self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        for t in ProblemType::ALL {
            assert_eq!(ProblemType::from_uri(&t.uri()), Some(t));
            assert!((400..600).contains(&t.status()));
        }
        assert_eq!(ProblemType::from_uri("about:blank"), None);
    }
}
