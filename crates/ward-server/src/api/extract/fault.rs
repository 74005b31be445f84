//! Extractor rejections described without the caller's input.
//!
//! serde's messages repeat what was sent: ``unknown variant `Jane Doe`, expected ...``,
//! ``invalid type: string "Jane Doe", expected ...``, and an unknown field's name both ends the
//! path and fills the message. Callers paste PHI into any field, and problem details are shown
//! and logged, so a message is taken apart here and only our own words are kept: the path of
//! the field (our field names and array indices), our variant and field names, and what type
//! was expected. Everything else becomes a fixed phrase.
//!
//! The text read is `serde_path_to_error`'s (`{path}: {message}`, the path left out at the top
//! level), with `serde_json`'s ` at line L column C` after it for bodies. Only the places serde
//! fills with its own words are read, and the caller's text is never between them and the end of
//! the message: a variant or field list follows the last ``"`, expected "``, a type description
//! the last `", expected "`.

/// What a deserialisation error says is wrong, in words that never repeat the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fault {
    /// A field (or query parameter) we do not take. `expected` lists the ones we do, as serde
    /// words it (``one of `a`, `b`, `c` ``), when it could be read back safely.
    Unknown { expected: Option<String> },
    /// A field that is missing or malformed: `field` is its path (`priority`, `items[0]`,
    /// `session.window_secs`), `None` for the input as a whole; `reason` says what is wrong.
    Invalid {
        field: Option<String>,
        reason: String,
    },
}

/// serde's message for a field the type does not have.
const UNKNOWN_FIELD: &str = "unknown field `";
/// What follows the caller's text in serde's unknown field and unknown variant messages.
const EXPECTED_NAMES: &str = "`, expected ";
/// What follows the caller's text in serde's invalid type and invalid value messages.
const EXPECTED_TYPE: &str = ", expected ";

/// Describes a deserialisation error from its message (see the module documentation).
pub(super) fn describe(text: &str) -> Fault {
    let text = strip_position(text);
    // The unknown name is captured as the last path segment, so its message always follows a
    // path; the name may hold anything, so the path is not read at all.
    if text.starts_with(UNKNOWN_FIELD) || text.contains(": unknown field `") {
        return Fault::Unknown {
            expected: expected_names(text),
        };
    }
    let (path, message) = split_path(text);
    if let Some(name) = quoted_name(message, "missing field `") {
        return Fault::Invalid {
            field: Some(join(path, name)),
            reason: "is required".to_owned(),
        };
    }
    if let Some(name) = quoted_name(message, "duplicate field `") {
        return Fault::Invalid {
            field: Some(join(path, name)),
            reason: "is given more than once".to_owned(),
        };
    }
    Fault::Invalid {
        field: path.map(str::to_owned),
        reason: reason(message),
    }
}

/// What is wrong with a value that did not parse as `expected_type` (a Rust type name, as axum
/// reports it for path parameters).
pub(super) fn type_reason(expected_type: &str) -> &'static str {
    match expected_type {
        "bool" => "must be true or false",
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" => {
            "must be a whole number"
        }
        "f32" | "f64" => "must be a number",
        "char" => "must be a single character",
        _ => "is malformed",
    }
}

/// What is wrong, going by a message a parser made up (which may quote the input, so it is
/// only matched, never shown).
pub(super) fn custom_reason(message: &str) -> &'static str {
    const WHOLE_NUMBER: [&str; 2] = [
        "invalid digit found in string",
        "cannot parse integer from empty string",
    ];
    const TIME: [&str; 5] = [
        "component could not be parsed",
        "was not in range",
        "a character literal was not valid",
        "unexpected trailing characters",
        "did not include enough information",
    ];
    if message.starts_with("UUID parsing failed") {
        "must be a UUID"
    } else if WHOLE_NUMBER.contains(&message) {
        "must be a whole number"
    } else if message.starts_with("number too large") || message.starts_with("number too small") {
        "is out of range"
    } else if message == "invalid float literal"
        || message == "cannot parse float from empty string"
    {
        "must be a number"
    } else if message == "provided string was not `true` or `false`" {
        "must be true or false"
    } else if TIME.iter().any(|t| message.contains(*t)) {
        "must be an RFC 3339 time"
    } else {
        "is invalid"
    }
}

/// Whether `text` is one of our names: a field, variant or route parameter name.
pub(super) fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `text` without `serde_json`'s ` at line L column C`.
fn strip_position(text: &str) -> &str {
    const AT_LINE: &str = " at line ";
    let Some(at) = text.rfind(AT_LINE) else {
        return text;
    };
    let numbers = &text[at + AT_LINE.len()..];
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match numbers.split_once(" column ") {
        Some((line, column)) if is_number(line) && is_number(column) => &text[..at],
        _ => text,
    }
}

/// The path before a message (`items[0]: ...`), if there is one, and the message.
fn split_path(text: &str) -> (Option<&str>, &str) {
    let is_path_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '?');
    let end = text.find(|c: char| !is_path_char(c)).unwrap_or(text.len());
    match text[end..].strip_prefix(": ") {
        Some(message) if end > 0 => (Some(&text[..end]), message),
        _ => (None, text),
    }
}

/// The name in a message such as ``missing field `name` ``, if it is one of ours.
fn quoted_name<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message
        .strip_prefix(prefix)?
        .strip_suffix('`')
        .filter(|name| is_name(name))
}

fn join(path: Option<&str>, name: &str) -> String {
    match path {
        Some(path) => format!("{path}.{name}"),
        None => name.to_owned(),
    }
}

/// What is wrong, from a message that follows an accepted path.
fn reason(message: &str) -> String {
    if message.starts_with("unknown variant `") {
        return match expected_names(message) {
            Some(names) => format!("must be {names}"),
            None => "is not one of the allowed values".to_owned(),
        };
    }
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let Some(at) = rest.rfind(EXPECTED_TYPE) else {
            return "is invalid".to_owned();
        };
        let expected = expectation(&rest[at + EXPECTED_TYPE.len()..]);
        let sent = if prefix == "invalid type: " {
            sent_kind(&rest[..at])
        } else {
            None
        };
        return match (expected, sent) {
            (Some(expected), Some(sent)) if expected != sent => {
                format!("must be {expected}, not {sent}")
            }
            (Some(expected), _) => format!("must be {expected}"),
            (None, _) => "is invalid".to_owned(),
        };
    }
    custom_reason(message).to_owned()
}

/// The list of our names after the last ``"`, expected "`` (``one of `a`, `b` ``, `` `a` or
/// `b` ``, `` `a` ``), if it is exactly such a list.
fn expected_names(text: &str) -> Option<String> {
    let at = text.rfind(EXPECTED_NAMES)?;
    let list = &text[at + EXPECTED_NAMES.len()..];
    let names = list.strip_prefix("one of ").unwrap_or(list);
    let ours = names.split(", ").flat_map(|n| n.split(" or ")).all(|n| {
        n.strip_prefix('`')
            .and_then(|n| n.strip_suffix('`'))
            .is_some_and(is_name)
    });
    ours.then(|| list.to_owned())
}

/// A serde type description (`a string`, `u32`, `struct Foo`) in plain words, if it is one.
fn expectation(expected: &str) -> Option<String> {
    let plain = match expected {
        "a string" | "a borrowed string" | "string" => "a string",
        "a boolean" | "bool" => "true or false",
        "a character" | "char" => "a single character",
        "f32" | "f64" => "a number",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
        | "usize" => return Some(format!("a whole number ({expected})")),
        "a sequence" | "sequence" => "an array",
        "a map" | "map" => "an object",
        "unit" | "null" => "null",
        "variant identifier" => "one of the allowed values",
        e if e.starts_with("struct ") => "an object",
        e if e.starts_with("enum ") => "one of the allowed values",
        e if e.contains("tuple") => "an array",
        e if e.contains("UUID") => "a UUID",
        e if e.contains("RFC3339") || e.contains("OffsetDateTime") => "an RFC 3339 time",
        e if e.len() <= 64
            && e.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '`' | ',' | '(' | ')')
            }) =>
        {
            return Some(e.to_owned());
        }
        _ => return None,
    };
    Some(plain.to_owned())
}

/// The kind of JSON value sent, from the start of serde's description of it (`string "..."`,
/// ``integer `5` ``): the kind only, never the value.
fn sent_kind(unexpected: &str) -> Option<String> {
    let kind = match unexpected.split(' ').next()? {
        "string" => "a string",
        "integer" | "floating" => "a number",
        "boolean" => "true or false",
        "null" => "null",
        "map" => "an object",
        "sequence" => "an array",
        _ => return None,
    };
    Some(kind.to_owned())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, Uri};
    use serde::Deserialize;
    use tower::ServiceExt;
    use uuid::Uuid;
    use ward_proto::Problem;

    use super::super::{ApiPath, json_rejection, query_rejection};
    use super::*;

    /// Stands for whatever a caller might paste.
    const CANARY: &str = "Jane-Doe-7731";
    const ID: &str = "0190a5c4-7d1e-7000-8000-000000000001";

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        id: Uuid,
        priority: Option<Level>,
        count: Option<u32>,
        flag: Option<bool>,
        items: Option<Vec<Uuid>>,
        inner: Option<Inner>,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Level {
        Normal,
        Urgent,
        Stat,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        window_secs: i64,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        after: Option<i64>,
        format: Option<Level>,
        user: Option<Uuid>,
    }

    fn body_problem(json: &str) -> Problem {
        match axum::Json::<Sample>::from_bytes(json.as_bytes()) {
            Ok(_) => panic!("{json} was accepted"),
            Err(rejection) => json_rejection(rejection).into_problem(),
        }
    }

    fn query_problem(query: &str) -> Problem {
        let uri: Uri = format!("http://ward.test/x?{query}").parse().expect("uri");
        match axum::extract::Query::<Params>::try_from_uri(&uri) {
            Ok(_) => panic!("{query} was accepted"),
            Err(rejection) => query_rejection(rejection).into_problem(),
        }
    }

    #[track_caller]
    fn check(problem: &Problem, field: Option<&str>, detail: &str) {
        let text = serde_json::to_string(problem).expect("json");
        assert!(!text.contains("Jane"), "echoes the input: {text}");
        assert_eq!(problem.field.as_deref(), field, "{text}");
        assert_eq!(problem.detail.as_deref(), Some(detail), "{text}");
    }

    #[test]
    fn body_problems_name_the_field_not_the_value() {
        let fields = "one of `id`, `priority`, `count`, `flag`, `items`, `inner`";
        let cases = [
            (
                format!(r#"{{"id":"{ID}","{CANARY}":1}}"#),
                None,
                format!("the body has an unknown field; expected {fields}"),
            ),
            (
                format!(r#"{{"id":"{ID}","a`, expected `{CANARY}":1}}"#),
                None,
                format!("the body has an unknown field; expected {fields}"),
            ),
            (
                format!(r#"{{"id":"{ID}","inner":{{"{CANARY}.x: y":1}}}}"#),
                None,
                "the body has an unknown field; expected `window_secs`".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","priority":"{CANARY}"}}"#),
                Some("priority"),
                "priority must be one of `normal`, `urgent`, `stat`".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","priority":"x`, expected `{CANARY}"}}"#),
                Some("priority"),
                "priority must be one of `normal`, `urgent`, `stat`".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","count":"{CANARY}, expected a string"}}"#),
                Some("count"),
                "count must be a whole number (u32), not a string".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","count":99999999999}}"#),
                Some("count"),
                "count must be a whole number (u32)".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","flag":"{CANARY}"}}"#),
                Some("flag"),
                "flag must be true or false, not a string".to_owned(),
            ),
            (
                format!(r#"{{"id":"{CANARY}"}}"#),
                Some("id"),
                "id must be a UUID".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","items":["{ID}","{CANARY}"]}}"#),
                Some("items[1]"),
                "items[1] must be a UUID".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","inner":{{"window_secs":"{CANARY}"}}}}"#),
                Some("inner.window_secs"),
                "inner.window_secs must be a whole number (i64), not a string".to_owned(),
            ),
            (
                format!(r#"{{"id":"{ID}","inner":{{}}}}"#),
                Some("inner.window_secs"),
                "inner.window_secs is required".to_owned(),
            ),
            ("{}".to_owned(), Some("id"), "id is required".to_owned()),
            (
                format!(r#""{CANARY}""#),
                None,
                "the body must be an object, not a string".to_owned(),
            ),
        ];
        for (json, field, detail) in cases {
            check(&body_problem(&json), field, &detail);
        }
    }

    #[test]
    fn query_problems_name_the_parameter_not_the_value() {
        let cases = [
            (
                format!("after={CANARY}"),
                Some("after"),
                "the query parameter after must be a whole number",
            ),
            (
                format!("{CANARY}=1"),
                None,
                "the query has an unknown parameter; expected one of `after`, `format`, `user`",
            ),
            (
                format!("format={CANARY}"),
                Some("format"),
                "the query parameter format must be one of `normal`, `urgent`, `stat`",
            ),
            (
                format!("user={CANARY}"),
                Some("user"),
                "the query parameter user must be a UUID",
            ),
        ];
        for (query, field, detail) in cases {
            check(&query_problem(&query), field, detail);
        }
    }

    #[tokio::test]
    async fn path_problems_name_the_parameter_not_the_value() {
        async fn one(ApiPath(_): ApiPath<Uuid>) {}
        async fn two(ApiPath(_): ApiPath<(Uuid, Uuid)>) {}
        let app = axum::Router::new()
            .route("/c/{id}", axum::routing::get(one))
            .route("/c/{id}/m/{user_id}", axum::routing::get(two));
        let cases = [
            (format!("/c/{CANARY}"), "the id in the path must be a UUID"),
            (
                "/c/Jane%20Doe%207731".to_owned(),
                "the id in the path must be a UUID",
            ),
            (
                format!("/c/{ID}/m/{CANARY}"),
                "the user_id in the path must be a UUID",
            ),
        ];
        for (uri, detail) in cases {
            let request = Request::get(uri).body(Body::empty()).expect("request");
            let response = app.clone().oneshot(request).await.expect("response");
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
                .await
                .expect("body");
            let problem: Problem = serde_json::from_slice(&body).expect("problem");
            check(&problem, None, detail);
        }
    }

    #[test]
    fn texts_are_taken_apart_safely() {
        assert_eq!(strip_position("a at line 1 column 20"), "a");
        assert_eq!(
            strip_position("a at line x column 20"),
            "a at line x column 20"
        );
        assert_eq!(
            split_path("items[0]: invalid type: x"),
            (Some("items[0]"), "invalid type: x")
        );
        assert_eq!(split_path("invalid type: x"), (None, "invalid type: x"));
        assert_eq!(
            expected_names("unknown variant `x`, expected `a` or `b`"),
            Some("`a` or `b`".to_owned())
        );
        assert_eq!(
            expected_names("unknown field `x`, expected `Jane Doe`, there are no fields"),
            None
        );
        assert_eq!(
            describe("unknown field `Jane`, there are no fields"),
            Fault::Unknown { expected: None }
        );
    }
}
