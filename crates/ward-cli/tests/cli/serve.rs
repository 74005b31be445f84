use ward_proto::users::CreateUserRequest;

use crate::{
    PASSWORD, Running, contains, create_user, database_bytes, enrolled_admin, verify, ward,
};

#[tokio::test]
async fn an_operator_creates_an_admin_who_runs_the_organisation() {
    let dir = tempfile::tempdir().expect("dir");
    let out = create_user(dir.path(), "chief", "admin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user chief (admin)"));
    let again = create_user(dir.path(), "chief", "admin");
    assert!(!again.status.success(), "a taken username is refused");

    let ward = Running::start(&["serve"], dir.path());
    let (admin, secret) = enrolled_admin(&ward.client(), "chief").await;
    let nurse = CreateUserRequest {
        username: "nurse.reyes".into(),
        display_name: "Maria Reyes".into(),
        role: "nurse".into(),
        password: PASSWORD.into(),
    };
    admin
        .create_user(&nurse)
        .await
        .expect("create through the API");
    let phone = ward
        .client()
        .sign_in("nurse.reyes", PASSWORD, "phone")
        .await
        .expect("phone");
    let desk = ward
        .client()
        .sign_in("nurse.reyes", PASSWORD, "desk")
        .await
        .expect("desk");
    let sessions = desk.list_sessions().await.expect("list").sessions;
    assert_eq!(sessions.len(), 2);
    let other = sessions.iter().find(|s| !s.current).expect("phone session");
    desk.revoke_session(other.id).await.expect("revoke");
    let refused = phone.me().await.expect_err("revoked token refused");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));
    assert!(ward.stop(), "graceful shutdown");

    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    assert!(report.starts_with("audit chain OK"), "{report}");

    // Sealed secrets are not in the database in any readable form.
    let db = database_bytes(dir.path());
    assert!(
        contains(&db, b"nurse.reyes"),
        "the scan does read the database"
    );
    let base32 = secret.to_base32().expect("base32");
    assert!(
        !contains(&db, base32.as_bytes()),
        "TOTP secret (base32) in the database"
    );
    assert!(
        !contains(&db, secret.as_bytes()),
        "TOTP secret (raw) in the database"
    );
    assert!(
        !contains(&db, PASSWORD.as_bytes()),
        "a password in the database"
    );
}

#[test]
fn refuses_plain_http_on_a_network_address() {
    let dir = tempfile::tempdir().expect("dir");
    let out = ward()
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("without TLS"));
}

#[tokio::test]
async fn the_demo_serves_an_organisation_and_prints_how_to_sign_in() {
    let dir = tempfile::tempdir().expect("dir");
    let demo = Running::start(&["demo"], &dir.path().join("demo"));
    let nurse = demo
        .client()
        .sign_in("nurse.reyes", "ward-demo-password", "demo")
        .await;
    let me = nurse.expect("demo nurse signs in").me().await.expect("me");
    assert_eq!(me.user.display_name, "Maria Reyes, RN");
    let admin = demo
        .client()
        .sign_in("admin", "ward-demo-password", "demo")
        .await
        .expect("admin");
    let scope = admin.me().await.expect("me").session.scope;
    assert_eq!(scope, ward_proto::auth::SessionScope::MfaEnrollment);
    assert!(demo.stop());
}

#[tokio::test]
async fn serve_reads_a_config_file_and_ward_variables() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    assert!(create_user(&data, "chief", "admin").status.success());
    let config = dir.path().join("ward.toml");
    let toml = format!(
        "data_dir = {:?}\nlisten = \"127.0.0.1:9\"\n",
        data.display().to_string()
    );
    std::fs::write(&config, toml).expect("write config");
    let mut command = ward();
    command
        .args(["--log-json", "serve", "--config"])
        .arg(&config);
    // A WARD_ variable overrides the file's port.
    command.env("WARD_LISTEN", "127.0.0.1:0");
    let server = Running::spawn(command);
    assert!(
        !server.url.ends_with(":9"),
        "WARD_LISTEN won over the file: {}",
        server.url
    );
    let admin = server
        .client()
        .sign_in("chief", PASSWORD, "x")
        .await
        .expect("sign in");
    assert_eq!(admin.me().await.expect("me").user.username, "chief");
    assert!(server.stop());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "data_dir = \"/tmp/x\"\nlisten_port = 1\n").expect("write");
    let out = ward()
        .args(["serve", "--config"])
        .arg(&bad)
        .output()
        .expect("run");
    assert!(!out.status.success(), "an unknown key is refused");
}
