//! Separation of duties (issue 16, item 3): an admin alone can neither make an account that
//! reads the audit log nor remove a compliance officer's second factor. Each asks for a second
//! person's approval, and where no one else could give it the API names the operator's way.

use reqwest::{Method, RequestBuilder};
use uuid::Uuid;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::approvals::{
    PrivilegedChangeKind, PrivilegedChangeList, PrivilegedChangeState, PrivilegedChangeView,
};
use ward_proto::audit::{AuditEventView, AuditQuery};
use ward_proto::auth::{LoginRequest, SessionScope};
use ward_proto::users::CreateUserRequest;

use crate::audit::{compliance_officer, officer};
use crate::{PASSWORD, TestServer, api_test, assert_problem};

/// Sends a request; its status and its JSON body (`null` if it has none).
async fn send(request: RequestBuilder) -> (u16, serde_json::Value) {
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

fn new_user(username: &str, role: &str) -> CreateUserRequest {
    CreateUserRequest {
        username: username.into(),
        display_name: format!("Test {username}"),
        role: role.into(),
        password: PASSWORD.into(),
    }
}

async fn decide(client: &Client, id: Uuid, decision: &str) -> (u16, serde_json::Value) {
    let path = format!("/privileged-changes/{id}/{decision}");
    send(client.request(Method::POST, &path)).await
}

async fn pending(client: &Client) -> Vec<PrivilegedChangeView> {
    let (status, body) =
        send(client.request(Method::GET, "/privileged-changes?state=pending")).await;
    assert_eq!(status, 200, "{body}");
    let list: PrivilegedChangeList = serde_json::from_value(body).expect("list");
    list.changes
}

/// The audit events about `target`, oldest first, as a compliance officer reads them.
async fn events_about(officer: &Client, target: Uuid) -> Vec<AuditEventView> {
    let query = AuditQuery {
        target: Some(target),
        ..AuditQuery::default()
    };
    let mut events = officer.search_audit(&query).await.expect("audit").events;
    events.reverse();
    events
}

async fn usernames(admin: &Client) -> Vec<String> {
    let users = admin.list_users().await.expect("users").users;
    users.into_iter().map(|u| u.username).collect()
}

api_test!(
    an_admin_cannot_make_a_compliance_officer_without_a_second_person,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let admin_id = admin.me().await.expect("me").user.id;
        let officer = compliance_officer(&server, &admin).await;
        let officer_id = officer.me().await.expect("me").user.id;

        // Asked for, not made: 202 with the pending request, and no account.
        let post = admin
            .request(Method::POST, "/users")
            .json(&new_user("auditor", "compliance_officer"));
        let (status, body) = send(post).await;
        assert_eq!(status, 202, "{body}");
        assert!(!body.to_string().contains("password"), "{body}");
        let request: PrivilegedChangeView = serde_json::from_value(body).expect("request");
        assert_eq!(request.kind, PrivilegedChangeKind::CreateUser);
        assert_eq!(request.state, PrivilegedChangeState::Pending);
        assert_eq!(request.requested_by, admin_id);
        assert_eq!(
            request.expires_at - request.requested_at,
            time::Duration::hours(24)
        );
        let account = request.account.clone().expect("the proposed account");
        assert_eq!(account.role, "compliance_officer");
        assert!(!usernames(&admin).await.contains(&"auditor".to_owned()));
        assert_problem(admin.get_user(request.subject).await, ProblemType::NotFound);

        // The requester cannot approve their own request.
        let (status, body) = decide(&admin, request.id, "approve").await;
        assert_eq!(status, 403, "{body}");
        assert!(!usernames(&admin).await.contains(&"auditor".to_owned()));

        // The admin sees their own request; the officer sees it to decide.
        let mine = pending(&admin).await;
        assert!(mine.iter().any(|c| c.id == request.id));
        let waiting = pending(&officer).await;
        assert!(waiting.iter().any(|c| c.id == request.id));
        // Compliance officers are alerted to the request, naming who asked.
        server
            .services
            .compliance()
            .run_monitoring(server.now())
            .await
            .expect("monitoring");
        let alerts = officer.list_alerts(true).await.expect("alerts").alerts;
        assert!(
            alerts.iter().any(
                |a| a.kind == ward_proto::oversight::AlertKind::PrivilegedChange
                    && a.subject_id == Some(admin_id)
            ),
            "{alerts:?}"
        );

        // The officer approves: the account exists now, with the id the request named.
        let (status, body) = decide(&officer, request.id, "approve").await;
        assert_eq!(status, 200, "{body}");
        let approved: PrivilegedChangeView = serde_json::from_value(body).expect("approved");
        assert_eq!(approved.state, PrivilegedChangeState::Approved);
        assert_eq!(approved.decided_by, Some(officer_id));
        let user = admin.get_user(request.subject).await.expect("the account");
        assert_eq!(user.username, "auditor");
        assert_eq!(user.role, "compliance_officer");
        server
            .anon()
            .sign_in("auditor", PASSWORD, "audit desk")
            .await
            .expect("the new officer signs in with the password the admin set");
        assert!(pending(&officer).await.iter().all(|c| c.id != request.id));
        let (status, body) = decide(&officer, request.id, "approve").await;
        assert_eq!(status, 409, "{body}");

        // Both steps are in the audit log, and the account's creation names the approval.
        let steps = events_about(&officer, request.id).await;
        let actions: Vec<(&str, Option<Uuid>)> = steps
            .iter()
            .map(|e| (e.action.as_str(), e.actor_id))
            .collect();
        assert_eq!(
            actions,
            vec![
                ("privileged_change.requested", Some(admin_id)),
                ("privileged_change.approved", Some(officer_id)),
            ]
        );
        assert!(steps.iter().all(|e| e.outcome == "success"));
        assert!(!format!("{steps:?}").contains("argon2"));
        let created = events_about(&officer, request.subject).await;
        let created = created
            .iter()
            .find(|e| e.action == "user.create")
            .expect("user.create");
        assert_eq!(created.actor_id, Some(officer_id));
        let detail = created.detail.clone().unwrap_or_default();
        assert_eq!(detail["request"], request.id.to_string());
        assert_eq!(detail["requested_by"], admin_id.to_string());
        assert_eq!(
            created.seq,
            steps[1].seq + 1,
            "approved and made in one transaction"
        );

        // A rejected request makes nothing, and is audited.
        let post = admin
            .request(Method::POST, "/users")
            .json(&new_user("auditor.two", "compliance_officer"));
        let (status, body) = send(post).await;
        assert_eq!(status, 202, "{body}");
        let request: PrivilegedChangeView = serde_json::from_value(body).expect("request");
        let (status, body) = decide(&officer, request.id, "reject").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["state"], "rejected");
        assert_eq!(decide(&officer, request.id, "approve").await.0, 409);
        assert!(!usernames(&admin).await.contains(&"auditor.two".to_owned()));
        let steps = events_about(&officer, request.id).await;
        assert_eq!(
            steps.last().map(|e| e.action.as_str()),
            Some("privileged_change.rejected")
        );

        // Other roles are unchanged: a nurse is made at once.
        let nurse = admin
            .create_user(&new_user("nurse.reyes", "nurse"))
            .await
            .expect("a nurse is created at once");
        assert_eq!(nurse.role, "nurse");
        server
    }
);

api_test!(
    an_admin_cannot_remove_an_officers_second_factor_alone,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let first = officer(&server, "compliance").await;
        let second = officer(&server, "auditor").await;
        let first_id = first.me().await.expect("me").user.id;

        let path = format!("/users/{first_id}/totp");
        let (status, body) = send(admin.request(Method::DELETE, &path)).await;
        assert_eq!(status, 202, "{body}");
        let request: PrivilegedChangeView = serde_json::from_value(body).expect("request");
        assert_eq!(request.kind, PrivilegedChangeKind::ResetTotp);
        assert_eq!(request.subject, first_id);

        // Until approved, the factor stays: the officer is still signed in and enrolled, and
        // the password alone does not sign them in.
        assert!(first.me().await.expect("still signed in").mfa_enrolled);
        assert_problem(
            server.anon().sign_in("compliance", PASSWORD, "x").await,
            ProblemType::InvalidCredentials,
        );
        // Neither the requester nor the officer whose factor it is may approve.
        assert_eq!(decide(&admin, request.id, "approve").await.0, 403);
        assert_eq!(decide(&first, request.id, "approve").await.0, 403);
        assert!(first.me().await.expect("still signed in").mfa_enrolled);

        // Another officer approves: the factor is gone and the sessions it opened ended.
        let (status, body) = decide(&second, request.id, "approve").await;
        assert_eq!(status, 200, "{body}");
        assert_problem(first.me().await, ProblemType::SessionEnded);
        let login = LoginRequest {
            username: "compliance".into(),
            password: PASSWORD.into(),
            device_name: "audit desk".into(),
            totp_code: None,
        };
        let again = server
            .anon()
            .login(&login)
            .await
            .expect("signs in to enrol");
        assert_eq!(again.scope, SessionScope::MfaEnrollment);
        let actions: Vec<String> = events_about(&second, request.id)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["privileged_change.requested", "privileged_change.approved"]
        );
        let reset = events_about(&second, first_id).await;
        assert!(reset.iter().any(|e| e.action == "auth.totp_reset"));
        server
    }
);

api_test!(
    without_another_officer_the_admin_is_sent_to_the_command_line,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let post = admin
            .request(Method::POST, "/users")
            .json(&new_user("compliance", "compliance_officer"));
        let (status, body) = send(post).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["type"], "urn:ward:problem:conflict");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("ward admin create-user"), "{body}");
        assert!(!usernames(&admin).await.contains(&"compliance".to_owned()));

        // The operator makes the first officer; that officer's own factor still cannot be
        // removed through the API, since no one else could approve it.
        let officer = compliance_officer(&server, &admin).await;
        let officer_id = officer.me().await.expect("me").user.id;
        let path = format!("/users/{officer_id}/totp");
        let (status, body) = send(admin.request(Method::DELETE, &path)).await;
        assert_eq!(status, 409, "{body}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("ward admin reset-totp"), "{body}");
        assert!(officer.me().await.expect("still signed in").mfa_enrolled);

        // Both refusals and the operator's creation are in the audit log.
        let query = AuditQuery {
            action: Some("privileged_change.requested".into()),
            ..AuditQuery::default()
        };
        let refused = officer.search_audit(&query).await.expect("audit").events;
        assert_eq!(refused.len(), 2);
        assert!(refused.iter().all(|e| e.outcome == "failure"));
        let made = events_about(&officer, officer_id).await;
        let made = made
            .iter()
            .find(|e| e.action == "user.create")
            .expect("user.create");
        assert_eq!(made.actor_id, None);
        assert_eq!(made.detail.clone().unwrap_or_default()["via"], "cli");
        assert!(pending(&officer).await.is_empty());
        server
    }
);
