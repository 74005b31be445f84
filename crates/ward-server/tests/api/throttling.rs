use ward_proto::ProblemType;

use crate::{PASSWORD, TestServer, api_test, assert_problem};

api_test!(
    repeated_failures_lock_the_account_across_restarts,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let mut policy = admin.get_policy().await.expect("policy");
        assert_eq!(policy.login.max_failures_per_account, 10);
        policy.login.max_failures_per_account = 3;
        admin.put_policy(&policy).await.expect("set policy");
        server.create(&admin, "dr.okafor", "physician").await;
        server.create(&admin, "dr.lindqvist", "physician").await;

        let anon = server.anon();
        for _ in 0..3 {
            let wrong = anon.sign_in("dr.okafor", "not the password", "x").await;
            assert_problem(wrong, ProblemType::InvalidCredentials);
        }
        // Locked: even the right password is refused, and an unknown name looks the same.
        assert_problem(
            anon.sign_in("dr.okafor", PASSWORD, "x").await,
            ProblemType::LoginThrottled,
        );
        for _ in 0..3 {
            let _ = anon.sign_in("dr.ghost", "not the password", "x").await;
        }
        assert_problem(
            anon.sign_in("dr.ghost", PASSWORD, "x").await,
            ProblemType::LoginThrottled,
        );

        let response = anon
        .request(reqwest::Method::POST, "/auth/login")
        .json(&serde_json::json!({"username": "dr.okafor", "password": PASSWORD, "device_name": "x"}))
        .send()
        .await
        .expect("send");
        assert_eq!(response.status().as_u16(), 429);
        assert!(response.headers().contains_key("retry-after"));

        // The counters are in the database: a restart does not unlock.
        let server = server.restart().await;
        assert_problem(
            server.anon().sign_in("dr.okafor", PASSWORD, "x").await,
            ProblemType::LoginThrottled,
        );
        // Other accounts are unaffected.
        server
            .anon()
            .sign_in("dr.lindqvist", PASSWORD, "x")
            .await
            .expect("others still sign in");
        server
    }
);
