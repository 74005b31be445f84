//! Bad input of every kind gets a 4xx problem+json and changes nothing.

use reqwest::Method;

use crate::{TestServer, api_test};

/// Sends a raw request and checks the status and the problem type.
async fn check(request: reqwest::RequestBuilder, status: u16, problem: &str) {
    let response = request.send().await.expect("send");
    let got = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: serde_json::Value = response.json().await.expect("problem body");
    assert_eq!(got, status, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(
        body["type"],
        format!("urn:ward:problem:{problem}"),
        "{body}"
    );
    assert_eq!(body["status"], status);
}

api_test!(
    malformed_requests_get_problem_details,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let anon = server.anon();
        let post_users = || admin.request(Method::POST, "/users");

        check(
            post_users()
                .header("content-type", "application/json")
                .body("{\"username\":"),
            400,
            "bad-request",
        )
        .await;
        check(post_users().body("{}"), 415, "unsupported-media-type").await;
        let extra = serde_json::json!({"username": "a.b", "display_name": "A", "role": "nurse",
        "password": "correct horse battery", "is_admin": true});
        check(post_users().json(&extra), 422, "validation").await;
        check(
            post_users().json(&serde_json::json!({"username": 5})),
            422,
            "validation",
        )
        .await;
        let huge = serde_json::json!({"username": "x".repeat(100_000)});
        check(post_users().json(&huge), 413, "payload-too-large").await;

        check(
            admin.request(Method::GET, "/users/not-a-uuid"),
            400,
            "bad-request",
        )
        .await;
        check(
            admin.request(Method::GET, "/audit?limit=abc"),
            400,
            "bad-request",
        )
        .await;
        check(
            admin.request(Method::GET, "/audit?colour=blue"),
            400,
            "bad-request",
        )
        .await;
        check(
            admin.request(Method::DELETE, "/users"),
            405,
            "method-not-allowed",
        )
        .await;
        check(
            admin.request(Method::GET, "/no/such/thing"),
            404,
            "not-found",
        )
        .await;

        check(anon.request(Method::GET, "/me"), 401, "unauthenticated").await;
        check(
            anon.authed("ward_garbage").request(Method::GET, "/me"),
            401,
            "unauthenticated",
        )
        .await;
        let forged = format!("ward_{}", "A".repeat(43));
        check(
            anon.authed(&forged).request(Method::GET, "/me"),
            401,
            "unauthenticated",
        )
        .await;
        check(
            anon.request(Method::GET, "/me")
                .header("authorization", "Basic cm9vdDpwdw=="),
            401,
            "unauthenticated",
        )
        .await;
        let login =
            serde_json::json!({"username": "root", "password": "x", "device_name": "\u{7}"});
        check(
            anon.request(Method::POST, "/auth/login").json(&login),
            422,
            "validation",
        )
        .await;
        let policy = serde_json::json!({"session": {"idle_timeout_secs": 0, "absolute_lifetime_secs": 60},
        "login": {"max_failures_per_account": 10, "max_failures_per_address": 100, "window_secs": 900},
        "mfa_required_roles": []});
        check(
            admin.request(Method::PUT, "/policy").json(&policy),
            422,
            "validation",
        )
        .await;

        assert_eq!(
            admin.list_users().await.expect("list").users.len(),
            1,
            "nothing was created"
        );
        assert_eq!(
            admin
                .get_policy()
                .await
                .expect("policy")
                .session
                .idle_timeout_secs,
            900
        );
        server
    }
);
