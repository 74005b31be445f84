//! Monitoring rules over the audit stream: a nurse reading thirty different patients' threads
//! within a minute raises an alert, live, to a connected compliance officer, linked to the
//! reads behind it; the admin tunes the thresholds in the policy.

use std::collections::HashSet;
use std::time::Duration;

use ward_client::realtime::Realtime;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::messaging::CreatePatientRequest;
use ward_proto::oversight::{AlertKind, AlertView};
use ward_proto::realtime::ServerFrame;

use crate::audit::compliance_officer;
use crate::messaging::id_of;
use crate::{TestServer, api_test, assert_problem};

/// A loopback HTTP server that hands over every body POSTed to it.
async fn webhook_receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx)
}

/// The next `alert.raised` frame, skipping others; `None` after a few quiet seconds.
async fn next_alert(rt: &mut Realtime) -> Option<AlertView> {
    for _ in 0..100 {
        match tokio::time::timeout(Duration::from_secs(5), rt.next()).await {
            Ok(Some(Ok(ServerFrame::AlertRaised { alert }))) => return Some(alert),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
    None
}

api_test!(
    reading_thirty_patients_in_a_minute_alerts_compliance,
    |server: TestServer| async move {
        // Every alert also goes to the configured webhook.
        let (hook_url, mut hooked) = webhook_receiver().await;
        let mut server = server;
        server.config.alert_webhook_url = Some(hook_url.into());
        let server = server.restart().await;
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = id_of(&nurse).await;
        let mut threads = Vec::new();
        for i in 0..30 {
            let patient = nurse
                .create_patient(&CreatePatientRequest {
                    mrn: format!("MRN-{:04}", 3000 + i),
                    family_name: format!("Family{i}"),
                    given_name: "Alex".into(),
                    birth_date: time::macros::date!(1960 - 03 - 04),
                    user_id: None,
                    care_team: vec![nurse_id],
                })
                .await
                .expect("patient");
            threads.push(patient.care_team_conversation_id.expect("thread"));
        }
        let compliance = compliance_officer(&server, &admin).await;
        let mut officer = Realtime::connect(&server.url, compliance.token().expect("token"), None)
            .await
            .expect("ws");

        // Thresholds are policy: out-of-range values are refused.
        let mut policy = admin.get_policy().await.expect("policy");
        assert_eq!(policy.monitoring.distinct_patients, 30);
        policy.monitoring.window_secs = 1;
        assert_problem(admin.put_policy(&policy).await, ProblemType::Validation);

        // Twenty-nine patients, each read twice: under the threshold.
        for thread in &threads[..29] {
            for _ in 0..2 {
                nurse.list_messages(*thread, 0, 10).await.expect("read");
            }
        }
        let quiet = compliance.list_alerts(true).await.expect("alerts").alerts;
        assert!(
            quiet.iter().all(|a| a.kind != AlertKind::ManyPatients),
            "{quiet:?}"
        );
        // The thirtieth.
        nurse.list_messages(threads[29], 0, 10).await.expect("read");

        let alert = next_alert(&mut officer).await.expect("an alert frame");
        assert_eq!(alert.kind, AlertKind::ManyPatients);
        assert_eq!(alert.subject_id, Some(nurse_id));
        assert_eq!(alert.evidence.len(), 59, "{alert:?}");
        assert_eq!(alert.evidence.last(), Some(&alert.audit_seq));

        // The evidence is the nurse's reads of thirty distinct patients.
        let reads = compliance
            .search_audit(&AuditQuery {
                actor: Some(nurse_id),
                action: Some("message.read".into()),
                limit: Some(1000),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        let behind: Vec<_> = reads
            .iter()
            .filter(|e| alert.evidence.contains(&e.seq))
            .collect();
        assert_eq!(behind.len(), alert.evidence.len());
        let patients: HashSet<_> = behind.iter().filter_map(|e| e.patient_id).collect();
        assert_eq!(patients.len(), 30);

        // One alert, listed, audited; reading on does not raise another within the window.
        nurse.list_messages(threads[0], 0, 10).await.expect("read");
        let raised = compliance
            .search_audit(&AuditQuery {
                action: Some("alert.raise".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].target_id, Some(alert.id));
        let listed = compliance.list_alerts(true).await.expect("alerts").alerts;
        let many: Vec<_> = listed
            .iter()
            .filter(|a| a.kind == AlertKind::ManyPatients)
            .collect();
        assert_eq!(many.len(), 1);
        assert_eq!(many[0].id, alert.id);

        let posted = tokio::time::timeout(Duration::from_secs(10), hooked.recv())
            .await
            .expect("the webhook was called")
            .expect("a body");
        let frame: serde_json::Value = serde_json::from_str(&posted).expect("json");
        assert_eq!(frame["type"], "alert.raised");
        assert_eq!(frame["alert"]["id"], alert.id.to_string());
        assert_eq!(frame["alert"]["kind"], "many_patients");
        server
    }
);
