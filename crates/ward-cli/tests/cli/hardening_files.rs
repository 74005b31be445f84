//! The data directory as an operator can get it wrong: a key directory lost beside a database
//! that holds data, a mistyped `--data-dir`, a loose umask. Ward refuses rather than making up
//! keys or databases, and keeps its files private.

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::{PASSWORD, Running, create_user, create_user_on, ward, ward_on};

/// Runs `ward` with `args` then `--data-dir data` to its end. A command that keeps running
/// (a `ward serve` that starts instead of refusing) is killed after a minute and fails the test.
fn run_to_exit(args: &[&OsStr], data: &Path) -> Output {
    run_to_exit_on(None, args, data)
}

/// [`run_to_exit`] on PostgreSQL at `database_url`, or SQLite when `None`.
fn run_to_exit_on(database_url: Option<&str>, args: &[&OsStr], data: &Path) -> Output {
    let child = ward_on(database_url)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ward");
    let pid = child.id().to_string();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.expect("wait for ward"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("ward {args:?} kept running instead of refusing");
        }
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn os<'a>(args: &[&'a str]) -> Vec<&'a OsStr> {
    args.iter().map(|arg| OsStr::new(*arg)).collect()
}

/// Checks that each command refuses with exit code 2 and a message naming `names`.
fn check_refused(commands: &[Vec<&OsStr>], data: &Path, names: &Path) {
    for args in commands {
        let out = run_to_exit(args, data);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "ward {args:?}: {said}");
        assert!(!said.contains("Usage:"), "not a usage error: {said}");
        assert!(
            said.contains(&names.display().to_string()),
            "ward {args:?} names {}: {said}",
            names.display()
        );
    }
}

fn root_key_files(keys: &Path) -> Vec<PathBuf> {
    let is_root_key = |p: &PathBuf| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("root-"))
    };
    std::fs::read_dir(keys)
        .expect("keys dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(is_root_key)
        .collect()
}

/// The text of the root key files, to check that no message carries it.
fn root_key_texts(keys: &Path) -> Vec<String> {
    root_key_files(keys)
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .expect("read key")
                .trim()
                .to_owned()
        })
        .collect()
}

#[test]
fn serve_refuses_a_database_whose_key_directory_is_gone() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let out = create_user(&data, "chief", "admin");
    assert!(out.status.success(), "{}", text(&out));
    let keys = data.join("keys");
    std::fs::remove_dir_all(&keys).expect("lose the key directory");

    let out = run_to_exit(&os(&["serve", "--listen", "127.0.0.1:0"]), &data);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("root key is missing"), "{said}");
    assert!(said.contains(&keys.display().to_string()), "{said}");
    assert!(!keys.exists(), "no new root key was made: {said}");

    // The offline tools refuse alike and make nothing either.
    let tools = [os(&["audit", "verify"]), os(&["admin", "rotate-root-key"])];
    check_refused(&tools, &data, &keys);
    assert!(!keys.exists(), "no new root key was made");
}

#[test]
fn serve_refuses_a_database_whose_key_vault_is_gone() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let out = create_user(&data, "chief", "admin");
    assert!(out.status.success(), "{}", text(&out));
    let vault = data.join("keys").join("data-keys.db");
    std::fs::remove_file(&vault).expect("lose the key vault");
    let root_keys = root_key_texts(&data.join("keys"));
    assert_eq!(root_keys.len(), 1);

    let out = run_to_exit(&os(&["serve", "--listen", "127.0.0.1:0"]), &data);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("key vault is missing"), "{said}");
    assert!(said.contains(&vault.display().to_string()), "{said}");
    assert!(!vault.exists(), "no empty vault was made: {said}");
    for key in &root_keys {
        assert!(!said.contains(key.as_str()), "key material in: {said}");
    }
    assert_eq!(root_key_texts(&data.join("keys")), root_keys);
}

#[tokio::test]
async fn postgres_deployments_refuse_alike() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    let url = match &db.config {
        StoreConfig::Postgres { url, .. } => url.clone(),
        StoreConfig::Sqlite { .. } => panic!("a PostgreSQL test database"),
    };
    let data = db.dir.path().join("data");
    let keys = data.join("keys");

    // An empty database is no deployment to verify: nothing is made for it.
    let out = run_to_exit_on(Some(url.as_str()), &os(&["audit", "verify"]), &data);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("holds no Ward deployment"), "{said}");
    assert!(!keys.exists(), "no root key was made: {said}");

    let out = create_user_on(Some(url.as_str()), &data, "chief", "admin");
    assert!(out.status.success(), "{}", text(&out));
    std::fs::remove_dir_all(&keys).expect("lose the key directory");
    for args in [
        os(&["serve", "--listen", "127.0.0.1:0"]),
        os(&["audit", "verify"]),
    ] {
        let out = run_to_exit_on(Some(url.as_str()), &args, &data);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "ward {args:?}: {said}");
        assert!(said.contains("root key is missing"), "{said}");
        assert!(said.contains(&keys.display().to_string()), "{said}");
        assert!(
            !said.contains(url.as_str()),
            "the database address stays out: {said}"
        );
        assert!(!keys.exists(), "no new root key was made: {said}");
    }
    db.drop_database().await;
}

#[test]
fn offline_tools_refuse_a_data_directory_without_a_database() {
    let dir = tempfile::tempdir().expect("dir");
    let typo = dir.path().join("typo");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("dir");
    let backup = dir.path().join("ward.backup");
    let backup = backup.as_os_str();
    let tools = [
        os(&["audit", "verify"]),
        os(&["audit", "checkpoint"]),
        os(&["admin", "reset-totp", "--username", "chief"]),
        os(&["admin", "rotate-root-key"]),
        os(&["report", "failed-logins"]),
        vec![OsStr::new("backup"), OsStr::new("--out"), backup],
        vec![OsStr::new("backup"), OsStr::new("verify"), backup],
        vec![OsStr::new("restore"), OsStr::new("--from"), backup],
    ];
    for data in [&typo, &empty] {
        check_refused(&tools, data, data);
    }
    assert!(!typo.exists(), "the mistyped directory was not made");
    let left: Vec<PathBuf> = std::fs::read_dir(&empty)
        .expect("read")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert!(left.is_empty(), "nothing was made in it: {left:?}");
}

/// `ward` run through `sh` under umask 022 (a child's umask cannot be set without `unsafe`).
fn ward_under_umask_022() -> Command {
    let program = ward().get_program().to_owned();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(program)
        .env_remove("WARD_DATABASE_URL")
        .env_remove("WARD_CONFIG");
    command
}

fn mode(path: &Path) -> String {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    format!("{:o}", meta.permissions().mode() & 0o777)
}

/// Checks each path's mode (as octal text, e.g. "600").
fn check_modes(expected: &[(&Path, &str)]) {
    for (path, want) in expected {
        assert_eq!(mode(path), *want, "mode of {}", path.display());
    }
}

fn loosen(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn files_are_private_whatever_the_umask() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let mut child = ward_under_umask_022()
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
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .expect("password");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", text(&out));

    let keys = data.join("keys");
    let db = data.join("ward.db");
    let vault = keys.join("data-keys.db");
    let root_key = root_key_files(&keys).pop().expect("a root key file");
    check_modes(&[
        (data.as_path(), "700"),
        (keys.as_path(), "700"),
        (db.as_path(), "600"),
        (vault.as_path(), "600"),
        (root_key.as_path(), "600"),
        (keys.join("current").as_path(), "600"),
    ]);

    // Opened up since (by hand, a copy, an old version): made private again at start.
    loosen(&data, 0o755);
    loosen(&keys, 0o755);
    loosen(&db, 0o644);
    loosen(&vault, 0o644);
    let mut command = ward_under_umask_022();
    command
        .args([
            "--log-json",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(&data);
    let server = Running::spawn(command);
    check_modes(&[
        (data.as_path(), "700"),
        (keys.as_path(), "700"),
        (db.as_path(), "600"),
        (data.join("ward.db-wal").as_path(), "600"),
        (data.join("ward.db-shm").as_path(), "600"),
        (vault.as_path(), "600"),
        (root_key.as_path(), "600"),
    ]);
    assert!(server.stop());
}
