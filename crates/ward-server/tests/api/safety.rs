//! Clinical safety checks at send time, over REST and the WebSocket: findings come back before
//! anything is stored, the sender confirms or edits, and policy can turn findings into blocks.

use std::time::Duration;

use uuid::Uuid;
use ward_client::ClientError;
use ward_client::realtime::Realtime;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::messaging::{CreatePatientRequest, SafetyCheckKind, SendMessageRequest};
use ward_proto::realtime::{ClientFrame, ServerFrame};

use crate::audit::compliance_officer;
use crate::messaging::{group, id_of, text};
use crate::{TestServer, api_test};

/// The finding codes of a refused send, and whether it was blocked (not just held for review).
fn refused_codes<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (Vec<String>, bool) {
    match result {
        Err(ClientError::Problem { status, problem }) => {
            assert_eq!(status.as_u16(), 422, "{problem:?}");
            let blocked = match problem.problem_type() {
                Some(ProblemType::SafetyReview) => false,
                Some(ProblemType::SafetyBlocked) => true,
                other => panic!("expected a safety problem, got {other:?}"),
            };
            let findings = problem.findings.expect("findings");
            (findings.into_iter().map(|f| f.code).collect(), blocked)
        }
        other => panic!("expected a safety problem, got {other:?}"),
    }
}

fn confirmed(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        confirm_findings: true,
        ..text(body)
    }
}

api_test!(
    findings_hold_a_message_until_the_sender_confirms,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse_id = id_of(&nurse).await;
        let channel = group(&nurse, &[id_of(&doctor).await]).await;
        let patient = nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-884421".into(),
                family_name: "Smith".into(),
                given_name: "John".into(),
                birth_date: time::macros::date!(1960 - 01 - 02),
                user_id: None,
                care_team: vec![nurse_id],
            })
            .await
            .expect("register");

        // Do Not Use abbreviations: held, with the findings, and nothing stored.
        let draft = "Give 10 U insulin QD";
        let (codes, blocked) = refused_codes(nurse.send_message(channel, &text(draft)).await);
        assert!(!blocked);
        assert!(codes.contains(&"u".to_owned()), "{codes:?}");
        assert!(codes.contains(&"qd".to_owned()), "{codes:?}");
        assert!(
            nurse
                .list_messages(channel, 0, 10)
                .await
                .expect("list")
                .messages
                .is_empty()
        );

        // A registered patient's name and birth date in a general conversation.
        let phi = "Patient John Smith DOB 01/02/1960";
        let check = nurse.check_message(channel, phi).await.expect("check");
        let found: Vec<&str> = check.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(found, ["patient_name", "date_of_birth"]);
        assert!(
            check
                .findings
                .iter()
                .all(|f| f.check == SafetyCheckKind::Identifier && !f.blocking)
        );
        assert_eq!(
            &phi[check.findings[0].start..check.findings[0].end],
            "John Smith"
        );
        assert!(!check.blocked);
        // The same words in the patient's own care-team thread are expected there.
        let thread = patient.care_team_conversation_id.expect("care-team thread");
        let (_, created) = nurse
            .send_message(thread, &text(phi))
            .await
            .expect("patient thread");
        assert!(created);

        // Ordinary clinical shorthand goes straight through.
        nurse
            .send_message(channel, &text("U/S abdomen done"))
            .await
            .expect("no findings");

        // Confirmed: sent, and the audit records which findings the sender confirmed.
        let (sent, created) = nurse
            .send_message(channel, &confirmed(draft))
            .await
            .expect("confirmed send");
        assert!(created);
        assert_eq!(sent.body, draft);
        let compliance = compliance_officer(&server, &admin).await;
        let events = compliance
            .search_audit(&AuditQuery {
                target: Some(sent.id),
                action: Some("message.send".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        let detail = events[0].detail.as_ref().expect("detail");
        let confirmed_codes = detail["safety_confirmed"].as_array().expect("codes");
        assert!(confirmed_codes.iter().any(|c| c == "qd"), "{detail}");
        assert!(!detail.to_string().contains("insulin"), "no text in audit");

        // A non-member cannot probe a conversation through the check.
        let outsider = server.user(&admin, "dr.outside", "physician").await;
        let refused = outsider.check_message(channel, "hello").await;
        assert_eq!(
            refused.err().and_then(|e| e.status()).map(|s| s.as_u16()),
            Some(404)
        );
        server
    }
);

api_test!(
    policy_can_block_identifiers_and_orders,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let channel = group(&nurse, &[id_of(&doctor).await]).await;

        let mut policy = admin.get_policy().await.expect("policy");
        assert!(!policy.safety.block_identifiers, "warnings by default");
        policy.safety.block_identifiers = true;
        policy.safety.block_order_text = true;
        admin.put_policy(&policy).await.expect("set policy");

        for body in ["SSN 123-45-6789 for the form", "metoprolol 25 mg PO BID"] {
            let (_, blocked) = refused_codes(nurse.send_message(channel, &confirmed(body)).await);
            assert!(blocked, "{body}: confirming does not pass a block");
        }
        // Abbreviations still only ask for review.
        let (_, blocked) = refused_codes(
            nurse
                .send_message(channel, &text("his home dose is 5000 IU"))
                .await,
        );
        assert!(!blocked);
        assert!(
            nurse
                .list_messages(channel, 0, 10)
                .await
                .expect("list")
                .messages
                .is_empty()
        );
        let compliance = compliance_officer(&server, &admin).await;
        let denied = compliance
            .search_audit(&AuditQuery {
                actor: Some(id_of(&nurse).await),
                action: Some("message.send".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(denied.len(), 2, "each block is audited");
        assert!(denied.iter().all(|e| e.outcome == "denied"));
        assert!(denied.iter().any(|e| {
            e.detail
                .as_ref()
                .is_some_and(|d| d["safety_blocked"].to_string().contains("ssn"))
        }));
        server
    }
);

api_test!(
    orders_of_every_kind_are_sent_to_order_entry,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let channel = group(&doctor, &[id_of(&nurse).await]).await;
        // The ten orders and five ordinary lines the issue was filed with.
        let orders = [
            "increase lasix to 40 mg IV BID",
            "administer 2 mg morphine IV q4h prn",
            "KCl 20 mEq PO x1",
            "give 10 units insulin now",
            "start heparin drip 18 units/kg/hr",
            "d/c foley",
            "please order a CBC and BMP",
            "NPO after midnight",
            "hold metoprolol",
            "transfuse 2 units PRBC",
        ];
        for body in orders {
            let check = doctor.check_message(channel, body).await.expect("check");
            let order = check.findings.iter().find(|f| f.code == "order");
            let order = order.unwrap_or_else(|| panic!("{body:?} is an order: {check:?}"));
            assert_eq!(order.check, SafetyCheckKind::OrderText);
            // The order itself, without a leading "please".
            let span = &body[order.start..order.end];
            assert!(
                body.ends_with(span) && span.len() * 2 > body.len(),
                "{body:?}: {span:?}"
            );
            assert!(order.advice.contains("CPOE"));
        }
        let ordinary = [
            "the patient slept well",
            "family visiting at 3",
            "his potassium was 3.1 this morning",
            "I gave report to night shift",
            "did pharmacy start the discharge paperwork?",
        ];
        for body in ordinary {
            let check = doctor.check_message(channel, body).await.expect("check");
            assert!(check.findings.is_empty(), "{body:?}: {check:?}");
        }
        server
    }
);

api_test!(
    sends_over_the_websocket_meet_the_same_checks,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let channel = group(&nurse, &[id_of(&doctor).await]).await;
        let mut rt = Realtime::connect(&server.url, nurse.token().expect("token"), None)
            .await
            .expect("ws");

        let draft = text("morphine .5 mg");
        rt.send(&ClientFrame::Send {
            conversation_id: channel,
            message: draft.clone(),
        })
        .await
        .expect("send frame");
        let failed = answer(&mut rt).await;
        let ServerFrame::SendFailed { client_id, problem } = failed else {
            panic!("expected send.failed, got {failed:?}");
        };
        assert_eq!(client_id, draft.client_id);
        assert_eq!(problem.problem_type(), Some(ProblemType::SafetyReview));
        let codes: Vec<String> = problem
            .findings
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert!(codes.contains(&"leading_zero".to_owned()), "{codes:?}");

        let fixed = SendMessageRequest {
            body: "morphine 0.5 mg given, pain 3/10".into(),
            ..draft.clone()
        };
        rt.send(&ClientFrame::Send {
            conversation_id: channel,
            message: fixed.clone(),
        })
        .await
        .expect("send frame");
        let ok = answer(&mut rt).await;
        let ServerFrame::SendOk {
            client_id,
            created,
            message,
        } = ok
        else {
            panic!("expected send.ok, got {ok:?}");
        };
        assert_eq!((client_id, created), (fixed.client_id, true));
        let listed = doctor
            .list_messages(channel, 0, 10)
            .await
            .expect("list")
            .messages;
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, &listed[0].body), (message.id, &fixed.body));

        // Not a member: the same 404 as over REST.
        rt.send(&ClientFrame::Send {
            conversation_id: Uuid::now_v7(),
            message: text("hello"),
        })
        .await
        .expect("send frame");
        match answer(&mut rt).await {
            ServerFrame::SendFailed { problem, .. } => {
                assert_eq!(problem.problem_type(), Some(ProblemType::NotFound));
            }
            other => panic!("expected send.failed, got {other:?}"),
        }
        rt.close().await;
        server
    }
);

/// The next `send.ok` or `send.failed` frame, within a bounded wait.
async fn answer(rt: &mut Realtime) -> ServerFrame {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), rt.next()).await {
            Ok(Some(Ok(frame @ (ServerFrame::SendOk { .. } | ServerFrame::SendFailed { .. })))) => {
                return frame;
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("no answer to a send frame: {other:?}"),
        }
    }
}
