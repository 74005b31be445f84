//! Problem details name the field or parameter at fault and what it must be, and never repeat
//! what the caller sent: callers paste PHI into any field, and problem details are shown and
//! logged. Each request below carries a canary where input goes wrong.

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{TestServer, api_test};

/// Stands for a patient's name pasted where it does not belong.
const CANARY: &str = "CANARY-7731-Jane-Doe";

/// One request that carries the canary, and what its answer must say.
#[derive(Debug)]
struct Case {
    label: &'static str,
    request: RequestBuilder,
    status: u16,
    /// The problem's `field` member.
    field: Option<&'static str>,
    /// Words the problem's `detail` must contain.
    names: &'static [&'static str],
}

fn case(
    label: &'static str,
    request: RequestBuilder,
    status: u16,
    field: Option<&'static str>,
    names: &'static [&'static str],
) -> Case {
    Case {
        label,
        request,
        status,
        field,
        names,
    }
}

/// Sends one case; says what is wrong with the answer, if anything.
async fn check(case: Case) -> Option<String> {
    let response = case.request.send().await.expect("send");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    let problem: Value = serde_json::from_str(&text).unwrap_or_default();
    let detail = problem["detail"].as_str().unwrap_or_default();

    let mut wrong = Vec::new();
    if status != case.status {
        wrong.push(format!("status {status}, not {}", case.status));
    }
    if content_type != "application/problem+json" {
        wrong.push(format!("content type {content_type:?}"));
    }
    let lower = text.to_lowercase();
    if lower.contains("canary") || lower.contains("jane") {
        wrong.push("repeats the input".to_owned());
    }
    if problem["field"].as_str() != case.field {
        wrong.push(format!("field {}, not {:?}", problem["field"], case.field));
    }
    for name in case.names {
        if !detail.contains(*name) {
            wrong.push(format!("detail does not name {name}"));
        }
    }
    (!wrong.is_empty()).then(|| format!("{}: {}\n    {text}", case.label, wrong.join("; ")))
}

/// Checks every case, then fails once listing each that went wrong.
async fn check_all(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in cases {
        failures.extend(check(case).await);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `base` with `key` set to `value`.
fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

api_test!(
    body_problems_name_the_field_not_the_value,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let send = format!("/conversations/{}/messages", Uuid::new_v4());
        let message = |key: &str, value: Value| {
            let base = json!({"client_id": Uuid::new_v4(), "body": "hello"});
            admin
                .request(Method::POST, &send)
                .json(&with(base, key, value))
        };
        // Names that mimic serde's own words, to lead a sanitiser into reading them as ours.
        let listing = format!("a`, expected `{CANARY}");
        let user = with(json!({"username": "a.b"}), CANARY, json!(1));

        check_all(vec![
            case(
                "unknown field",
                message(CANARY, json!(true)),
                422,
                None,
                &["unknown field", "`priority`"],
            ),
            case(
                "unknown field that looks like a list",
                message(listing.as_str(), json!(1)),
                422,
                None,
                &["unknown field", "`priority`"],
            ),
            case(
                "unknown field of a user",
                admin.request(Method::POST, "/users").json(&user),
                422,
                None,
                &["unknown field", "`username`"],
            ),
            case(
                "bad choice",
                message("priority", json!(CANARY)),
                422,
                Some("priority"),
                &["priority", "`normal`", "`urgent`", "`stat`"],
            ),
            case(
                "bad choice that looks like a list",
                message("priority", json!(listing)),
                422,
                Some("priority"),
                &["priority", "`urgent`"],
            ),
            case(
                "text for a flag",
                message("confirm_findings", json!(CANARY)),
                422,
                Some("confirm_findings"),
                &["confirm_findings", "true or false"],
            ),
            case(
                "text for a number",
                message("lifespan_secs", json!(CANARY)),
                422,
                Some("lifespan_secs"),
                &["lifespan_secs", "whole number"],
            ),
            case(
                "bad id",
                message("client_id", json!(CANARY)),
                422,
                Some("client_id"),
                &["client_id", "UUID"],
            ),
            case(
                "bad id in a list",
                message("attachments", json!([CANARY])),
                422,
                Some("attachments[0]"),
                &["attachments[0]", "UUID"],
            ),
            case(
                "bad time",
                message("send_at", json!(CANARY)),
                422,
                Some("send_at"),
                &["send_at", "RFC 3339"],
            ),
            case(
                "not an object",
                admin.request(Method::POST, &send).json(&json!(CANARY)),
                422,
                None,
                &["body", "object"],
            ),
        ])
        .await;
        server
    }
);

api_test!(
    path_problems_name_the_parameter_not_the_value,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let get = |path: String| admin.request(Method::GET, &path);
        let members = format!("/conversations/{}/members", Uuid::new_v4());

        check_all(vec![
            case(
                "conversation id",
                get(format!("/conversations/{CANARY}/messages")),
                400,
                None,
                &["the id in the path", "UUID"],
            ),
            case(
                "user id",
                get(format!("/users/{CANARY}")),
                400,
                None,
                &["the id in the path", "UUID"],
            ),
            case(
                "percent-encoded id",
                get("/users/Jane%20Doe%20CANARY-7731".to_owned()),
                400,
                None,
                &["the id in the path", "UUID"],
            ),
            case(
                "second id",
                admin.request(Method::DELETE, &format!("{members}/{CANARY}")),
                400,
                None,
                &["the user_id in the path", "UUID"],
            ),
        ])
        .await;
        server
    }
);

api_test!(
    query_problems_name_the_parameter_not_the_value,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let get = |path: String| admin.request(Method::GET, &path);
        let messages = format!("/conversations/{}/messages", Uuid::new_v4());

        check_all(vec![
            case(
                "text for a number",
                get(format!("{messages}?after={CANARY}")),
                400,
                Some("after"),
                &["after", "whole number"],
            ),
            case(
                "text for a limit",
                get(format!("{messages}?limit={CANARY}")),
                400,
                Some("limit"),
                &["limit", "whole number"],
            ),
            case(
                "unknown parameter",
                get(format!("{messages}?{CANARY}=1")),
                400,
                None,
                &["unknown parameter", "`after`"],
            ),
            case(
                "bad choice",
                get(format!("/reports/exports?format={CANARY}")),
                400,
                Some("format"),
                &["format", "`csv`"],
            ),
            case(
                "bad id",
                get(format!("/audit?actor={CANARY}")),
                400,
                Some("actor"),
                &["actor", "UUID"],
            ),
        ])
        .await;
        server
    }
);
