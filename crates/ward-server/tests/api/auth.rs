use ward_proto::ProblemType;
use ward_proto::auth::{LoginRequest, SessionScope};

use crate::{PASSWORD, TestServer, api_test, assert_problem};

api_test!(sign_in_me_and_sign_out, |server: TestServer| async move {
    let (admin, _) = server.admin().await;
    server.create(&admin, "nurse.reyes", "nurse").await;
    let login = server
        .anon()
        .login(&LoginRequest {
            username: "Nurse.Reyes".into(),
            password: PASSWORD.into(),
            device_name: "Ward on iPhone".into(),
            totp_code: None,
        })
        .await
        .expect("login");
    assert_eq!(login.scope, SessionScope::Full);
    assert_eq!(login.user.username, "nurse.reyes");
    assert_eq!(login.idle_timeout_secs, 900);
    assert!(login.token.starts_with("ward_"));

    let nurse = server.anon().authed(&login.token);
    let me = nurse.me().await.expect("me");
    assert_eq!(me.user.role, "nurse");
    assert!(me.permissions.contains(&"messages_send".to_owned()));
    assert!(me.session.current);
    assert_eq!(me.session.device_name, "Ward on iPhone");

    nurse.logout().await.expect("logout");
    assert_problem(nurse.me().await, ProblemType::SessionEnded);
    assert_problem(nurse.logout().await, ProblemType::SessionEnded);
    server
});

api_test!(
    unknown_user_and_wrong_password_are_indistinguishable,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        server.create(&admin, "dr.okafor", "physician").await;
        let attempt = |username: &str| {
            let body = serde_json::json!({
                "username": username, "password": "not the password", "device_name": "x"
            });
            let request = server
                .anon()
                .request(reqwest::Method::POST, "/auth/login")
                .json(&body);
            async move {
                let response = request.send().await.expect("send");
                (response.status(), response.text().await.expect("body"))
            }
        };
        let wrong_password = attempt("dr.okafor").await;
        let unknown_user = attempt("dr.nobody").await;
        let malformed_name = attempt("!!").await;
        assert_eq!(wrong_password.0.as_u16(), 401);
        assert_eq!(wrong_password, unknown_user);
        assert_eq!(wrong_password, malformed_name);
        server
    }
);

api_test!(
    disabled_users_are_signed_out_and_refused,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.chen", "nurse").await;
        let id = nurse.me().await.expect("me").user.id;
        let update = ward_proto::users::UpdateUserRequest {
            status: ward_proto::users::UserStatus::Disabled,
        };
        let updated = admin.update_user(id, &update).await.expect("disable");
        assert_eq!(updated.status, ward_proto::users::UserStatus::Disabled);
        assert_problem(nurse.me().await, ProblemType::SessionEnded);
        let again = server.anon().sign_in("nurse.chen", PASSWORD, "phone").await;
        assert_problem(again, ProblemType::InvalidCredentials);
        server
    }
);
