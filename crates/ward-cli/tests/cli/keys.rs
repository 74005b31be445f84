use crate::{PASSWORD, Running, code, create_user, enrolled_admin, verify, ward};

fn root_key_files(data_dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(data_dir.join("keys"))
        .expect("keys dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("root-"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn rotating_the_root_key_keeps_sealed_secrets_readable() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let ward_server = Running::start(&["serve"], dir.path());
    let (_, secret) = enrolled_admin(&ward_server.client(), "chief").await;
    assert!(ward_server.stop());
    let before = root_key_files(dir.path());
    assert_eq!(before.len(), 1);

    let out = ward()
        .args(["admin", "rotate-root-key", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("re-wrapped 3 data keys"),
        "the TOTP key, the sign-in throttle key and the audit key (made at the first start)"
    );
    let after = root_key_files(dir.path());
    assert_eq!(after.len(), 1);
    assert_ne!(before, after, "the old root key is gone");

    // Signing in with the second factor needs the TOTP secret, sealed under a re-wrapped key.
    let ward_server = Running::start(&["serve"], dir.path());
    let login = ward_proto::auth::LoginRequest {
        username: "chief".into(),
        password: PASSWORD.into(),
        device_name: "after rotation".into(),
        totp_code: Some(code(&secret, 1)),
    };
    let session = ward_server
        .client()
        .login(&login)
        .await
        .expect("sign in after rotation");
    assert_eq!(session.scope, ward_proto::auth::SessionScope::Full);
    assert!(ward_server.stop());
    let (status, report) = verify(dir.path());
    assert_eq!(status, 0, "{report}");
}

#[tokio::test]
async fn an_operator_can_reset_a_lost_second_factor() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let server = Running::start(&["serve"], dir.path());
    enrolled_admin(&server.client(), "chief").await;
    let before = server.client().sign_in("chief", PASSWORD, "x").await;
    assert!(before.is_err(), "an enrolled admin needs a code");
    let out = ward()
        .args(["admin", "reset-totp", "--username", "chief", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = server
        .client()
        .sign_in("chief", PASSWORD, "x")
        .await
        .expect("sign in");
    let scope = after.me().await.expect("me").session.scope;
    assert_eq!(
        scope,
        ward_proto::auth::SessionScope::MfaEnrollment,
        "enrol again"
    );
    let unknown = ward()
        .args(["admin", "reset-totp", "--username", "nobody", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!unknown.status.success());
    assert!(server.stop());
}
