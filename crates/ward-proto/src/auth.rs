//! Sign-in, sessions and the second factor.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::users::UserSummary;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// How this device names itself ("Ward on iPhone", "4 West station").
    #[schema(min_length = 1, max_length = 100)]
    pub device_name: String,
    /// The current code from the authenticator app, when the account has a second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<String>,
}

/// What a session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionScope {
    /// Everything the user's role allows.
    Full,
    /// Only set up a second factor, which the user's role requires.
    MfaEnrollment,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The bearer token. Shown once; the server keeps only its hash.
    pub token: String,
    pub session_id: Uuid,
    pub user: UserSummary,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub scope: SessionScope,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_secs: i64,
}

/// Whose sessions to list: the caller's own when absent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    pub user: Option<Uuid>,
}

/// A browser's session: the token itself travels only in an HttpOnly cookie.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebSession {
    pub session_id: Uuid,
    pub user: UserSummary,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub scope: SessionScope,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_secs: i64,
    /// Sent back in the `x-csrf-token` header of every request that may change something.
    pub csrf_token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub device_name: String,
    pub scope: SessionScope,
    pub address: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub wipe_requested_at: Option<OffsetDateTime>,
    /// True for the session making this request.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<SessionView>,
}

/// A new TOTP secret, to be entered in an authenticator app and confirmed with one code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrollment {
    /// Base32 secret, for typing in.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirmRequest {
    pub code: String,
}
