//! Health, metrics, the OpenAPI document and TLS.

use std::sync::Arc;

use crate::{TestServer, api_test};

api_test!(
    health_metrics_and_openapi,
    |server: TestServer| async move {
        let http = reqwest::Client::new();
        let get = |path: &str| http.get(format!("{}{path}", server.url)).send();
        assert_eq!(
            get("/healthz").await.expect("healthz").status().as_u16(),
            200
        );
        assert_eq!(get("/readyz").await.expect("readyz").status().as_u16(), 200);
        let _ = server
            .anon()
            .sign_in("nobody.here", "wrong password!", "x")
            .await;
        let metrics = get("/metrics")
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        assert!(metrics.contains("ward_http_requests_total{method=\"POST\",route=\"/api/v1/auth/login\",status=\"401\"} 1"), "{metrics}");
        assert!(metrics.contains("ward_login_failures_total 1"));

        let doc: serde_json::Value = get("/api/v1/openapi.json")
            .await
            .expect("openapi")
            .json()
            .await
            .expect("json");
        assert_eq!(doc["openapi"], "3.1.0");
        for path in [
            "/api/v1/auth/login",
            "/api/v1/users",
            "/api/v1/sessions/{id}",
            "/api/v1/audit",
        ] {
            assert!(
                doc["paths"].get(path).is_some(),
                "{path} missing from the OpenAPI document"
            );
        }
        assert!(doc["components"]["schemas"].get("Problem").is_some());
        server
    }
);

/// TLS is configuration, not storage: one backend is enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_tls_when_a_certificate_is_configured() {
    let dir = tempfile::tempdir().expect("dir");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");

    let mut config = ward_server::Config::new(dir.path().join("data"));
    config.tls_cert_file = Some(cert_path);
    config.tls_key_file = Some(key_path);
    let server = ward_server::Server::build(&config).await.expect("build");
    assert!(server.uses_tls());
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
    let ok = https
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .expect("https");
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.text().await.expect("body"), "ok");

    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(plain.is_err() || plain.is_ok_and(|r| r.status().as_u16() != 200));

    // A client offering only TLS 1.2 with the AEAD suites still connects.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).expect("add root");
    let tls12 = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls12));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("tcp");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let stream = connector
        .connect(name, tcp)
        .await
        .expect("TLS 1.2 handshake");
    let (_, session) = stream.get_ref();
    assert_eq!(
        session.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );

    let _ = stop.send(());
    let _ = task.await;
}
