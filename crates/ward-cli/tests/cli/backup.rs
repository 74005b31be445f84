//! Backup and restore as an operator runs them: an online backup while messages flow, the
//! restore drill (data directory destroyed, backup restored, everything acknowledged before
//! the backup readable), damaged and foreign backups refused, and a backup taken before a
//! retention shred unable to bring the shredded messages back.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use ward_client::Client;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};
use ward_proto::users::CreateUserRequest;

use crate::{PASSWORD, Running, enrolled_admin, message, ward};

/// `ward` with the key directory kept apart from the data directory, as production should.
fn ward_with_keys(keys: &Path) -> Command {
    let mut command = ward();
    command.env("WARD_KEY_DIR", keys);
    command
}

fn run(mut command: Command) -> Output {
    command.output().expect("run ward")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn create_admin(data: &Path, keys: &Path) {
    use std::io::Write;
    let mut child = ward_with_keys(keys)
        .args([
            "admin",
            "create-user",
            "--username",
            "chief",
            "--role",
            "admin",
        ])
        .arg("--password-stdin")
        .arg("--data-dir")
        .arg(data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .expect("password");
    }
    assert!(child.wait_with_output().expect("wait").status.success());
}

fn serve(data: &Path, keys: &Path, extra: &[(&str, &str)]) -> Running {
    let mut command = ward_with_keys(keys);
    for (name, value) in extra {
        command.env(name, value);
    }
    command
        .args([
            "--log-json",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(data);
    Running::spawn(command)
}

/// A nurse and a doctor in a group; (admin, nurse, doctor, group).
async fn ward_team(ward: &Running) -> (Client, Client, Client, uuid::Uuid) {
    let (admin, _) = enrolled_admin(&ward.client(), "chief").await;
    for (name, role) in [("nurse.reyes", "nurse"), ("dr.okafor", "physician")] {
        admin
            .create_user(&CreateUserRequest {
                username: name.into(),
                display_name: name.into(),
                role: role.into(),
                password: PASSWORD.into(),
            })
            .await
            .expect("user");
    }
    let nurse = sign_in(ward, "nurse.reyes").await;
    let doctor = sign_in(ward, "dr.okafor").await;
    let doctor_id = doctor.me().await.expect("me").user.id;
    let group = nurse
        .create_conversation(&CreateConversationRequest {
            kind: ConversationKind::Group,
            title: Some("4 West".into()),
            member_ids: vec![doctor_id],
            patient_id: None,
        })
        .await
        .expect("group")
        .id;
    (admin, nurse, doctor, group)
}

async fn sign_in(ward: &Running, name: &str) -> Client {
    ward.client()
        .sign_in(name, PASSWORD, "ward pc")
        .await
        .expect("sign in")
}

fn backup(data: &Path, keys: &Path, out: &Path) -> Output {
    let mut command = ward_with_keys(keys);
    command
        .arg("backup")
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(out);
    run(command)
}

fn verify(data: &Path, keys: &Path, file: &Path) -> Output {
    let mut command = ward_with_keys(keys);
    command
        .args(["backup", "verify"])
        .arg(file)
        .arg("--data-dir")
        .arg(data);
    run(command)
}

fn restore(data: &Path, keys: &Path, file: &Path) -> Output {
    let mut command = ward_with_keys(keys);
    command
        .arg("restore")
        .arg("--data-dir")
        .arg(data)
        .arg("--from")
        .arg(file);
    run(command)
}

#[tokio::test]
async fn the_restore_drill_brings_back_everything_acknowledged_before_the_backup() {
    let root = tempfile::tempdir().expect("dir");
    let (data, keys) = (root.path().join("data"), root.path().join("keys"));
    let file = root.path().join("ward.backup");
    create_admin(&data, &keys);
    let ward = serve(&data, &keys, &[]);
    let (_, nurse, _, group) = ward_team(&ward).await;
    let upload = nurse
        .upload_attachment(
            group,
            Some("ecg.pdf"),
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
        )
        .await
        .expect("upload");
    let mut with_file = message("before 0: ECG attached");
    with_file.attachments = vec![upload.id];
    nurse.send_message(group, &with_file).await.expect("send");
    for i in 1..5 {
        nurse
            .send_message(group, &message(&format!("before {i}")))
            .await
            .expect("send");
    }

    // Online: the server keeps serving while the backup is taken.
    let out = backup(&data, &keys, &file);
    assert!(out.status.success(), "{}", text(&out));
    nurse
        .send_message(group, &message("after the backup"))
        .await
        .expect("send");
    let nurse_id = nurse.me().await.expect("me").user.id;
    assert!(ward.stop());

    // A compliance report from the command line, as CSV.
    let mut command = ward_with_keys(&keys);
    command
        .args(["report", "user-activity", "--format", "csv", "--user"])
        .arg(nurse_id.to_string())
        .arg("--data-dir")
        .arg(&data);
    let out = run(command);
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(csv.starts_with("seq,at,actor_id,"), "{csv}");
    let sends = csv.lines().filter(|l| l.contains(",message.send,")).count();
    assert_eq!(sends, 6, "{csv}");

    let out = verify(&data, &keys, &file);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).starts_with("backup OK"), "{}", text(&out));

    // Damaged, cut short, not a backup, or made under another root key: named and refused.
    let bytes = std::fs::read(&file).expect("read backup");
    let damaged = root.path().join("damaged.backup");
    let mut flipped = bytes.clone();
    let middle = bytes.len() / 2;
    flipped[middle] ^= 0x40;
    std::fs::write(&damaged, &flipped).expect("write");
    let out = verify(&data, &keys, &damaged);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("corrupt at chunk"), "{}", text(&out));
    std::fs::write(&damaged, &bytes[..bytes.len() - 100]).expect("write");
    let out = verify(&data, &keys, &damaged);
    assert!(text(&out).contains("truncated"), "{}", text(&out));
    std::fs::write(&damaged, b"SQLite format 3\0 and more").expect("write");
    let out = verify(&data, &keys, &damaged);
    assert!(text(&out).contains("not a Ward backup"), "{}", text(&out));
    let other_keys = root.path().join("other-keys");
    create_admin(&root.path().join("other-data"), &other_keys);
    let out = verify(&data, &other_keys, &file);
    assert!(text(&out).contains("another root key"), "{}", text(&out));

    // The drill: the data directory is lost; the key directory is not.
    std::fs::remove_dir_all(&data).expect("destroy the data directory");
    let out = restore(&data, &keys, &damaged);
    assert!(!out.status.success());
    assert!(
        !data.join("ward.db").exists(),
        "a failed restore leaves nothing"
    );
    let out = restore(&data, &keys, &file);
    assert!(out.status.success(), "{}", text(&out));
    let out = restore(&data, &keys, &file);
    assert!(
        !out.status.success(),
        "restoring over a database is refused"
    );

    let ward = serve(&data, &keys, &[]);
    let doctor = sign_in(&ward, "dr.okafor").await;
    let messages = doctor
        .list_messages(group, 0, 100)
        .await
        .expect("list")
        .messages;
    let bodies: Vec<_> = messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "before 0: ECG attached",
            "before 1",
            "before 2",
            "before 3",
            "before 4"
        ]
    );
    assert_eq!(
        messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let file_back = doctor
        .download_attachment(upload.id)
        .await
        .expect("download");
    assert!(file_back.bytes.starts_with(b"%PDF-1.4"));
    assert!(ward.stop());
    let mut command = ward_with_keys(&keys);
    command.args(["audit", "verify", "--data-dir"]).arg(&data);
    let out = run(command);
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test]
async fn a_backup_taken_before_a_shred_cannot_bring_the_messages_back() {
    let root = tempfile::tempdir().expect("dir");
    let (data, keys) = (root.path().join("data"), root.path().join("keys"));
    let file = root.path().join("before-shred.backup");
    create_admin(&data, &keys);
    let ward = serve(&data, &keys, &[("WARD_KEY_EPOCH_SECS", "2")]);
    let (admin, nurse, doctor, group) = ward_team(&ward).await;
    admin
        .set_retention(group, Some(60))
        .await
        .expect("retention");
    nurse
        .send_message(group, &message("Routine: may go"))
        .await
        .expect("send");
    let out = backup(&data, &keys, &file);
    assert!(out.status.success(), "{}", text(&out));

    let mut disposed = false;
    for _ in 0..120 {
        let messages = doctor
            .list_messages(group, 0, 10)
            .await
            .expect("list")
            .messages;
        if messages.first().is_some_and(|m| m.disposed) {
            disposed = true;
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert!(disposed, "retention disposed of the epoch");
    assert!(ward.stop());

    // The backup predates the shred, but the key it needs is gone from the key directory.
    std::fs::rename(&data, root.path().join("data-before")).expect("move away");
    let out = restore(&data, &keys, &file);
    assert!(out.status.success(), "{}", text(&out));
    let ward = serve(&data, &keys, &[("WARD_KEY_EPOCH_SECS", "2")]);
    let doctor = sign_in(&ward, "dr.okafor").await;
    let messages = doctor
        .list_messages(group, 0, 10)
        .await
        .expect("list")
        .messages;
    assert_eq!(messages.len(), 1);
    assert!(messages[0].disposed, "{:?}", messages[0]);
    assert!(messages[0].body.is_empty());
    assert!(ward.stop());
}
