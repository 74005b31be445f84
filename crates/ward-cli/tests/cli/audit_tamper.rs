use std::path::Path;

use crate::{Running, create_user, enrolled_admin, verify};

/// Flips one byte of the first occurrence of `needle` in the SQLite file.
pub(crate) fn flip_byte_in(db: &Path, needle: &[u8], offset: usize) -> Vec<u8> {
    let original = std::fs::read(db).expect("read db");
    let at = original
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| {
            panic!(
                "{} not found in the database",
                String::from_utf8_lossy(needle)
            )
        });
    let mut tampered = original.clone();
    tampered[at + offset] ^= 0x01;
    std::fs::write(db, tampered).expect("write db");
    original
}

#[tokio::test]
async fn verify_names_the_first_altered_event() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let ward = Running::start(&["serve"], dir.path());
    let (admin, _) = enrolled_admin(&ward.client(), "chief").await;
    admin.list_users().await.expect("list");
    admin.logout().await.expect("logout");
    assert!(ward.stop());

    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    let wal = dir.path().join("ward.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "WAL was checkpointed"
    );
    let db = dir.path().join("ward.db");

    // Event 1 is the CLI's user creation; its detail is {"via":"cli"}.
    let original = flip_byte_in(&db, br#"{"via":"cli"}"#, 9);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("BROKEN at event 1:"), "{report}");

    // A later event: the logout's action code ("auth.logout" -> "auth.lngout").
    std::fs::write(&db, &original).expect("restore");
    assert_eq!(verify(dir.path()).0, 0);
    flip_byte_in(&db, b"auth.logout", 6);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    let seq: i64 = report
        .split("BROKEN at event ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no event named in: {report}"));
    assert!(seq > 1, "{report}");
}

/// Runs SQL on the stopped server's database, as someone with write access to the file would.
fn tamper(db: &Path, sql: &str) {
    let connection = rusqlite::Connection::open(db).expect("open db");
    connection.execute_batch(sql).expect("tamper");
}

/// Puts the database back as it was (the WAL was checkpointed when the tool closed it).
fn restore(db: &Path, pristine: &[u8]) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::write(db, pristine).expect("restore");
}

fn broken_at(report: &str) -> i64 {
    report
        .split("BROKEN at event ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no event named in: {report}"))
}

fn verify_with(data_dir: &Path, checkpoint: &Path) -> (i32, String) {
    let out = crate::ward()
        .args(["audit", "verify", "--data-dir"])
        .arg(data_dir)
        .arg("--checkpoint")
        .arg(checkpoint)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn signed_checkpoints_catch_deletion_reordering_truncation_and_forgery() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("ward.db");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let mut command = crate::ward();
    command
        .env("WARD_AUDIT_CHECKPOINT_SECS", "1")
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
    for _ in 0..4 {
        admin.list_users().await.expect("list");
    }
    // The server signs the head by itself within a second or two.
    let reader =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open read-only");
    let mut signed = 0;
    for _ in 0..100 {
        signed = reader
            .query_row("SELECT count(*) FROM audit_checkpoints", [], |r| {
                r.get::<_, i64>(0)
            })
            .expect("count");
        if signed > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(reader);
    assert!(signed > 0, "the server signed no checkpoint");
    admin.logout().await.expect("logout");
    assert!(ward.stop());

    // An exported checkpoint of the head, kept outside the database.
    let out = crate::ward()
        .args(["audit", "checkpoint", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: ward_proto::audit::AuditCheckpointView =
        serde_json::from_slice(&out.stdout).expect("checkpoint json");
    let kept = dir.path().join("kept-checkpoint.json");
    std::fs::write(&kept, &out.stdout).expect("keep");
    let head = exported.seq;
    assert!(head > 8, "{head}");

    let (code, report) = verify_with(dir.path(), &kept);
    assert_eq!(code, 0, "{report}");
    let pristine = std::fs::read(&db).expect("read db");

    // A deleted event.
    tamper(&db, "DELETE FROM audit_events WHERE seq = 3");
    let (code, report) = verify(dir.path());
    assert_eq!((code, broken_at(&report)), (1, 4), "{report}");
    assert!(report.contains("removed or reordered"), "{report}");
    restore(&db, &pristine);

    // Two events swapped.
    tamper(
        &db,
        "UPDATE audit_events SET seq = -1 WHERE seq = 2; \
         UPDATE audit_events SET seq = 2 WHERE seq = 3; \
         UPDATE audit_events SET seq = 3 WHERE seq = -1;",
    );
    let (code, report) = verify(dir.path());
    assert_eq!((code, broken_at(&report)), (1, 2), "{report}");
    restore(&db, &pristine);

    // The newest events cut off: the chain that is left still links, the checkpoint does not.
    tamper(
        &db,
        &format!("DELETE FROM audit_events WHERE seq >= {}", head - 1),
    );
    let (code, report) = verify(dir.path());
    assert_eq!((code, broken_at(&report)), (1, head), "{report}");
    assert!(report.contains("log ends before it"), "{report}");
    // ... and the stored checkpoints deleted too: the anchor kept with the keys still tells,
    // as does the exported checkpoint.
    tamper(&db, "DELETE FROM audit_checkpoints");
    let (code, report) = verify(dir.path());
    assert_eq!((code, broken_at(&report)), (1, head), "{report}");
    let (code, report) = verify_with(dir.path(), &kept);
    assert_eq!((code, broken_at(&report)), (1, head), "{report}");
    restore(&db, &pristine);

    // A checkpoint signed with a key that is not this deployment's.
    let forger = ward_crypto::audit_signing::AuditSigner::from_seed(
        &ward_crypto::keyring::SecretKey::generate().expect("key"),
    )
    .expect("signer");
    let stored: Vec<u8> = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row("SELECT hash FROM audit_events WHERE seq = 2", [], |r| {
            r.get(0)
        })
        .expect("hash");
    let forged = forger.sign(
        2,
        stored.try_into().expect("32 bytes"),
        ward_core::Timestamp::now(),
    );
    let connection = rusqlite::Connection::open(&db).expect("open");
    connection
        .execute(
            "INSERT OR REPLACE INTO audit_checkpoints VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                forged.seq,
                forged.head.to_vec(),
                forged.signed_at.as_micros(),
                forged.public_key.to_vec(),
                forged.signature.to_vec()
            ],
        )
        .expect("insert");
    drop(connection);
    let (code, report) = verify(dir.path());
    assert_eq!((code, broken_at(&report)), (1, 2), "{report}");
    assert!(report.contains("forged"), "{report}");
    restore(&db, &pristine);

    // A stored checkpoint whose hash was changed to match a rewritten log: its signature fails.
    tamper(
        &db,
        &format!("UPDATE audit_checkpoints SET head_hash = zeroblob(32) WHERE seq = {head}"),
    );
    let (code, report) = verify(dir.path());
    assert_eq!((code, broken_at(&report)), (1, head), "{report}");
    assert!(report.contains("forged"), "{report}");
}
