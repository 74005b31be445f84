//! T11: a TLS scanner (Debian's sslscan) against a real TLS listener: only TLS 1.2 and 1.3,
//! only ECDHE key exchange, only AEAD cipher suites.

use std::process::Command;

/// TLS 1.3 suites a server may accept: all AEAD.
const TLS13_AEAD: [&str; 3] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

/// What a scan found wrong, if anything.
fn weaknesses(scan: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut ciphers = 0;
    for line in scan.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [
                protocol @ ("SSLv2" | "SSLv3" | "TLSv1.0" | "TLSv1.1"),
                state,
                ..,
            ] if *state != "disabled" => {
                found.push(format!("{protocol} is {state}"));
            }
            [protocol @ ("TLSv1.2" | "TLSv1.3"), state] if *state != "enabled" => {
                found.push(format!("{protocol} is {state}"));
            }
            ["Preferred" | "Accepted", protocol, _, "bits", suite, ..] => {
                ciphers += 1;
                let aead = match *protocol {
                    "TLSv1.3" => TLS13_AEAD.contains(suite),
                    "TLSv1.2" => {
                        suite.starts_with("ECDHE-")
                            && (suite.contains("-GCM-") || suite.ends_with("CHACHA20-POLY1305"))
                    }
                    _ => false,
                };
                if !aead {
                    found.push(format!("{protocol} accepts {suite}"));
                }
            }
            _ if line.contains("ffdhe") => found.push(format!("finite-field DHE: {line}")),
            _ => {}
        }
    }
    if ciphers == 0 {
        found.push("the scan found no cipher suite at all".into());
    }
    found
}

#[test]
fn the_checker_flags_what_a_weak_server_offers() {
    let weak = "TLSv1.0   enabled\nTLSv1.2   enabled\nTLSv1.3   enabled\n\
        Accepted  TLSv1.2  256 bits  ECDHE-ECDSA-AES256-SHA        Curve 25519 DHE 253\n\
        Accepted  TLSv1.2  128 bits  AES128-GCM-SHA256\n\
        TLSv1.3  112 bits  ffdhe2048\n";
    assert_eq!(weaknesses(weak).len(), 4, "{:?}", weaknesses(weak));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_scan_finds_only_tls_1_2_and_1_3_with_ecdhe_and_aead() {
    if Command::new("sslscan").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "sslscan is required in CI (cargo xtask test installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
    let mut config = ward_server::Config::new(dir.path().join("data"));
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

    let target = format!("127.0.0.1:{port}");
    let scan = tokio::task::spawn_blocking(move || {
        Command::new("sslscan")
            .args([
                "--no-colour",
                "--no-heartbleed",
                "--no-fallback",
                "--no-renegotiation",
                "--no-compression",
                "--no-check-certificate",
                "--sni-name=localhost",
                &target,
            ])
            .output()
            .expect("run sslscan")
    })
    .await
    .expect("scan");
    let report = String::from_utf8_lossy(&scan.stdout).into_owned();
    assert!(scan.status.success(), "{report}");
    assert!(report.contains("TLSv1.3   enabled"), "{report}");
    let found = weaknesses(&report);
    assert!(found.is_empty(), "{found:?}\n{report}");

    let _ = stop.send(());
    let _ = task.await;
}
