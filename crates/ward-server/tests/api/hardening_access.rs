//! Holes found by testing Ward from outside (issue 16, access): a patient opening a role
//! thread, role existence oracles, patient accounts in the staff directory, sessions that
//! outlive a second-factor reset, the one-time-code password oracle and one attacker locking
//! out a whole NAT address.

use ward_client::{Client, ClientError};
use ward_crypto::totp::TotpSecret;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::clinical::{CreateClinicalRoleRequest, ShiftRequest};
use ward_proto::messaging::CreatePatientRequest;

use crate::audit::compliance_officer;
use crate::messaging::{id_of, text};
use crate::{PASSWORD, TestServer, api_test, assert_problem, code};

/// Enrols a second factor for a signed-in user; returns its secret.
async fn enrol(client: &Client) -> TotpSecret {
    let enrollment = client.begin_totp().await.expect("begin totp");
    let secret = TotpSecret::from_base32(&enrollment.secret).expect("secret");
    client.confirm_totp(&code(&secret)).await.expect("confirm");
    secret
}

/// The code of the next 30-second step (still accepted: one step of clock drift).
fn next_code(secret: &TotpSecret) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    secret.code_at(now + 30).expect("code")
}

/// The problem of a failed call, without its `instance`.
fn problem_of<T: std::fmt::Debug>(result: Result<T, ClientError>) -> serde_json::Value {
    match result {
        Err(ClientError::Problem { problem, .. }) => {
            let mut json = serde_json::to_value(&problem).expect("json");
            if let Some(object) = json.as_object_mut() {
                object.remove("instance");
            }
            json
        }
        other => panic!("expected a problem, got {other:?}"),
    }
}

api_test!(
    patients_reach_staff_only_through_their_own_thread,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let patient = server.user(&admin, "pat.jones", "patient").await;
        let role = admin
            .create_clinical_role(&CreateClinicalRoleRequest {
                name: "Cardiology on-call".into(),
                supervisor_id: None,
            })
            .await
            .expect("role")
            .id;
        let now = time::OffsetDateTime::now_utc();
        admin
            .add_shift(
                role,
                &ShiftRequest {
                    user_id: id_of(&doctor).await,
                    starts_at: now - time::Duration::hours(1),
                    ends_at: now + time::Duration::hours(8),
                },
            )
            .await
            .expect("shift");

        // A patient is refused, for a real role and a made-up one alike, and nothing is created.
        assert_problem(
            patient.send_to_role(role, &text("chest pain")).await,
            ProblemType::Forbidden,
        );
        assert_problem(
            patient
                .send_to_role(uuid::Uuid::new_v4(), &text("chest pain"))
                .await,
            ProblemType::Forbidden,
        );
        let threads = doctor.list_conversations().await.expect("list");
        assert!(threads.conversations.is_empty(), "{threads:?}");

        // Staff still page the role.
        nurse
            .send_to_role(role, &text("Bed 12 chest pain, please call"))
            .await
            .expect("staff send to a role");
        server
    }
);

api_test!(
    staff_see_only_their_own_patients_accounts,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let outsider = server.user(&admin, "nurse.lee", "nurse").await;
        let account = server.create(&admin, "pat.jones", "patient").await;
        nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-4410".into(),
                family_name: "Jones".into(),
                given_name: "Pat".into(),
                birth_date: time::macros::date!(1950 - 01 - 02),
                user_id: Some(account),
                care_team: vec![id_of(&nurse).await],
            })
            .await
            .expect("register");

        let listed =
            |users: ward_proto::users::UserList| users.users.iter().any(|u| u.id == account);
        assert!(listed(nurse.list_users().await.expect("care team")));
        nurse.get_user(account).await.expect("care team reads it");
        assert!(!listed(outsider.list_users().await.expect("outsider")));
        assert_problem(outsider.get_user(account).await, ProblemType::NotFound);
        assert_problem(
            outsider.get_user(uuid::Uuid::new_v4()).await,
            ProblemType::NotFound,
        );
        assert!(listed(admin.list_users().await.expect("admin")));

        let compliance = compliance_officer(&server, &admin).await;
        let denied = compliance
            .search_audit(&AuditQuery {
                actor: Some(id_of(&outsider).await),
                action: Some("access.denied".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        // The made-up id is refused and audited exactly like the real one.
        assert_eq!(denied.len(), 2, "{denied:?}");
        server
    }
);

api_test!(
    a_second_factor_reset_ends_the_sessions_and_codes_are_no_password_oracle,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = id_of(&nurse).await;
        let secret = enrol(&nurse).await;

        // Without the code, the right password and a wrong one get the same answer.
        let anon = server.anon();
        let right = problem_of(anon.sign_in("nurse.reyes", PASSWORD, "x").await);
        let wrong = problem_of(anon.sign_in("nurse.reyes", "not the password", "x").await);
        assert_eq!(right, wrong);
        assert_eq!(right["status"], 401);
        let with_code = ward_proto::auth::LoginRequest {
            username: "nurse.reyes".into(),
            password: PASSWORD.into(),
            device_name: "x".into(),
            // The next step's code: the current one was spent on enrolment.
            totp_code: Some(next_code(&secret)),
        };
        let second = anon.login(&with_code).await.expect("sign in with the code");
        let second = anon.authed(&second.token);

        // The reset ends every session signed in with the old factor, at once.
        admin.reset_totp(nurse_id).await.expect("reset");
        assert_problem(nurse.me().await, ProblemType::SessionEnded);
        assert_problem(second.me().await, ProblemType::SessionEnded);
        server
            .anon()
            .sign_in("nurse.reyes", PASSWORD, "x")
            .await
            .expect("signs in again without a factor");
        server
    }
);

api_test!(
    one_attacker_cannot_lock_out_everyone_behind_an_address,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let mut policy = admin.get_policy().await.expect("policy");
        policy.login.max_failures_per_address = 5;
        admin.put_policy(&policy).await.expect("set policy");
        server.create(&admin, "dr.okafor", "physician").await;
        server.create(&admin, "dr.new", "physician").await;
        let anon = server.anon();
        anon.sign_in("dr.okafor", PASSWORD, "ward pc")
            .await
            .expect("a sign-in from this address");

        // Someone at the same address sprays wrong passwords over many names.
        for n in 0..5 {
            let _ = anon
                .sign_in(&format!("user{n}"), "not the password", "x")
                .await;
        }
        // Accounts never used from here are held back; one used from here still gets in.
        assert_problem(
            anon.sign_in("dr.new", PASSWORD, "x").await,
            ProblemType::LoginThrottled,
        );
        anon.sign_in("dr.okafor", PASSWORD, "ward pc")
            .await
            .expect("known at this address");
        assert_problem(
            anon.sign_in("dr.okafor", "not the password", "x").await,
            ProblemType::InvalidCredentials,
        );
        server
    }
);

api_test!(
    a_refused_change_is_audited_whatever_its_body,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        for (path, method) in [
            ("/policy", reqwest::Method::PUT),
            ("/roles/unit_clerk", reqwest::Method::PUT),
            ("/users", reqwest::Method::POST),
        ] {
            let response = nurse
                .request(method, path)
                .json(&serde_json::json!({ "not": "a valid body" }))
                .send()
                .await
                .expect("send");
            assert_eq!(response.status().as_u16(), 403, "{path}");
        }
        // Every permission-gated change a patient account lacks the permission for.
        let patient = server.user(&admin, "pat.jones", "patient").await;
        let any = uuid::Uuid::new_v4();
        let gated = [
            ("/clinical-roles".to_owned(), reqwest::Method::POST),
            (
                format!("/clinical-roles/{any}/shifts"),
                reqwest::Method::POST,
            ),
            (
                format!("/conversations/{any}/escalation-role"),
                reqwest::Method::PUT,
            ),
            ("/patients".to_owned(), reqwest::Method::POST),
            (format!("/patients/{any}/care-team"), reqwest::Method::POST),
            ("/conversations".to_owned(), reqwest::Method::POST),
            (
                format!("/patients/{any}/break-glass"),
                reqwest::Method::POST,
            ),
            (
                format!("/conversations/{any}/lifespan"),
                reqwest::Method::PUT,
            ),
            (
                format!("/conversations/{any}/retention"),
                reqwest::Method::PUT,
            ),
            ("/legal-holds".to_owned(), reqwest::Method::POST),
        ];
        for (path, method) in &gated {
            let response = patient
                .request(method.clone(), path)
                .json(&serde_json::json!({ "not": "a valid body" }))
                .send()
                .await
                .expect("send");
            assert_eq!(response.status().as_u16(), 403, "{method} {path}");
        }
        let compliance = compliance_officer(&server, &admin).await;
        for (who, refused) in [(&nurse, 3), (&patient, gated.len())] {
            let denied = compliance
                .search_audit(&AuditQuery {
                    actor: Some(id_of(who).await),
                    action: Some("access.denied".into()),
                    ..AuditQuery::default()
                })
                .await
                .expect("audit")
                .events;
            assert_eq!(denied.len(), refused, "{denied:?}");
        }
        server
    }
);

api_test!(
    probing_for_registered_mrns_is_audited_and_limited,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let prober = server.user(&admin, "nurse.lee", "nurse").await;
        let register = |who: uuid::Uuid| CreatePatientRequest {
            mrn: "MRN-7001".into(),
            family_name: "Jones".into(),
            given_name: "Pat".into(),
            birth_date: time::macros::date!(1950 - 01 - 02),
            user_id: None,
            care_team: vec![who],
        };
        let patient = nurse
            .create_patient(&register(id_of(&nurse).await))
            .await
            .expect("register");
        let prober_id = id_of(&prober).await;
        for _ in 0..10 {
            assert_problem(
                prober.create_patient(&register(prober_id)).await,
                ProblemType::Conflict,
            );
        }
        assert_problem(
            prober.create_patient(&register(prober_id)).await,
            ProblemType::RateLimited,
        );
        let compliance = compliance_officer(&server, &admin).await;
        let probes = compliance
            .search_audit(&AuditQuery {
                actor: Some(prober_id),
                patient: Some(patient.id),
                action: Some("patient.create".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(probes.len(), 11, "each probe names the patient it hit");
        server
    }
);
