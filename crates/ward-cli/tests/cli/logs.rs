//! No log line, at any level, carries PHI (T8), and no file at rest holds it readable (T2): the
//! server runs at trace level for every crate while messages, an edit, a file's name and
//! contents, a patient's names and MRN (each holding a marker string) go through every path
//! that handles them; then every line it wrote, and every byte under its data directory
//! (database, WAL, files, keys), is searched for the markers.

use ward_client::realtime::Realtime;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest, CreatePatientRequest};
use ward_proto::users::CreateUserRequest;
use ward_proto::workflow::EditMessageRequest;

use crate::{PASSWORD, Running, contains, create_user, enrolled_admin, message, ward};

const MARKERS: [&str; 7] = [
    "Zqxbodymarker",
    "Zqxeditmarker",
    "Zqxfilemarker",
    "Zqxfamilymarker",
    "Zqxgivenmarker",
    "ZQXMRN7731",
    "Zqxcontentmarker",
];

#[tokio::test]
async fn no_log_line_or_stored_byte_carries_phi() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let mut command = ward();
    command
        .env("RUST_LOG", "trace")
        .args([
            "--log-json",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path());
    let ward = Running::spawn(command);
    let (admin, _) = enrolled_admin(&ward.client(), "chief").await;
    for name in ["nurse.reyes", "dr.okafor"] {
        admin
            .create_user(&CreateUserRequest {
                username: name.into(),
                display_name: name.into(),
                role: if name.starts_with("dr") {
                    "physician"
                } else {
                    "nurse"
                }
                .into(),
                password: PASSWORD.into(),
            })
            .await
            .expect("user");
    }
    let nurse = ward
        .client()
        .sign_in("nurse.reyes", PASSWORD, "ward phone")
        .await
        .expect("nurse");
    let doctor = ward
        .client()
        .sign_in("dr.okafor", PASSWORD, "desk")
        .await
        .expect("doctor");
    let doctor_id = doctor.me().await.expect("me").user.id;
    let nurse_id = nurse.me().await.expect("me").user.id;
    let mut live = Realtime::connect(&ward.url, doctor.token().expect("token"), None)
        .await
        .expect("ws");

    let patient = nurse
        .create_patient(&CreatePatientRequest {
            mrn: MARKERS[5].into(),
            family_name: MARKERS[3].into(),
            given_name: MARKERS[4].into(),
            birth_date: time::macros::date!(1948 - 07 - 01),
            user_id: None,
            care_team: vec![nurse_id, doctor_id],
        })
        .await
        .expect("patient");
    nurse.get_patient(patient.id).await.expect("read patient");
    let thread = patient.care_team_conversation_id.expect("thread");
    let upload = nurse
        .upload_attachment(
            thread,
            Some(&format!("{}.pdf", MARKERS[2])),
            format!(
                "%PDF-1.4\n1 0 obj<<({})>>endobj\ntrailer<<>>\n%%EOF\n",
                MARKERS[6]
            )
            .into_bytes(),
        )
        .await
        .expect("upload");
    let mut with_file = message(&format!("{} see the attached ECG", MARKERS[0]));
    with_file.attachments = vec![upload.id];
    let (sent, _) = nurse.send_message(thread, &with_file).await.expect("send");
    live.next().await.expect("a frame").expect("frame");
    doctor.list_messages(thread, 0, 10).await.expect("list");
    doctor.sync(None, 100).await.expect("sync");
    doctor
        .download_attachment(upload.id)
        .await
        .expect("download");
    let edit = EditMessageRequest {
        body: format!("{} corrected", MARKERS[1]),
        confirm_findings: false,
    };
    nurse.edit_message(sent.id, &edit).await.expect("edit");

    // The MRN in a conversation that is not the patient's: a safety finding, not a log line.
    let group = nurse
        .create_conversation(&CreateConversationRequest {
            kind: ConversationKind::Group,
            title: Some("Night shift".into()),
            member_ids: vec![doctor_id],
            patient_id: None,
        })
        .await
        .expect("group");
    let refused = nurse
        .send_message(group.id, &message(&format!("Bed 4 is {}", MARKERS[5])))
        .await;
    assert!(refused.is_err(), "identifier outside the patient's thread");

    let lines = ward.stop_with_log();

    // At rest: nothing under the data directory holds a marker, in any file.
    let mut files = Vec::new();
    files_under(dir.path(), &mut files);
    let stored: Vec<u8> = files
        .iter()
        .flat_map(|file| std::fs::read(file).unwrap_or_default())
        .collect();
    assert!(
        contains(&stored, b"nurse.reyes"),
        "the scan reads the database ({} files)",
        files.len()
    );
    for marker in MARKERS {
        assert!(
            !contains(&stored, marker.as_bytes()),
            "{marker} is stored readable under the data directory"
        );
    }

    // The patient's accounting of disclosures from the command line lists the doctor's read.
    let out = crate::ward()
        .args(["report", "disclosures", "--format", "csv", "--patient"])
        .arg(patient.id.to_string())
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("run");
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{csv}");
    assert!(
        csv.starts_with("at,actor_id,action,outcome,purpose,audit_seq\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(",{doctor_id},message.read,success,")),
        "{csv}"
    );
    assert!(lines.len() > 20, "the server logged: {} lines", lines.len());
    let levels: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l.split("\"level\":\"").nth(1)?.split('"').next())
        .collect();
    assert!(
        levels.contains("DEBUG"),
        "verbose logging is on: {levels:?}"
    );
    for line in &lines {
        for marker in MARKERS {
            assert!(
                !line.to_lowercase().contains(&marker.to_lowercase()),
                "a log line carries PHI ({marker}): {line}"
            );
        }
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, files);
        } else {
            files.push(path);
        }
    }
}
