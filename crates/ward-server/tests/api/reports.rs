//! Reports (JSON and CSV) over a period, the accounting of disclosures as CSV, and the
//! e-discovery export of a conversation and of a patient's conversations, each audited.

use base64::Engine;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::compliance::ReportQuery;
use ward_proto::messaging::CreatePatientRequest;
use ward_proto::workflow::EditMessageRequest;

use crate::audit::compliance_officer;
use crate::messaging::{id_of, text};
use crate::{TestServer, api_test, assert_problem};

api_test!(
    reports_and_exports_cover_the_period_and_are_audited,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = id_of(&nurse).await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let doctor_id = id_of(&doctor).await;
        let _ = server
            .anon()
            .sign_in("nurse.reyes", "wrong password!", "x")
            .await;
        let patient = nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-5150".into(),
                family_name: "Rivera".into(),
                given_name: "Ana".into(),
                birth_date: time::macros::date!(1971 - 05 - 06),
                user_id: None,
                care_team: vec![nurse_id, doctor_id],
            })
            .await
            .expect("patient");
        let thread = patient.care_team_conversation_id.expect("thread");
        let upload = nurse
            .upload_attachment(
                thread,
                Some("ecg, lead II.pdf"),
                b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
            )
            .await
            .expect("upload");
        let mut with_file = text("ECG attached, rate 62");
        with_file.attachments = vec![upload.id];
        let (sent, _) = nurse.send_message(thread, &with_file).await.expect("send");
        nurse
            .edit_message(
                sent.id,
                &EditMessageRequest {
                    body: "ECG attached, rate 64".into(),
                    confirm_findings: false,
                },
            )
            .await
            .expect("edit");
        nurse.list_messages(thread, 0, 10).await.expect("read");
        // The doctor's device catches up: a delivery of the patient's messages.
        doctor.sync(None, 100).await.expect("sync");
        let compliance = compliance_officer(&server, &admin).await;

        // Bad input: a period ending before it starts, an unknown user or patient, a nurse.
        let backwards = ReportQuery {
            from: Some("2026-02-01T00:00:00Z".into()),
            to: Some("2026-01-01T00:00:00Z".into()),
            ..ReportQuery::default()
        };
        assert_problem(
            compliance.report("failed-logins", &backwards).await,
            ProblemType::Validation,
        );
        let stranger = ReportQuery {
            user: Some(uuid::Uuid::new_v4()),
            ..ReportQuery::default()
        };
        assert_problem(
            compliance.report("user-activity", &stranger).await,
            ProblemType::NotFound,
        );
        assert_problem(
            compliance
                .report("user-activity", &ReportQuery::default())
                .await,
            ProblemType::Validation,
        );
        assert_problem(
            compliance
                .report("no-such-report", &ReportQuery::default())
                .await,
            ProblemType::NotFound,
        );
        assert_problem(
            nurse.report("failed-logins", &ReportQuery::default()).await,
            ProblemType::Forbidden,
        );
        assert_problem(
            compliance.export_patient(uuid::Uuid::new_v4()).await,
            ProblemType::NotFound,
        );

        // The nurse's activity, as JSON and as CSV.
        let by_nurse = ReportQuery {
            user: Some(nurse_id),
            ..ReportQuery::default()
        };
        let activity = compliance
            .report("user-activity", &by_nurse)
            .await
            .expect("report");
        let actions: Vec<_> = activity.rows.iter().map(|r| r.action.as_str()).collect();
        for expected in [
            "patient.create",
            "message.send",
            "message.edit",
            "message.read",
        ] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
        assert!(activity.rows.iter().all(|r| r.actor_id == Some(nurse_id)));
        let csv = compliance
            .csv("/reports/user-activity", &by_nurse)
            .await
            .expect("csv");
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("seq,at,actor_id,address,action,target_kind,target_id,patient_id,outcome,detail")
        );
        assert_eq!(lines.count(), activity.rows.len());

        let failed = compliance
            .report("failed-logins", &ReportQuery::default())
            .await
            .expect("report");
        assert_eq!(failed.rows.len(), 1);
        assert_eq!(failed.rows[0].action, "auth.login_failed");

        // The accounting of disclosures as CSV lists the nurse's read of the thread.
        let disclosures = compliance
            .csv(
                &format!("/patients/{}/disclosures", patient.id),
                &ReportQuery::default(),
            )
            .await
            .expect("csv");
        assert!(disclosures.starts_with("at,actor_id,action,outcome,purpose,audit_seq\n"));
        assert!(disclosures.contains(&format!("{nurse_id},message.read,success")));
        assert!(
            disclosures.contains(&format!(",{doctor_id},message.deliver,success,")),
            "{disclosures}"
        );

        // The e-discovery export: the current body, the earlier one, the file itself.
        let export = compliance.export_patient(patient.id).await.expect("export");
        assert_eq!(export.conversations.len(), 1);
        let message = &export.conversations[0].messages[0];
        assert_eq!(message.body.as_deref(), Some("ECG attached, rate 64"));
        assert_eq!(message.versions, ["ECG attached, rate 62"]);
        let file = &message.attachments[0];
        assert_eq!(file.name.as_deref(), Some("ecg, lead II.pdf"));
        let content = base64::engine::general_purpose::STANDARD
            .decode(&file.content_base64)
            .expect("base64");
        assert!(content.starts_with(b"%PDF-1.4"));
        assert_problem(
            nurse.export_conversation(thread).await,
            ProblemType::Forbidden,
        );

        // The export is audited and shows in the exports report.
        let exported = compliance
            .search_audit(&AuditQuery {
                action: Some("conversation.export".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(exported.len(), 1);
        assert_eq!(exported[0].patient_id, Some(patient.id));
        let exports = compliance
            .report("exports", &ReportQuery::default())
            .await
            .expect("report");
        let kinds: Vec<_> = exports.rows.iter().map(|r| r.action.as_str()).collect();
        assert!(kinds.contains(&"conversation.export"), "{kinds:?}");
        let reports = compliance
            .search_audit(&AuditQuery {
                action: Some("report.generate".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert!(reports.len() >= 4, "{}", reports.len());
        server
    }
);

api_test!(
    compliance_finds_any_patient_by_mrn,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = id_of(&nurse).await;
        let patient = nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-7001".into(),
                family_name: "Okoye".into(),
                given_name: "Ife".into(),
                birth_date: time::macros::date!(1988 - 11 - 02),
                user_id: None,
                care_team: vec![nurse_id],
            })
            .await
            .expect("patient");
        let compliance = compliance_officer(&server, &admin).await;

        // Not on the care team, yet found: the MRN is compared without case.
        let found = compliance
            .lookup_patient(" mrn-7001 ")
            .await
            .expect("found");
        assert_eq!(found.id, patient.id);
        assert_eq!(found.family_name, "Okoye");
        assert_problem(
            compliance.lookup_patient("MRN-0000").await,
            ProblemType::NotFound,
        );
        assert_problem(
            compliance.lookup_patient("not an MRN!").await,
            ProblemType::Validation,
        );
        // Staff without the audit or compliance permission cannot look patients up.
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        assert_problem(
            doctor.lookup_patient("MRN-7001").await,
            ProblemType::Forbidden,
        );

        let lookups = compliance
            .search_audit(&AuditQuery {
                action: Some("patient.lookup".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        let outcomes = lookups
            .iter()
            .map(|e| (e.outcome.as_str(), e.patient_id))
            .collect::<Vec<_>>();
        assert_eq!(outcomes, [("failure", None), ("success", Some(patient.id))]);
        assert!(
            !format!("{lookups:?}").contains("7001"),
            "the MRN is not in the audit"
        );
        let denied = compliance
            .search_audit(&AuditQuery {
                action: Some("access.denied".into()),
                actor: Some(id_of(&doctor).await),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(denied.len(), 1);
        assert_eq!(
            denied[0].detail.as_ref().map(|d| d["attempted"].clone()),
            Some("patient.lookup".into())
        );
        server
    }
);
