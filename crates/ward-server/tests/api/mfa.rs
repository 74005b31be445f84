use ward_proto::ProblemType;
use ward_proto::auth::{LoginRequest, SessionScope};

use crate::{PASSWORD, TestServer, api_test, assert_problem, code};

fn login(code: Option<String>) -> LoginRequest {
    LoginRequest {
        username: "root".into(),
        password: PASSWORD.into(),
        device_name: "admin desk".into(),
        totp_code: code,
    }
}

api_test!(
    totp_required_roles_need_a_valid_fresh_code,
    |server: TestServer| async move {
        // Before enrolment: a restricted session that can only set up the factor.
        let first = server.anon().login(&login(None)).await.expect("login");
        assert_eq!(first.scope, SessionScope::MfaEnrollment);
        let enrolling = server.anon().authed(&first.token);
        assert_problem(
            enrolling.list_users().await,
            ProblemType::MfaEnrollmentRequired,
        );
        assert_problem(
            enrolling.confirm_totp("123456").await,
            ProblemType::Conflict,
        );
        let enrollment = enrolling.begin_totp().await.expect("begin");
        assert!(
            enrollment
                .otpauth_uri
                .starts_with("otpauth://totp/Ward:root?")
        );
        let secret =
            ward_crypto::totp::TotpSecret::from_base32(&enrollment.secret).expect("secret");
        assert_problem(
            enrolling.confirm_totp("000000").await,
            ProblemType::InvalidCredentials,
        );
        let used = code(&secret);
        enrolling.confirm_totp(&used).await.expect("confirm");
        enrolling.list_users().await.expect("now a full session");
        assert_problem(enrolling.begin_totp().await, ProblemType::Conflict);

        // After enrolment: no full session without a valid code that was not used before.
        let anon = server.anon();
        // A missing code is answered like a wrong password (no password oracle).
        assert_problem(
            anon.login(&login(None)).await,
            ProblemType::InvalidCredentials,
        );
        assert_problem(
            anon.login(&login(Some("000000".into()))).await,
            ProblemType::InvalidCredentials,
        );
        assert_problem(
            anon.login(&login(Some(used.clone()))).await,
            ProblemType::InvalidCredentials,
        );

        // A reset by another admin lets the user enrol again.
        let other_admin_id = server.create(&enrolling, "admin2", "admin").await;
        assert!(!other_admin_id.is_nil());
        let me = enrolling.me().await.expect("me");
        assert!(me.mfa_enrolled);
        enrolling.reset_totp(me.user.id).await.expect("reset");
        let fresh = anon.login(&login(None)).await.expect("login after reset");
        assert_eq!(fresh.scope, SessionScope::MfaEnrollment);
        server
    }
);
