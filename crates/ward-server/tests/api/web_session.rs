//! The web client's session: an HttpOnly cookie, anti-forgery tokens, same-origin WebSockets,
//! and the page's security headers.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{PASSWORD, TestServer, api_test};

/// Signs `username` in as a browser would; returns the `ward_session=...` pair and the body.
pub(crate) async fn browser_sign_in(server: &TestServer, username: &str) -> (String, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/web-session", server.url))
        .json(&json!({"username": username, "password": PASSWORD, "device_name": "browser"}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain loopback HTTP: not Secure"
    );
    let body: Value = response.json().await.expect("body");
    assert!(
        body.get("token").is_none(),
        "the token never reaches scripts"
    );
    let pair = cookie.split(';').next().unwrap_or_default().to_owned();
    (pair, body)
}

/// The status line of a WebSocket upgrade request sent with `cookie` and `origin`.
async fn upgrade_status(server: &TestServer, cookie: &str, origin: &str) -> String {
    let host = server.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!(
        "GET /api/v1/ws HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Origin: {origin}\r\nCookie: {cookie}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut buffer = vec![0u8; 512];
    let read = stream.read(&mut buffer).await.expect("read");
    let text = String::from_utf8_lossy(&buffer[..read]).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

api_test!(
    a_browser_session_lives_in_an_http_only_cookie_guarded_against_forgery,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        server.create(&admin, "nurse.reyes", "nurse").await;
        let (cookie, session) = browser_sign_in(&server, "nurse.reyes").await;
        let csrf = session["csrf_token"].as_str().expect("csrf").to_owned();
        let http = reqwest::Client::new();
        let api = |path: &str| format!("{}/api/v1{path}", server.url);
        let get = |path: &str| http.get(api(path)).header(COOKIE, &cookie).send();

        // Reading works with the cookie alone.
        let me = get("/me").await.expect("me");
        assert_eq!(me.status(), StatusCode::OK);

        // A change without the anti-forgery header, or with a wrong one, is refused and
        // creates nothing.
        let group = json!({"kind": "group", "title": "Ward round", "member_ids": []});
        for token in [None, Some("forged"), Some("")] {
            let mut request = http
                .post(api("/conversations"))
                .header(COOKIE, &cookie)
                .json(&group);
            if let Some(token) = token {
                request = request.header("x-csrf-token", token);
            }
            let response = request.send().await.expect("post");
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "csrf {token:?}");
        }
        let listed: Value = get("/conversations")
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        assert_eq!(listed["conversations"].as_array().map(Vec::len), Some(0));
        let created = http
            .post(api("/conversations"))
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .json(&group)
            .send()
            .await
            .expect("post");
        assert_eq!(created.status(), StatusCode::CREATED);

        // After a reload the page gets the same anti-forgery token back from its cookie.
        let again: Value = get("/auth/web-session")
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        assert_eq!(again["csrf_token"], session["csrf_token"]);
        assert_eq!(again["user"]["username"], "nurse.reyes");

        // The WebSocket takes the cookie only from the server's own pages.
        assert!(
            upgrade_status(&server, &cookie, "https://evil.example")
                .await
                .contains("403")
        );
        assert!(
            upgrade_status(&server, &cookie, &server.url)
                .await
                .contains("101")
        );

        // Signing out expires the cookie, clears the page's data, and ends the session.
        let out = http
            .post(api("/auth/logout"))
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .expect("logout");
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        let expired = out.headers().get(SET_COOKIE).and_then(|v| v.to_str().ok());
        assert!(expired.is_some_and(|c| c.contains("Max-Age=0")));
        assert!(out.headers().contains_key("clear-site-data"));
        let me = get("/me").await.expect("me");
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
        server
    }
);

api_test!(
    the_page_is_served_under_a_strict_content_security_policy,
    |server: TestServer| async move {
        let http = reqwest::Client::new();
        for path in ["/", "/c/0192f0c4-0000-7000-8000-000000000000", "/admin"] {
            let page = http
                .get(format!("{}{path}", server.url))
                .send()
                .await
                .expect("page");
            // 200 with the built client; 503 with a hint when the binary was built without it.
            assert!(
                [StatusCode::OK, StatusCode::SERVICE_UNAVAILABLE].contains(&page.status()),
                "{path}: {}",
                page.status()
            );
            let csp = page
                .headers()
                .get(CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .expect("csp")
                .to_owned();
            assert!(csp.contains("script-src 'self'"), "{csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        }
        // The API keeps its own answers: an unknown API path is a problem, not the page.
        let missing = http
            .get(format!("{}/api/v1/no-such-thing", server.url))
            .send()
            .await
            .expect("missing");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let post = http
            .post(format!("{}/", server.url))
            .send()
            .await
            .expect("post");
        assert_eq!(post.status(), StatusCode::NOT_FOUND);
        server
    }
);
