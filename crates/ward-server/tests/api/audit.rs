use secrecy::SecretString;
use ward_client::Client;
use ward_crypto::totp::TotpSecret;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_server::services::NewUser;

use crate::{PASSWORD, TestServer, api_test, assert_problem, code};

/// A compliance officer (`compliance`) with a full session. An admin alone cannot make one
/// (separation of duties), so the officer is made on the operator's authority, as
/// `ward admin create-user` does; `_admin` is kept for the callers' sake.
pub async fn compliance_officer(server: &TestServer, _admin: &Client) -> Client {
    officer(server, "compliance").await
}

/// A compliance officer named `username`, made on the operator's authority, with a full
/// session (enrolling the second factor their role needs).
pub async fn officer(server: &TestServer, username: &str) -> Client {
    operator_create(server, username, "compliance_officer").await;
    let enrolling = server
        .anon()
        .sign_in(username, PASSWORD, "audit desk")
        .await
        .expect("sign in");
    let secret = TotpSecret::from_base32(&enrolling.begin_totp().await.expect("begin").secret)
        .expect("secret");
    enrolling
        .confirm_totp(&code(&secret))
        .await
        .expect("confirm");
    enrolling
}

/// Creates an account on the operator's authority (what `ward admin create-user` does, with
/// access to the data directory), beside the running server; its id.
pub async fn operator_create(server: &TestServer, username: &str, role: &str) -> uuid::Uuid {
    let (store, keyring) = ward_server::open(&server.config).await.expect("open");
    let services = ward_server::Services::new(store.clone(), keyring, Default::default());
    let new = NewUser {
        username: username.into(),
        display_name: format!("Test {username}"),
        role: role.into(),
        password: SecretString::from(PASSWORD),
    };
    let created = services.identity().create_user(None, new).await;
    store.close().await;
    *created
        .expect("the operator creates the account")
        .id
        .as_uuid()
}

api_test!(
    audit_records_sign_ins_and_filters,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = nurse.me().await.expect("me").user.id;
        let _ = server
            .anon()
            .sign_in("nurse.reyes", "wrong password!", "x")
            .await;
        let _ = server
            .anon()
            .sign_in("nobody.at.all", "wrong password!", "x")
            .await;
        nurse.list_sessions().await.expect("list");
        let compliance = compliance_officer(&server, &admin).await;

        let by_nurse = AuditQuery {
            actor: Some(nurse_id),
            ..Default::default()
        };
        let actions: Vec<_> = compliance
            .search_audit(&by_nurse)
            .await
            .expect("search")
            .events
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "session.list",
                "auth.login_failed",
                "user.profile_read",
                "auth.login"
            ]
        );

        let failures = AuditQuery {
            action: Some("auth.login_failed".into()),
            ..Default::default()
        };
        let failed = compliance
            .search_audit(&failures)
            .await
            .expect("search")
            .events;
        assert_eq!(failed.len(), 2);
        let reasons: Vec<_> = failed
            .iter()
            .map(|e| e.detail.clone().unwrap_or_default()["reason"].clone())
            .collect();
        assert_eq!(reasons, ["unknown_user", "bad_password"]);
        assert!(
            failed
                .iter()
                .all(|e| e.outcome == "failure" && e.address.as_deref() == Some("127.0.0.1"))
        );

        let page = AuditQuery {
            limit: Some(3),
            ..Default::default()
        };
        let first = compliance.search_audit(&page).await.expect("page");
        assert_eq!(first.events.len(), 3);
        let next = AuditQuery {
            limit: Some(3),
            before: first.next_before,
            ..Default::default()
        };
        let second = compliance.search_audit(&next).await.expect("next page");
        assert!(second.events[0].seq < first.events[2].seq);

        let bad_range = AuditQuery {
            from: Some("2026-01-02T00:00:00Z".into()),
            to: Some("2026-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        assert_problem(
            compliance.search_audit(&bad_range).await,
            ProblemType::Validation,
        );
        let bad_action = AuditQuery {
            action: Some("no.such".into()),
            ..Default::default()
        };
        assert_problem(
            compliance.search_audit(&bad_action).await,
            ProblemType::Validation,
        );

        let report = compliance.verify_audit().await.expect("verify");
        assert!(report.ok, "{report:?}");
        assert!(report.verified_events > 10);
        assert_eq!(report.head_hash.len(), 64);

        // A signed checkpoint for an outside party: valid, and of the head it was asked at.
        assert_problem(nurse.export_checkpoint().await, ProblemType::Forbidden);
        let exported = compliance.export_checkpoint().await.expect("checkpoint");
        let checkpoint = ward_server::wire::checkpoint_from_view(&exported).expect("hex");
        assert!(ward_crypto::audit_signing::signature_valid(&checkpoint));
        assert!(exported.seq > report.verified_events, "{exported:?}");
        let again = compliance.verify_audit().await.expect("verify");
        assert!(again.ok, "{again:?}");
        server
    }
);
