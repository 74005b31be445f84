//! `/auth/web-session`: sign-in for the web client. The session token goes into an HttpOnly,
//! SameSite=Strict cookie that no script can read; the page gets only the session's
//! anti-forgery token, which it sends back in the `x-csrf-token` header.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::IntoResponse;
use ward_core::session::Session;
use ward_core::user::User;
use ward_crypto::token::SessionToken;
use ward_proto::ProblemType;
use ward_proto::auth::{LoginRequest, WebSession};

use super::AppState;
use super::auth::sign_in;
use super::doc::{BodyErrors, SessionErrors, TooManyRequests, Unauthenticated, Unavailable};
use super::error::ApiError;
use super::extract::{ApiJson, SESSION_COOKIE, session_cookie};
use crate::services::{ClientAddress, ServiceError};
use crate::wire::views::{scope, user_summary};

/// Signs a browser in: the token is set as a cookie, never put in the body.
#[utoipa::path(post, path = "/auth/web-session", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "A new session; the token is in the ward_session cookie", body = WebSession),
        BodyErrors, Unauthenticated, TooManyRequests, Unavailable))]
pub async fn open_web_session(
    State(state): State<AppState>,
    address: ClientAddress,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let outcome = sign_in(&state, address, req).await?;
    let body = web_session(
        &outcome.session,
        &outcome.user,
        outcome.idle_timeout_secs,
        &outcome.token,
    );
    let cookie = cookie_header(
        &format!("{SESSION_COOKIE}={}", outcome.token.expose()),
        state.secure_cookies,
    )?;
    Ok(([(SET_COOKIE, cookie)], Json(body)))
}

/// The browser's current session (after a reload): who is signed in and the anti-forgery token.
#[utoipa::path(get, path = "/auth/web-session", tag = "auth", security(("session_cookie" = [])),
    responses((status = 200, body = WebSession), SessionErrors))]
pub async fn current_web_session(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
) -> Result<Json<WebSession>, ApiError> {
    let token = session_cookie(&headers)
        .and_then(SessionToken::parse)
        .ok_or(ServiceError::Unauthenticated)?;
    let caller = state
        .services
        .identity()
        .authenticate(token.expose(), address)
        .await?;
    let idle_timeout_secs = state.services.identity().idle_timeout_secs().await?;
    Ok(Json(web_session(
        &caller.session,
        &caller.user,
        idle_timeout_secs,
        &token,
    )))
}

fn web_session(
    session: &Session,
    user: &User,
    idle_timeout_secs: i64,
    token: &SessionToken,
) -> WebSession {
    WebSession {
        session_id: *session.id.as_uuid(),
        user: user_summary(user),
        expires_at: session.expires_at.to_datetime(),
        scope: scope(session.scope),
        idle_timeout_secs,
        csrf_token: token.csrf_token(),
    }
}

/// Headers that end a browser session: the cookie is expired and the page's stored data and
/// cache are cleared (`Clear-Site-Data`). Harmless for clients that use bearer tokens.
pub fn clear_browser(secure: bool) -> Result<[(HeaderName, HeaderValue); 2], ApiError> {
    Ok([
        (
            SET_COOKIE,
            cookie_header(&format!("{SESSION_COOKIE}=; Max-Age=0"), secure)?,
        ),
        (
            HeaderName::from_static("clear-site-data"),
            HeaderValue::from_static("\"cache\", \"storage\""),
        ),
    ])
}

/// A `Set-Cookie` value: `pair` (and its Max-Age, if any) with the attributes every Ward cookie
/// has. Sent only to the API, never readable by scripts, never sent on cross-site requests;
/// `Secure` whenever the server is reached over TLS (directly or through a TLS-terminating
/// proxy). Without Max-Age it is a session cookie, gone when the browser closes; the server's
/// idle and absolute limits still apply to the session itself.
fn cookie_header(pair: &str, secure: bool) -> Result<HeaderValue, ApiError> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::try_from(format!(
        "{pair}; Path=/api/; HttpOnly; SameSite=Strict{secure}"
    ))
    .map_err(|_| {
        ApiError::new(
            ProblemType::Internal,
            "the session cookie could not be made",
        )
    })
}
