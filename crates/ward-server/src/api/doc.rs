//! What the OpenAPI document says about errors. Every error is RFC 9457 problem details sent as
//! `application/problem+json` (see [`super::error`]), so each status is one reusable response
//! in `components/responses`, and an operation lists the ones it can give by name:
//!
//! ```text
//! responses((status = 200, body = UserView), SessionErrors, BadRequest, NotFound)
//! ```
//!
//! [`SessionErrors`] is what every session extractor can refuse, [`BodyErrors`] what every JSON
//! body can; the single ones are what a handler's path, query or service can.

use std::collections::BTreeMap;

use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type,
};
use utoipa::{IntoResponses, ToResponse, ToSchema};
use ward_proto::Problem;

/// The media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details response; with `retry_after`, it may carry a `Retry-After` header.
fn problem(description: &str, retry_after: bool) -> Response {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(Problem::name())))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, content);
    if retry_after {
        let seconds = HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
            .description(Some("Seconds to wait before trying again"))
            .build();
        response = response.header("Retry-After", seconds);
    }
    response.build()
}

/// An error response: its definition in `components/responses` ([`ToResponse`], registered in
/// the document's components) and, listed in an operation, a reference to it under its status
/// ([`IntoResponses`]).
macro_rules! problem_response {
    ($name:ident, $status:literal, $retry_after:literal, $description:literal) => {
        #[doc = $description]
        #[derive(Debug)]
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (
                    stringify!($name),
                    RefOr::T(problem($description, $retry_after)),
                )
            }
        }

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([(
                    $status.to_owned(),
                    RefOr::Ref(Ref::from_response_name(stringify!($name))),
                )])
            }
        }
    };
}

problem_response!(
    BadRequest,
    "400",
    false,
    "`bad-request`: a path or query parameter is malformed or out of range (`field` names \
     it), or the body is not JSON or was cut off."
);
problem_response!(
    Unauthenticated,
    "401",
    false,
    "`unauthenticated` (no valid session token), `session-ended`, `wipe-required` or \
     `invalid-credentials`."
);
problem_response!(
    Forbidden,
    "403",
    false,
    "`forbidden` (the caller's role does not allow this, or a browser's request lacks its \
     x-csrf-token header) or `mfa-enrollment-required`."
);
problem_response!(
    NotFound,
    "404",
    false,
    "`not-found`: it does not exist or the caller may not see it (the same answer for both)."
);
problem_response!(
    Conflict,
    "409",
    false,
    "`conflict`: the request does not fit the current state."
);
problem_response!(
    Gone,
    "410",
    false,
    "`disposed`: disposed of under the retention policy; its key was destroyed."
);
problem_response!(
    PayloadTooLarge,
    "413",
    false,
    "`payload-too-large`: the body, file or export is over its limit."
);
problem_response!(
    UnsupportedMediaType,
    "415",
    false,
    "`unsupported-media-type`: a JSON body without `Content-Type: application/json`, or a \
     file type that is not allowed."
);
problem_response!(
    Validation,
    "422",
    false,
    "`validation` (`field` names the field at fault), `safety-review` or `safety-blocked` \
     (with `findings`), or `invalid-file`."
);
problem_response!(
    TooManyRequests,
    "429",
    true,
    "`login-throttled` or `rate-limited`: wait `Retry-After` seconds."
);
problem_response!(
    Unavailable,
    "503",
    true,
    "`unavailable`, or `storage-full` (nothing was stored; retry after `Retry-After` \
     seconds)."
);

/// The union of error groups, in order.
fn all<const N: usize>(
    groups: [BTreeMap<String, RefOr<Response>>; N],
) -> BTreeMap<String, RefOr<Response>> {
    groups.into_iter().flatten().collect()
}

/// What a route that takes a session can refuse before its handler runs: no live session
/// (401), a session that may only set up a second factor, a role that is gone or a browser
/// request without its anti-forgery header (403), a database that is unavailable or full (503).
#[derive(Debug)]
pub struct SessionErrors;

impl IntoResponses for SessionErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        all([
            Unauthenticated::responses(),
            Forbidden::responses(),
            Unavailable::responses(),
        ])
    }
}

/// What a JSON body can be refused for: not JSON (400), over the size limit (413), without its
/// content type (415), a field missing, unknown or invalid (422).
#[derive(Debug)]
pub struct BodyErrors;

impl IntoResponses for BodyErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        all([
            BadRequest::responses(),
            PayloadTooLarge::responses(),
            UnsupportedMediaType::responses(),
            Validation::responses(),
        ])
    }
}
