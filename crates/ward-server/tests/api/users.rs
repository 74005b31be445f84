use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::users::CreateUserRequest;

use crate::{PASSWORD, TestServer, api_test, assert_problem};

fn new_user(username: &str, role: &str, password: &str) -> CreateUserRequest {
    CreateUserRequest {
        username: username.into(),
        display_name: format!("Test {username}"),
        role: role.into(),
        password: password.into(),
    }
}

api_test!(
    admins_create_users_who_then_sign_in,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let created = admin
            .create_user(&new_user("Pharm.Patel", "pharmacist", PASSWORD))
            .await;
        let created = created.expect("create");
        assert_eq!(created.username, "pharm.patel");
        assert_eq!(
            admin.get_user(created.id).await.expect("get").role,
            "pharmacist"
        );
        let names: Vec<_> = admin
            .list_users()
            .await
            .expect("list")
            .users
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["pharm.patel", "root"]);
        server
            .anon()
            .sign_in("pharm.patel", PASSWORD, "phone")
            .await
            .expect("new user signs in");

        assert_problem(
            admin
                .create_user(&new_user("pharm.patel", "nurse", PASSWORD))
                .await,
            ProblemType::Conflict,
        );
        assert_problem(
            admin.create_user(&new_user("weak", "nurse", "short")).await,
            ProblemType::Validation,
        );
        assert_problem(
            admin.create_user(&new_user("x", "nurse", PASSWORD)).await,
            ProblemType::Validation,
        );
        assert_problem(
            admin
                .create_user(&new_user("ghost", "janitor", PASSWORD))
                .await,
            ProblemType::NotFound,
        );
        assert_problem(
            admin.get_user(uuid::Uuid::now_v7()).await,
            ProblemType::NotFound,
        );
        assert_eq!(
            admin.list_users().await.expect("list").users.len(),
            2,
            "nothing else was stored"
        );
        let roles = admin.list_roles().await.expect("roles").roles;
        assert_eq!(roles.len(), 7);
        server
    }
);

api_test!(
    clinicians_cannot_administer_and_are_audited,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = nurse.me().await.expect("me").user.id;
        assert_problem(
            nurse
                .create_user(&new_user("sneaky", "admin", PASSWORD))
                .await,
            ProblemType::Forbidden,
        );
        assert_problem(nurse.get_policy().await, ProblemType::Forbidden);
        assert_problem(
            nurse.search_audit(&AuditQuery::default()).await,
            ProblemType::Forbidden,
        );
        assert_eq!(admin.list_users().await.expect("list").users.len(), 2);
        // Admins manage accounts but do not read the audit log (separation of duties).
        assert_problem(
            admin.search_audit(&AuditQuery::default()).await,
            ProblemType::Forbidden,
        );

        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let query = AuditQuery {
            actor: Some(nurse_id),
            action: Some("access.denied".into()),
            ..Default::default()
        };
        let denied = compliance
            .search_audit(&query)
            .await
            .expect("search")
            .events;
        assert_eq!(denied.len(), 3);
        assert!(
            denied
                .iter()
                .all(|e| e.outcome == "denied" && e.address.as_deref() == Some("127.0.0.1"))
        );
        server
    }
);

api_test!(
    admins_define_custom_roles_that_take_effect_at_once,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;

        // Bad input changes nothing: a built-in role, audit or unknown permissions, a bad name,
        // and a caller without the policy permission.
        assert_problem(
            admin.put_role("nurse", &["messages_send"]).await,
            ProblemType::Conflict,
        );
        assert_problem(
            admin
                .put_role("unit_clerk", &["users_read", "audit_read"])
                .await,
            ProblemType::Validation,
        );
        assert_problem(
            admin.put_role("unit_clerk", &["superuser"]).await,
            ProblemType::Validation,
        );
        assert_problem(
            admin.put_role("Unit Clerk", &["users_read"]).await,
            ProblemType::Validation,
        );
        assert_problem(
            nurse.put_role("unit_clerk", &["users_read"]).await,
            ProblemType::Forbidden,
        );
        let roles = admin.list_roles().await.expect("roles").roles;
        assert!(roles.iter().all(|r| r.name != "unit_clerk"));
        let built_in = roles.iter().find(|r| r.name == "nurse").expect("nurse");
        assert!(built_in.builtin && !built_in.permissions.is_empty());

        let created = admin
            .put_role("unit_clerk", &["users_read", "messages_send"])
            .await
            .expect("create role");
        assert!(!created.builtin);
        assert_eq!(created.permissions, ["users_read", "messages_send"]);
        let clerk = server.user(&admin, "clerk.ames", "unit_clerk").await;
        clerk
            .list_users()
            .await
            .expect("the role allows the directory");

        admin
            .put_role("unit_clerk", &["messages_send"])
            .await
            .expect("change role");
        assert_problem(clerk.list_users().await, ProblemType::Forbidden);

        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let changes = compliance
            .search_audit(&AuditQuery {
                action: Some("role.change".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(
            changes[0].detail.as_ref().map(|d| d["permissions"].clone()),
            Some(serde_json::json!(["messages_send"]))
        );
        server
    }
);
