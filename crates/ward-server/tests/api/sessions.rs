use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;

use crate::{PASSWORD, TestServer, api_test, assert_problem};

api_test!(
    sessions_are_listed_and_revoked_at_once,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let desk = server.user(&admin, "nurse.reyes", "nurse").await;
        let phone = server
            .anon()
            .sign_in("nurse.reyes", PASSWORD, "phone")
            .await
            .expect("phone");
        let sessions = desk.list_sessions().await.expect("list").sessions;
        assert_eq!(sessions.len(), 2);
        let current: Vec<_> = sessions.iter().filter(|s| s.current).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].device_name, "test device");
        let phone_id = sessions
            .iter()
            .find(|s| !s.current)
            .map(|s| s.id)
            .expect("phone session");

        desk.revoke_session(phone_id).await.expect("revoke");
        assert_problem(phone.me().await, ProblemType::SessionEnded);
        assert_eq!(desk.list_sessions().await.expect("list").sessions.len(), 1);
        assert_problem(desk.revoke_session(phone_id).await, ProblemType::NotFound);

        // Someone else's session is not found for a nurse, and the attempt is recorded.
        let other = server.user(&admin, "nurse.chen", "nurse").await;
        let other_session = other.me().await.expect("me").session.id;
        assert_problem(
            desk.revoke_session(other_session).await,
            ProblemType::NotFound,
        );
        other.me().await.expect("still signed in");
        // An admin may revoke anyone's.
        admin
            .revoke_session(other_session)
            .await
            .expect("admin revokes");
        assert_problem(other.me().await, ProblemType::SessionEnded);
        server
    }
);

api_test!(
    idle_sessions_expire_after_the_policy_timeout,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let mut policy = admin.get_policy().await.expect("policy");
        assert_eq!(policy.session.idle_timeout_secs, 900);
        policy.session.idle_timeout_secs = 1;
        policy.mfa_required_roles.clear();
        admin.put_policy(&policy).await.expect("set policy");
        server.create(&admin, "nurse.reyes", "nurse").await;
        crate::audit::operator_create(&server, "compliance", "compliance_officer").await;
        let nurse = server
            .anon()
            .sign_in("nurse.reyes", PASSWORD, "phone")
            .await
            .expect("sign in");
        nurse.me().await.expect("fresh session works");
        // The timeout passes: the clock moves on two seconds.
        server.advance(2);
        assert_problem(nurse.me().await, ProblemType::SessionEnded);
        assert_problem(admin.me().await, ProblemType::SessionEnded);

        let compliance = server
            .anon()
            .sign_in("compliance", PASSWORD, "desk")
            .await
            .expect("sign in");
        let expired = AuditQuery {
            action: Some("auth.session_expired".into()),
            ..Default::default()
        };
        let events = compliance
            .search_audit(&expired)
            .await
            .expect("search")
            .events;
        let idle = |e: &&ward_proto::audit::AuditEventView| {
            e.detail
                .as_ref()
                .is_some_and(|d| d["reason"] == "idle_timeout")
        };
        assert_eq!(
            events.iter().filter(idle).count(),
            2,
            "automatic logoff is audited: {events:?}"
        );
        server
    }
);

api_test!(
    remote_wipe_is_delivered_and_confirmed,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let desk = server.user(&admin, "dr.okafor", "physician").await;
        let phone = server
            .anon()
            .sign_in("dr.okafor", PASSWORD, "lost phone")
            .await
            .expect("phone");
        let phone_id = phone.me().await.expect("me").session.id;
        assert_problem(phone.confirm_wipe().await, ProblemType::Conflict);

        desk.wipe_session(phone_id).await.expect("order wipe");
        assert_problem(desk.wipe_session(phone_id).await, ProblemType::Conflict);
        assert_problem(phone.me().await, ProblemType::WipeRequired);
        phone.confirm_wipe().await.expect("device confirms");
        assert_problem(phone.me().await, ProblemType::SessionEnded);
        // An ended session is no credential: confirming again, or from a signed-out device,
        // is refused as unauthenticated, not answered as a conflict about its wipe.
        assert_problem(phone.confirm_wipe().await, ProblemType::SessionEnded);
        let laptop = server
            .anon()
            .sign_in("dr.okafor", PASSWORD, "laptop")
            .await
            .expect("laptop");
        laptop.logout().await.expect("sign out");
        assert_problem(laptop.confirm_wipe().await, ProblemType::SessionEnded);

        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let about_phone = AuditQuery {
            target: Some(phone_id),
            ..Default::default()
        };
        let actions: Vec<_> = compliance
            .search_audit(&about_phone)
            .await
            .expect("search")
            .events
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "session.wipe_confirmed",
                "session.wipe_requested",
                "auth.login"
            ]
        );
        server
    }
);
