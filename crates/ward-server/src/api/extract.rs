//! Request extractors. Each wraps axum's so that every rejection is problem+json, and the
//! session extractors state in a handler's signature what the handler needs.
//!
//! A rejection names the field or parameter at fault and what it must be, and never repeats
//! what the caller sent (which may be PHI): see [`fault`].

mod fault;

use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};

use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use ward_core::audit::AuditAction;
use ward_core::role::Permission;
use ward_crypto::token::SessionToken;
use ward_proto::ProblemType;

use self::fault::Fault;
use super::AppState;
use super::error::ApiError;
use crate::services::{Caller, ClientAddress, ServiceError};

/// The web client's session cookie: HttpOnly, so no script can read the token.
pub const SESSION_COOKIE: &str = "ward_session";
/// The header in which the web client proves a cookie-borne request is its own.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A JSON body. Syntax errors are 400, wrong fields 422, a missing content type 415 and an
/// oversized body 413. A wrong field is named by its path (`priority`, `attachments[0]`), never
/// by its value.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => match fault::describe(&inner_message(&e)) {
            Fault::Unknown { expected } => ApiError::new(
                ProblemType::Validation,
                unknown("the body has an unknown field", expected),
            ),
            Fault::Invalid {
                field: Some(field),
                reason,
            } => ApiError::validation(&field, &reason),
            Fault::Invalid {
                field: None,
                reason,
            } => ApiError::new(ProblemType::Validation, format!("the body {reason}")),
        },
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::new(ProblemType::BadRequest, "the body is not valid JSON")
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            ProblemType::UnsupportedMediaType,
            "send the body as application/json",
        ),
        JsonRejection::BytesRejection(e) if e.status().as_u16() == 413 => ApiError::new(
            ProblemType::PayloadTooLarge,
            "the body exceeds the size limit",
        ),
        _ => ApiError::new(ProblemType::BadRequest, "the body could not be read"),
    }
}

/// Path parameters; one that does not parse (a malformed id) is a 400 naming the parameter.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(path_rejection)
    }
}

fn path_rejection(rejection: PathRejection) -> ApiError {
    let PathRejection::FailedToDeserializePathParams(e) = rejection else {
        tracing::error!("a route's path parameters were not available to its handler");
        return ApiError::bare(ProblemType::Internal);
    };
    // The key is the parameter's name in the route (`{id}`); the value is the caller's.
    let (param, reason) = match e.into_kind() {
        ErrorKind::ParseErrorAtKey {
            key, expected_type, ..
        } => (Some(key), fault::type_reason(expected_type)),
        ErrorKind::DeserializeError { key, message, .. } => {
            (Some(key), fault::custom_reason(&message))
        }
        ErrorKind::InvalidUtf8InPathParam { key } => (Some(key), "must be valid UTF-8"),
        ErrorKind::ParseErrorAtIndex { expected_type, .. }
        | ErrorKind::ParseError { expected_type, .. } => (None, fault::type_reason(expected_type)),
        ErrorKind::Message(message) => (None, fault::custom_reason(&message)),
        ErrorKind::WrongNumberOfParameters { .. } | ErrorKind::UnsupportedType { .. } => {
            tracing::error!("a handler's path parameters do not match its route");
            return ApiError::bare(ProblemType::Internal);
        }
        _ => (None, "is malformed"),
    };
    let detail = match param.filter(|p| fault::is_name(p)) {
        Some(param) => format!("the {param} in the path {reason}"),
        None => format!("a path parameter {reason}"),
    };
    ApiError::new(ProblemType::BadRequest, detail)
}

/// Query parameters; unknown or malformed ones are a 400 naming the parameter, never its value.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(query_rejection)
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    let message = match &rejection {
        QueryRejection::FailedToDeserializeQueryString(e) => inner_message(e),
        _ => String::new(),
    };
    match fault::describe(&message) {
        Fault::Unknown { expected } => ApiError::new(
            ProblemType::BadRequest,
            unknown("the query has an unknown parameter", expected),
        ),
        Fault::Invalid {
            field: Some(field),
            reason,
        } => ApiError::new(
            ProblemType::BadRequest,
            format!("the query parameter {field} {reason}"),
        )
        .with_field(field),
        Fault::Invalid {
            field: None,
            reason,
        } => ApiError::new(
            ProblemType::BadRequest,
            format!("the query string {reason}"),
        ),
    }
}

/// The message of the error inside a rejection: serde's, after the path to the field. It may
/// repeat the input, so it is only ever taken apart by [`fault::describe`].
fn inner_message(rejection: &dyn std::error::Error) -> String {
    std::error::Error::source(rejection)
        .map(|inner| inner.to_string())
        .unwrap_or_default()
}

/// "There is an unknown field", with the names we take when they are known.
fn unknown(what: &str, expected: Option<String>) -> String {
    match expected {
        Some(names) => format!("{what}; expected {names}"),
        None => what.to_owned(),
    }
}

/// The client's address: the peer, or the `X-Forwarded-For` hop that a trusted proxy added.
impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddress(
            client_ip(parts, peer, &state.trusted_proxies).map(|ip| ip.to_string()),
        ))
    }
}

fn client_ip(parts: &Parts, peer: Option<IpAddr>, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    // Walk X-Forwarded-For from the nearest hop back, skipping our own proxies.
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .unwrap_or(peer),
    )
}

/// The bearer token of the request, if any.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError::from(ServiceError::Unauthenticated))
}

/// The session token of a request: its bearer token, or else the web client's session cookie.
/// A cookie on a request that may change something must come with the session's anti-forgery
/// header ([`CSRF_HEADER`]); without it the request is refused before anything is looked up.
pub fn session_token<'a>(method: &Method, headers: &'a HeaderMap) -> Result<&'a str, ApiError> {
    if let Ok(token) = bearer_token(headers) {
        return Ok(token);
    }
    let token = session_cookie(headers).ok_or(ServiceError::Unauthenticated)?;
    if !method.is_safe() {
        let presented = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let genuine = SessionToken::parse(token).is_some_and(|t| t.csrf_matches(presented));
        if !genuine {
            return Err(ApiError::new(
                ProblemType::Forbidden,
                "a signed-in browser must send its x-csrf-token header",
            ));
        }
    }
    Ok(token)
}

/// The web client's session cookie, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

/// A caller with a full session: everything their role allows.
#[derive(Debug)]
pub struct FullSession(pub Caller);

impl FromRequestParts<AppState> for FullSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AnySession(caller) = AnySession::from_request_parts(parts, state).await?;
        if caller.is_full() {
            Ok(Self(caller))
        } else {
            Err(ServiceError::MfaEnrollmentRequired.into())
        }
    }
}

/// What a route needs before its body is read: a permission, and the action a refusal is
/// audited as.
pub trait Requirement {
    const PERMISSION: Permission;
    const ACTION: AuditAction;
}

/// A caller with a full session whose role holds `R`'s permission. Extracted before the body,
/// so a caller without it is refused (403, audited) whatever they sent, and a malformed body
/// never answers them with a 422 that skips the audit.
#[derive(Debug)]
pub struct Permitted<R>(pub Caller, pub PhantomData<R>);

impl<R: Requirement> FromRequestParts<AppState> for Permitted<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let FullSession(caller) = FullSession::from_request_parts(parts, state).await?;
        state
            .services
            .access()
            .require(&caller, R::PERMISSION, R::ACTION)
            .await?;
        Ok(Self(caller, PhantomData))
    }
}

/// A caller with any live session, including one that may only set up a second factor.
#[derive(Debug)]
pub struct AnySession(pub Caller);

impl FromRequestParts<AppState> for AnySession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let address = ClientAddress::from_request_parts(parts, state).await?;
        let token = session_token(&parts.method, &parts.headers)?;
        Ok(Self(
            state
                .services
                .identity()
                .authenticate(token, address)
                .await?,
        ))
    }
}

/// A page size from the query parameter `field`: `default` when absent, else 1 to `max` (as the
/// OpenAPI document declares it); anything else is a 400 naming the parameter.
pub fn page_limit(
    field: &str,
    value: Option<u32>,
    default: u32,
    max: u32,
) -> Result<u32, ApiError> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::new(
            ProblemType::BadRequest,
            format!("the query parameter {field} must be between 1 and {max}"),
        )
        .with_field(field)),
    }
}

/// An optional RFC 3339 time from a query parameter; 422 naming `field` if it is malformed.
pub fn time_param(
    field: &str,
    text: Option<&str>,
) -> Result<Option<ward_core::Timestamp>, ApiError> {
    use time::format_description::well_known::Rfc3339;
    text.map(|t| {
        time::OffsetDateTime::parse(t, &Rfc3339)
            .map(ward_core::Timestamp::from_datetime)
            .map_err(|_| ApiError::validation(field, "must be an RFC 3339 time"))
    })
    .transpose()
}
