//! Request spans carry ids only: method, route template and a request id. Never the query
//! string, headers or body, so no secret or PHI reaches a log line through them.

use axum::extract::MatchedPath;
use axum::http::Request;
use tracing::Span;

pub fn request_span<B>(req: &Request<B>) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str());
    tracing::info_span!(
        "request",
        method = %req.method(),
        route,
        id = %uuid::Uuid::now_v7(),
    )
}
