//! Root key rotation as an operator runs it: refused (exit 2, nothing changed) while a server
//! uses the deployment, on SQLite and PostgreSQL; killed at any step it leaves a deployment
//! that serves and reads everything, and running it again finishes; a backup made before it
//! still verifies and restores until its root key is retired.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use uuid::Uuid;
use ward_client::Client;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};
use ward_proto::users::CreateUserRequest;
use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::{
    PASSWORD, Running, create_user, create_user_on, enrolled_admin, message, verify, ward, ward_on,
};

const REFUSED: &str =
    "a Ward server is running on this data directory/database; stop every node first";
const ABORT_AT: &str = "WARD_TEST_ABORT_ROTATION_AT";

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn rotate(mut command: Command, data: &Path) -> Output {
    command
        .args(["admin", "rotate-root-key", "--data-dir"])
        .arg(data)
        .output()
        .expect("run ward")
}

/// The root key files of a key directory (the keys in the clear, the retired ones and
/// `current`; not the data key vault, which a running server adds keys to): name -> bytes.
fn key_files(keys: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(keys)
        .expect("keys dir")
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().into_string().ok()?;
            let root_key_file =
                name.starts_with("root-") || name.starts_with("retired-") || name == "current";
            if !root_key_file {
                return None;
            }
            Some((name, std::fs::read(e.path()).ok()?))
        })
        .collect()
}

fn names_starting(keys: &Path, prefix: &str) -> Vec<String> {
    key_files(keys)
        .into_keys()
        .filter(|n| n.starts_with(prefix))
        .collect()
}

fn current_root_key(keys: &Path) -> String {
    std::fs::read_to_string(keys.join("current"))
        .expect("keys/current")
        .trim()
        .to_owned()
}

/// Signs the admin in and makes a nurse (the admin "chief" must exist); the nurse's client.
async fn make_nurse(server: &Running) -> Client {
    let (admin, _) = enrolled_admin(&server.client(), "chief").await;
    admin
        .create_user(&CreateUserRequest {
            username: "nurse.reyes".into(),
            display_name: "Maria Reyes".into(),
            role: "nurse".into(),
            password: PASSWORD.into(),
        })
        .await
        .expect("create nurse");
    nurse(server).await
}

async fn nurse(server: &Running) -> Client {
    server
        .client()
        .sign_in("nurse.reyes", PASSWORD, "rotation test")
        .await
        .expect("sign in")
}

/// A new group conversation (so a new data key, wrapped under whatever root key is current)
/// holding one message, `body`.
async fn conversation_with(nurse: &Client, body: &str) -> Uuid {
    let group = nurse
        .create_conversation(&CreateConversationRequest {
            kind: ConversationKind::Group,
            title: Some(body.into()),
            member_ids: vec![],
            patient_id: None,
        })
        .await
        .expect("conversation")
        .id;
    nurse
        .send_message(group, &message(body))
        .await
        .expect("send");
    group
}

/// Checks every conversation reads back its messages, none disposed.
async fn check_readable(nurse: &Client, expected: &[(Uuid, Vec<String>)]) {
    for (group, bodies) in expected {
        let messages = nurse
            .list_messages(*group, 0, 100)
            .await
            .expect("list")
            .messages;
        assert!(messages.iter().all(|m| !m.disposed), "{messages:?}");
        let read: Vec<_> = messages.iter().map(|m| m.body.clone()).collect();
        assert_eq!(&read, bodies);
    }
}

#[tokio::test]
async fn rotation_is_refused_while_a_server_runs() {
    let dir = tempfile::tempdir().expect("dir");
    let keys = dir.path().join("keys");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let server = Running::start(&["serve"], dir.path());
    let nurse_client = make_nurse(&server).await;
    let group = conversation_with(&nurse_client, "before").await;
    let before = key_files(&keys);

    let out = rotate(ward(), dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(REFUSED), "{}", text(&out));
    assert_eq!(key_files(&keys), before, "the key files are untouched");

    // The server never noticed: it sends, and a new conversation is readable after restart.
    nurse_client
        .send_message(group, &message("after"))
        .await
        .expect("send after the refusal");
    let other = conversation_with(&nurse_client, "meanwhile").await;
    assert!(server.stop());

    let out = rotate(ward(), dir.path());
    assert!(out.status.success(), "{}", text(&out));
    let server = Running::start(&["serve"], dir.path());
    let expected = [
        (group, vec!["before".to_owned(), "after".to_owned()]),
        (other, vec!["meanwhile".to_owned()]),
    ];
    check_readable(&nurse(&server).await, &expected).await;
    assert!(server.stop());
}

#[tokio::test]
async fn rotation_is_refused_while_a_postgres_node_runs() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    let url = match &db.config {
        StoreConfig::Postgres { url, .. } => url.clone(),
        StoreConfig::Sqlite { .. } => panic!("a PostgreSQL test database"),
    };
    let data = db.dir.path().join("data");
    let keys = data.join("keys");
    assert!(
        create_user_on(Some(url.as_str()), &data, "chief", "admin")
            .status
            .success()
    );
    let server = Running::start_on(Some(url.as_str()), &["serve"], &data);
    let nurse_client = make_nurse(&server).await;
    let group = conversation_with(&nurse_client, "before").await;
    let before = key_files(&keys);

    let out = rotate(ward_on(Some(url.as_str())), &data);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(REFUSED), "{}", text(&out));
    assert_eq!(key_files(&keys), before, "the key files are untouched");
    nurse_client
        .send_message(group, &message("after"))
        .await
        .expect("send after the refusal");
    assert!(server.stop());

    let out = rotate(ward_on(Some(url.as_str())), &data);
    assert!(out.status.success(), "{}", text(&out));
    let server = Running::start_on(Some(url.as_str()), &["serve"], &data);
    let expected = [(group, vec!["before".to_owned(), "after".to_owned()])];
    check_readable(&nurse(&server).await, &expected).await;
    assert!(server.stop());
    db.drop_database().await;
}

#[tokio::test]
async fn a_rotation_killed_at_any_step_leaves_a_readable_deployment_and_can_be_rerun() {
    let dir = tempfile::tempdir().expect("dir");
    let keys = dir.path().join("keys");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let server = Running::start(&["serve"], dir.path());
    let first = make_nurse(&server).await;
    let mut expected = vec![(
        conversation_with(&first, "before any rotation").await,
        vec!["before any rotation".to_owned()],
    )];
    assert!(server.stop());

    for step in ["key-written", "committed", "retired", "switched"] {
        let mut command = ward();
        command.env(ABORT_AT, step);
        let out = rotate(command, dir.path());
        assert!(!out.status.success(), "killed after {step}: {}", text(&out));
        assert!(out.status.code().is_none(), "{step}: {}", text(&out));

        // Serves, reads everything from before, and what it writes now stays readable.
        let server = Running::start(&["serve"], dir.path());
        let nurse_client = nurse(&server).await;
        check_readable(&nurse_client, &expected).await;
        let body = format!("after a kill at {step}");
        expected.push((conversation_with(&nurse_client, &body).await, vec![body]));
        assert!(server.stop());
    }

    let out = rotate(ward(), dir.path());
    assert!(out.status.success(), "{}", text(&out));
    let current = current_root_key(&keys);
    assert_eq!(
        names_starting(&keys, "root-"),
        [format!("root-{current}.key")],
        "only the current root key is kept in the clear"
    );
    assert!(!names_starting(&keys, "retired-").is_empty());
    let server = Running::start(&["serve"], dir.path());
    check_readable(&nurse(&server).await, &expected).await;
    assert!(server.stop());
    let (status, report) = verify(dir.path());
    assert_eq!(status, 0, "{report}");
}

/// `ward` with the key directory kept apart from the data directory.
fn ward_with_keys(keys: &Path) -> Command {
    let mut command = ward();
    command.env("WARD_KEY_DIR", keys);
    command
}

fn create_admin(data: &Path, keys: &Path) {
    use std::io::Write;
    let mut child = ward_with_keys(keys)
        .args(["admin", "create-user", "--username", "chief"])
        .args(["--role", "admin", "--password-stdin", "--data-dir"])
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

fn serve_with_keys(data: &Path, keys: &Path) -> Running {
    let mut command = ward_with_keys(keys);
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

fn run_with_keys(keys: &Path, args: &[&str], file: Option<&Path>, data: &Path) -> Output {
    let mut command = ward_with_keys(keys);
    command.args(args);
    if let Some(file) = file {
        command.arg(file);
    }
    command
        .arg("--data-dir")
        .arg(data)
        .output()
        .expect("run ward")
}

#[tokio::test]
async fn a_backup_from_before_a_rotation_opens_until_its_key_is_retired() {
    let root = tempfile::tempdir().expect("dir");
    let (data, keys) = (root.path().join("data"), root.path().join("keys"));
    let file = root.path().join("before-rotation.backup");
    create_admin(&data, &keys);
    let server = serve_with_keys(&data, &keys);
    let nurse_client = make_nurse(&server).await;
    let group = conversation_with(&nurse_client, "before the rotation").await;
    assert!(server.stop());

    let old = current_root_key(&keys);
    let old_key_text = std::fs::read_to_string(keys.join(format!("root-{old}.key"))).expect("key");
    let out = run_with_keys(&keys, &["backup", "--out"], Some(file.as_path()), &data);
    assert!(out.status.success(), "{}", text(&out));

    let out = rotate(ward_with_keys(&keys), &data);
    assert!(out.status.success(), "{}", text(&out));
    assert_ne!(current_root_key(&keys), old);
    assert!(!keys.join(format!("root-{old}.key")).exists());
    let sealed = keys.join(format!("retired-{old}.key.sealed"));
    let meta = std::fs::metadata(&sealed).expect("the old key is kept, sealed");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let sealed_text = std::fs::read_to_string(&sealed).expect("read");
    assert!(!sealed_text.contains(old_key_text.trim()), "{sealed_text}");

    // The backup still verifies, and restores into a new data directory that reads it.
    let out = run_with_keys(&keys, &["backup", "verify"], Some(file.as_path()), &data);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).starts_with("backup OK"), "{}", text(&out));
    assert!(text(&out).contains(&old), "{}", text(&out));
    // A restored copy is another deployment: it gets a copy of the key directory (one key
    // directory anchors one deployment's audit log).
    let restored = root.path().join("restored");
    let restored_keys = root.path().join("restored-keys");
    std::fs::create_dir(&restored_keys).expect("key copy");
    for entry in std::fs::read_dir(&keys).expect("keys") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), restored_keys.join(entry.file_name())).expect("copy");
        }
    }
    let out = run_with_keys(
        &restored_keys,
        &["restore", "--from"],
        Some(file.as_path()),
        &restored,
    );
    assert!(out.status.success(), "{}", text(&out));
    let server = serve_with_keys(&restored, &restored_keys);
    let expected = [(group, vec!["before the rotation".to_owned()])];
    check_readable(&nurse(&server).await, &expected).await;
    assert!(server.stop());

    // Neither the current key, nor an id that is no key, nor a path is retired.
    let current = current_root_key(&keys);
    for id in [current.as_str(), "0123456789abcdef", "../current"] {
        let out = run_with_keys(
            &keys,
            &["admin", "retire-root-key", "--id", id],
            None,
            &data,
        );
        assert!(!out.status.success(), "retiring {id}: {}", text(&out));
    }
    assert!(keys.join("current").exists() && sealed.exists());

    let out = run_with_keys(
        &keys,
        &["admin", "retire-root-key", "--id", old.as_str()],
        None,
        &data,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!sealed.exists());
    let out = run_with_keys(&keys, &["backup", "verify"], Some(file.as_path()), &data);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.starts_with("backup BAD"), "{said}");
    assert!(said.contains(&old) && said.contains("retired"), "{said}");
    let elsewhere = root.path().join("elsewhere");
    let out = run_with_keys(
        &keys,
        &["restore", "--from"],
        Some(file.as_path()),
        &elsewhere,
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("retire-root-key"), "{}", text(&out));

    let mut command = ward_with_keys(&keys);
    command.args(["audit", "verify", "--data-dir"]).arg(&data);
    let out = command.output().expect("run ward");
    assert!(out.status.success(), "{}", text(&out));
}
