use std::path::Path;

use crate::{Running, create_user, enrolled_admin, verify};

/// Flips one byte of the first occurrence of `needle` in the SQLite file.
fn flip_byte_in(db: &Path, needle: &[u8], offset: usize) -> Vec<u8> {
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
