//! The web surface, hardened (issue 16, items 6 and 15): the cookie WebSocket takes only this
//! server's own origin (scheme, host and port), pages deny the browser features the client
//! does not use and cross-origin openers, and every answer over TLS (and only over TLS) carries
//! `Strict-Transport-Security`. None of it depends on storage: one backend is enough.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use reqwest::header::{HeaderMap, STRICT_TRANSPORT_SECURITY};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use ward_server::Config;
use ward_store::testing::TestDatabase;

use crate::web_session::browser_sign_in;
use crate::{TestServer, with_server};

/// A session cookie no session has. The origin check comes first, so an upgrade carrying it
/// is forbidden (403) from a foreign origin and unauthenticated (401) from the server's own.
const UNKNOWN_COOKIE: &str = "ward_session=not-a-session";
const HSTS: &str = "max-age=63072000; includeSubDomains";
const PAGES: [&str; 3] = ["/", "/admin", "/c/0192f0c4-0000-7000-8000-000000000000"];

/// The status code answering a WebSocket upgrade sent over `stream` to `host`, with `headers`.
async fn upgrade_status<S>(stream: &mut S, host: &str, headers: &[(&str, &str)]) -> u16
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut request = format!(
        "GET /api/v1/ws HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    stream.flush().await.expect("flush");
    let mut received: Vec<u8> = Vec::new();
    let mut buffer = [0u8; 512];
    while !received.windows(2).any(|pair| pair == b"\r\n") {
        let read = stream.read(&mut buffer).await.expect("read");
        assert!(read > 0, "the connection closed before an answer");
        received.extend_from_slice(&buffer[..read]);
    }
    let answer = String::from_utf8_lossy(&received);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line")
}

/// Checks the answer to an upgrade to the plain-HTTP `server` carrying `cookie`, from `origin`,
/// with `X-Forwarded-Proto: proto` if given.
async fn check_plain_upgrade(
    server: &TestServer,
    cookie: &str,
    origin: &str,
    proto: Option<&str>,
    expected: u16,
) {
    let host = server.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut headers = vec![("Origin", origin), ("Cookie", cookie)];
    if let Some(proto) = proto {
        headers.push(("X-Forwarded-Proto", proto));
    }
    let status = upgrade_status(&mut stream, host, &headers).await;
    assert_eq!(
        status, expected,
        "Origin {origin}, X-Forwarded-Proto {proto:?}"
    );
}

/// Checks that a page answer denies unused browser features and cross-origin openers.
fn check_page_headers(path: &str, headers: &HeaderMap) {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let permissions = text("permissions-policy");
    for feature in [
        "camera=()",
        "microphone=()",
        "geolocation=()",
        "display-capture=()",
        "payment=()",
        "usb=()",
    ] {
        assert!(
            permissions.split(',').any(|f| f.trim() == feature),
            "{path}: {feature} in Permissions-Policy {permissions:?}"
        );
    }
    assert_eq!(text("cross-origin-opener-policy"), "same-origin", "{path}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_websocket_takes_only_this_servers_scheme_host_and_port() {
    with_server("sqlite", |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        server.create(&admin, "nurse.okafor", "nurse").await;
        let (cookie, _) = browser_sign_in(&server, "nurse.okafor").await;
        let host = server.url.trim_start_matches("http://").to_owned();
        let port: u16 = host
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .expect("port");
        let other = if port == u16::MAX { port - 1 } else { port + 1 };
        let cases = [
            (format!("http://{host}"), None, 101),
            (format!("HTTP://{host}"), None, 101),
            // A plain-HTTP server's pages are not at https://, whoever says so.
            (format!("https://{host}"), None, 403),
            (format!("https://{host}"), Some("https"), 403),
            (format!("http://127.0.0.1:{other}"), None, 403),
            ("http://127.0.0.1".to_owned(), None, 403),
            (format!("http://localhost:{port}"), None, 403),
            (format!("ws://{host}"), None, 403),
            (format!("http://{host}/"), None, 403),
            ("null".to_owned(), None, 403),
        ];
        for (origin, proto, expected) in cases {
            check_plain_upgrade(&server, &cookie, &origin, proto, expected).await;
        }
        server
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_trusted_proxy_names_the_scheme_the_browser_used() {
    let db = TestDatabase::sqlite().expect("temp dir");
    let mut config = Config::new(db.dir.path().to_owned());
    config.behind_tls_proxy = true;
    config.trusted_proxies = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
    let server = TestServer::run(config, db).await;
    let host = server.url.trim_start_matches("http://").to_owned();
    let cases = [
        // Behind a TLS-terminating proxy, browsers use https...
        (format!("https://{host}"), None, 401),
        (format!("http://{host}"), None, 403),
        // ...unless the trusted proxy says otherwise.
        (format!("http://{host}"), Some("http"), 401),
        (format!("https://{host}"), Some("http"), 403),
        (format!("https://{host}"), Some("https"), 401),
        (format!("https://{host}"), Some("gopher"), 403),
    ];
    for (origin, proto, expected) in cases {
        check_plain_upgrade(&server, UNKNOWN_COOKIE, &origin, proto, expected).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_deny_unused_features_and_cross_origin_openers_without_hsts_over_plain_http() {
    with_server("sqlite", |server: TestServer| async move {
        let http = reqwest::Client::new();
        for path in PAGES {
            let page = http
                .get(format!("{}{path}", server.url))
                .send()
                .await
                .expect("page");
            check_page_headers(path, page.headers());
            assert!(
                !page.headers().contains_key(STRICT_TRANSPORT_SECURITY),
                "{path}: HSTS over plain HTTP"
            );
        }
        for path in ["/healthz", "/api/v1/me"] {
            let answer = http
                .get(format!("{}{path}", server.url))
                .send()
                .await
                .expect("answer");
            assert!(
                !answer.headers().contains_key(STRICT_TRANSPORT_SECURITY),
                "{path}: HSTS over plain HTTP"
            );
        }
        server
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_every_answer_carries_hsts_and_the_websocket_takes_only_https() {
    let dir = tempfile::tempdir().expect("dir");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
    let mut config = Config::new(dir.path().join("data"));
    config.tls_cert_file = Some(cert_path);
    config.tls_key_file = Some(key_path);
    let server = ward_server::Server::build(&config).await.expect("build");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(listener, async {
        let _ = stopped.await;
    }));

    let root = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).expect("root");
    let https = reqwest::Client::builder()
        .tls_certs_only([root])
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .build()
        .expect("client");
    let get = |path: &str| https.get(format!("https://localhost:{port}{path}")).send();
    for path in PAGES
        .into_iter()
        .chain(["/healthz", "/api/v1/me", "/api/v1/no-such-thing"])
    {
        let answer = get(path).await.expect("https");
        let hsts = answer
            .headers()
            .get(STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok());
        assert_eq!(hsts, Some(HSTS), "{path}: {}", answer.status());
        if PAGES.contains(&path) {
            check_page_headers(path, answer.headers());
        }
    }

    // The cookie WebSocket over TLS takes only the https origin of this host and port.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).expect("add root");
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls));
    let host = format!("localhost:{port}");
    let cases = [
        (format!("https://{host}"), 401),
        (format!("https://LOCALHOST:{port}"), 401),
        (format!("http://{host}"), 403),
        ("https://localhost".to_owned(), 403),
        (format!("https://127.0.0.1:{port}"), 403),
    ];
    for (origin, expected) in cases {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("tcp");
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        let mut stream = connector.connect(name, tcp).await.expect("handshake");
        let headers = [("Origin", origin.as_str()), ("Cookie", UNKNOWN_COOKIE)];
        let status = upgrade_status(&mut stream, &host, &headers).await;
        assert_eq!(status, expected, "Origin {origin} over TLS");
    }

    let _ = stop.send(());
    let _ = task.await;
}
