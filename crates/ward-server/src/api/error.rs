//! The one place errors become HTTP: every failure is an RFC 9457 problem+json response.
//! Bad input is a 4xx and is not logged as an error; internal faults get a generic body and
//! their cause goes to the log (which never holds PHI).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ward_proto::messaging::SafetyFinding;
use ward_proto::{Problem, ProblemType};

use crate::services::ServiceError;
use crate::wire::views::safety_findings;

/// When a client should retry a write refused because storage is full.
const STORAGE_FULL_RETRY_SECS: u64 = 30;
/// When to try again after the database (or another part the request needs) did not answer.
const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    kind: ProblemType,
    detail: Option<String>,
    field: Option<String>,
    retry_after: Option<u64>,
    findings: Option<Vec<SafetyFinding>>,
}

impl ApiError {
    /// A problem of `kind` with a detail for the caller. The detail is ours: it may name a field
    /// or parameter, never repeat what the caller sent (which may be PHI).
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: Some(detail.into()),
            field: None,
            retry_after: None,
            findings: None,
        }
    }

    /// A problem of `kind` with no detail beyond its title.
    pub fn bare(kind: ProblemType) -> Self {
        Self {
            kind,
            detail: None,
            field: None,
            retry_after: None,
            findings: None,
        }
    }

    /// A `validation` problem with `field` at fault: the detail is "`field` `reason`".
    pub fn validation(field: &str, reason: &str) -> Self {
        Self {
            kind: ProblemType::Validation,
            detail: Some(format!("{field} {reason}")),
            field: Some(field.to_owned()),
            retry_after: None,
            findings: None,
        }
    }

    /// The same problem, naming the request field or query parameter at fault (its name, never
    /// its value).
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use ServiceError as E;
        match e {
            E::Invalid(v) => Self::validation(v.field, v.reason),
            E::Unauthenticated => Self::new(
                ProblemType::Unauthenticated,
                "send a valid bearer token in the Authorization header",
            ),
            E::InvalidCredentials => Self::new(
                ProblemType::InvalidCredentials,
                "check the username and password, and send the current code from the \
                 authenticator app as totp_code if the account has a second factor",
            ),
            E::SessionEnded(reason) => Self::new(
                ProblemType::SessionEnded,
                format!("the session ended ({}); sign in again", reason.as_str()),
            ),
            E::WipeRequired => Self::new(
                ProblemType::WipeRequired,
                "erase this device's Ward data, then POST /api/v1/auth/wipe-confirmation",
            ),
            E::MfaEnrollmentRequired => Self::new(
                ProblemType::MfaEnrollmentRequired,
                "your role requires a second factor: POST /api/v1/me/totp to set it up",
            ),
            E::Throttled { retry_after_secs } => Self {
                kind: ProblemType::LoginThrottled,
                detail: Some("sign-in is locked for a while after repeated failures".into()),
                field: None,
                retry_after: Some(retry_after_secs),
                findings: None,
            },
            E::RateLimited { retry_after_secs } => Self {
                kind: ProblemType::RateLimited,
                detail: Some("too many attempts; try again later".into()),
                field: None,
                retry_after: Some(retry_after_secs),
                findings: None,
            },
            E::Forbidden => Self::new(ProblemType::Forbidden, "your role does not allow this"),
            E::NotFound(what) => Self::new(ProblemType::NotFound, format!("{what} not found")),
            E::Conflict(what) => Self::new(ProblemType::Conflict, what),
            E::Disposed => Self::new(
                ProblemType::Disposed,
                "disposed of under the retention policy; its key was destroyed",
            ),
            E::Safety(report) => {
                let (kind, detail) = if report.blocked() {
                    (
                        ProblemType::SafetyBlocked,
                        "policy does not allow this message as written; see findings",
                    )
                } else {
                    (
                        ProblemType::SafetyReview,
                        "review the findings, then edit the message or send it again with \
                         confirm_findings",
                    )
                };
                Self {
                    findings: Some(safety_findings(&report)),
                    ..Self::new(kind, detail)
                }
            }
            E::Media(refused) => {
                let kind = match refused {
                    ward_media::MediaError::NotAllowed { .. } => ProblemType::UnsupportedMediaType,
                    _ => ProblemType::InvalidFile,
                };
                Self::new(kind, refused.to_string())
            }
            E::TooLarge { limit, what } => Self::new(
                ProblemType::PayloadTooLarge,
                format!("{what} may be at most {limit} bytes"),
            ),
            E::UploadInterrupted => Self::new(
                ProblemType::BadRequest,
                "the upload was cut off before it ended; nothing was stored",
            ),
            E::Unavailable => Self {
                kind: ProblemType::Unavailable,
                detail: Some("try again shortly".into()),
                field: None,
                retry_after: Some(UNAVAILABLE_RETRY_SECS),
                findings: None,
            },
            E::StorageFull => {
                tracing::error!("the database's storage is full; writes are refused");
                Self {
                    kind: ProblemType::StorageFull,
                    detail: Some("nothing was stored; try again later".into()),
                    field: None,
                    retry_after: Some(STORAGE_FULL_RETRY_SECS),
                    findings: None,
                }
            }
            E::Store(cause) => {
                tracing::error!(error = %cause, "storage failure");
                Self::bare(ProblemType::Internal)
            }
            E::Crypto(cause) => {
                tracing::error!(error = %cause, "cryptography failure");
                Self::bare(ProblemType::Internal)
            }
        }
    }
}

/// A CSV document (written in memory) that could not be written is an internal fault.
impl From<csv::Error> for ApiError {
    fn from(_: csv::Error) -> Self {
        Self::bare(ProblemType::Internal)
    }
}

impl ApiError {
    /// The problem details body this error answers with.
    pub fn into_problem(self) -> Problem {
        let mut problem = Problem::new(self.kind, self.detail);
        problem.field = self.field;
        problem.retry_after = self.retry_after;
        problem.findings = self.findings;
        problem
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let problem = self.into_problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// The answer for any path that matches no route.
pub async fn not_found() -> ApiError {
    ApiError::new(ProblemType::NotFound, "no such endpoint")
}

/// The answer for a known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ProblemType::MethodNotAllowed,
        "this endpoint does not take that method",
    )
}
