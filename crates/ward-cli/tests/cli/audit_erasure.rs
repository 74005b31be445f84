//! Whoever can write the database but not the key directory can neither erase the audit log,
//! nor cut it short, nor rewrite it undetected, with no exported checkpoint to hand: the chain
//! is keyed by a secret in the key vault, and the latest checkpoint (signed at start, on an
//! interval and at clean shutdown) is also kept with the keys, as the audit anchor.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use sqlx::Connection;
use ward_core::audit::{AuditEvent, ChainHasher, canonical_bytes};
use ward_crypto::audit_chain::Sha256Chain;
use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::{Running, create_user, create_user_on, enrolled_admin, verify, ward_on};

/// A deployment with a few events, stopped cleanly: an admin made on the command line, then
/// signed in (with a second factor), listing users three times, and signed out.
async fn busy_deployment(db: Option<&str>, data: &Path) {
    let out = create_user_on(db, data, "chief", "admin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ward = Running::start_on(db, &["serve"], data);
    let (admin, _) = enrolled_admin(&ward.client(), "chief").await;
    for _ in 0..3 {
        admin.list_users().await.expect("list");
    }
    admin.logout().await.expect("logout");
    assert!(ward.stop());
}

/// Runs SQL on the stopped server's SQLite database, as someone with write access to the file
/// (and none to the key directory) would.
fn tamper(data: &Path, sql: &str) {
    let connection = rusqlite::Connection::open(data.join("ward.db")).expect("open db");
    connection.execute_batch(sql).expect("tamper");
}

fn query_seqs(data: &Path, sql: &str) -> Vec<i64> {
    let connection = rusqlite::Connection::open(data.join("ward.db")).expect("open db");
    let mut statement = connection.prepare(sql).expect("prepare");
    statement
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|seq| seq.expect("seq"))
        .collect()
}

fn head_seq(data: &Path) -> i64 {
    query_seqs(data, "SELECT max(seq) FROM audit_events")
        .pop()
        .expect("a head")
}

/// The seq of the checkpoint kept in the key vault (the audit anchor).
fn anchored_seq(data: &Path) -> Option<i64> {
    let vault = rusqlite::Connection::open(data.join("keys").join("data-keys.db")).expect("vault");
    vault
        .query_row("SELECT seq FROM audit_anchor", [], |r| r.get(0))
        .expect("an anchor")
}

fn broken_at(report: &str) -> i64 {
    report
        .split("BROKEN at event ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no event named in: {report}"))
}

/// Checks `ward audit verify` exits 1 and names event `seq` and `reason`.
fn check_broken(report: (i32, String), seq: i64, reason: &str) {
    let (code, report) = report;
    assert_eq!(code, 1, "{report}");
    assert_eq!(broken_at(&report), seq, "{report}");
    assert!(report.contains(reason), "{reason:?} not in: {report}");
}

/// Every event, read with the store's own code (as an attacker holding the database could),
/// opened beside a scratch key directory: the real one is out of reach.
async fn read_events(data: &Path) -> Vec<AuditEvent> {
    let scratch = tempfile::tempdir().expect("dir");
    let config = StoreConfig::Sqlite {
        path: data.join("ward.db"),
        key_dir: scratch.path().to_owned(),
    };
    let store = ward_store::open(&config, Arc::new(Sha256Chain))
        .await
        .expect("open the database");
    let events = store.audit_chain_page(0, 100_000).await.expect("events");
    store.close().await;
    events
}

/// Recomputes every link from event `from` on with the documented formula,
/// `hash(n) = SHA-256(hash(n-1) || canonical_bytes(n))`, writes the events back (their detail
/// too) and deletes the checkpoints from `from` on, which no longer match: what someone
/// rewriting the log in the database would do.
fn rewrite_from(data: &Path, events: &mut [AuditEvent], from: i64) {
    let connection = rusqlite::Connection::open(data.join("ward.db")).expect("open db");
    let mut prev = events
        .iter()
        .find(|e| e.seq == from)
        .map(|e| e.prev_hash)
        .expect("the event");
    for e in events.iter_mut().filter(|e| e.seq >= from) {
        e.prev_hash = prev;
        e.hash = Sha256Chain.link(&prev, &canonical_bytes(e.seq, &e.event));
        prev = e.hash;
        connection
            .execute(
                "UPDATE audit_events SET detail = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
                rusqlite::params![e.event.detail, e.prev_hash.to_vec(), e.hash.to_vec(), e.seq],
            )
            .expect("rewrite");
    }
    connection
        .execute("DELETE FROM audit_checkpoints WHERE seq >= ?1", [from])
        .expect("delete checkpoints");
}

/// Whether event `seq` links by the plain, unkeyed formula.
fn plainly_linked(events: &[AuditEvent], seq: i64) -> bool {
    let e = &events[usize::try_from(seq - 1).expect("seq")];
    e.hash == Sha256Chain.link(&e.prev_hash, &canonical_bytes(e.seq, &e.event))
}

#[tokio::test]
async fn checkpoints_are_signed_at_start_and_clean_shutdown_and_kept_with_the_keys() {
    let dir = tempfile::tempdir().expect("dir");
    busy_deployment(None, dir.path()).await;
    let head = head_seq(dir.path());
    let signed = query_seqs(dir.path(), "SELECT seq FROM audit_checkpoints ORDER BY seq");
    // Event 1 is the command line's user creation: the server found it at start.
    assert_eq!(signed.first(), Some(&1), "signed at start: {signed:?}");
    assert_eq!(signed.last(), Some(&head), "signed at shutdown: {signed:?}");
    assert_eq!(anchored_seq(dir.path()), Some(head));
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    assert!(report.contains(&format!("OK: {head} events")), "{report}");
    // A fresh deployment is keyed from its first event: the documented formula makes none of
    // its links.
    let events = read_events(dir.path()).await;
    assert!((1..=head).all(|seq| !plainly_linked(&events, seq)));
}

#[tokio::test]
async fn an_erased_log_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    busy_deployment(None, dir.path()).await;
    tamper(
        dir.path(),
        "DELETE FROM audit_events; DELETE FROM audit_checkpoints;",
    );
    check_broken(verify(dir.path()), 1, "erased");
}

#[tokio::test]
async fn an_erased_log_is_named_before_any_checkpoint_was_signed() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    assert_eq!(verify(dir.path()).0, 0);
    tamper(
        dir.path(),
        "DELETE FROM audit_events; DELETE FROM audit_checkpoints;",
    );
    check_broken(verify(dir.path()), 1, "erased");
}

#[tokio::test]
async fn a_log_cut_short_with_its_checkpoints_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    busy_deployment(None, dir.path()).await;
    let head = head_seq(dir.path());
    let kept = head - 3;
    tamper(
        dir.path(),
        &format!(
            "DELETE FROM audit_events WHERE seq > {kept}; \
             DELETE FROM audit_checkpoints WHERE seq > {kept};"
        ),
    );
    check_broken(verify(dir.path()), head, "log ends before it");
}

#[tokio::test]
async fn a_rewritten_and_rehashed_log_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    busy_deployment(None, dir.path()).await;
    let head = head_seq(dir.path());
    let mut events = read_events(dir.path()).await;
    let target = head - 2;
    events[usize::try_from(target - 1).expect("seq")]
        .event
        .detail = Some(r#"{"rewritten":true}"#.into());
    rewrite_from(dir.path(), &mut events, target);
    check_broken(verify(dir.path()), target, "not keyed");
}

/// A deployment whose log an earlier version wrote (unkeyed, no anchor) keeps verifying, is
/// keyed from the first event after the upgrade, and a rewrite on either side of the switch is
/// named.
#[tokio::test]
async fn an_upgraded_log_is_keyed_from_the_switch_on() {
    let dir = tempfile::tempdir().expect("dir");
    busy_deployment(None, dir.path()).await;
    let old_head = head_seq(dir.path());
    // As an earlier version left it: plain links, no checkpoint of them, no anchor.
    let mut events = read_events(dir.path()).await;
    rewrite_from(dir.path(), &mut events, 1);
    let vault =
        rusqlite::Connection::open(dir.path().join("keys").join("data-keys.db")).expect("vault");
    vault
        .execute("DELETE FROM audit_anchor", [])
        .expect("no anchor");
    drop(vault);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "the old chain verifies: {report}");

    // After the upgrade: two accounts made on the command line.
    for name in ["nurse.one", "nurse.two"] {
        assert!(create_user(dir.path(), name, "nurse").status.success());
    }
    let head = head_seq(dir.path());
    assert!(head > old_head + 1, "{head}");
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    let events = read_events(dir.path()).await;
    assert!((1..=old_head).all(|seq| plainly_linked(&events, seq)));
    assert!(((old_head + 1)..=head).all(|seq| !plainly_linked(&events, seq)));
    let pristine = std::fs::read(dir.path().join("ward.db")).expect("read db");

    // An event after the switch rewritten: its link cannot be keyed without the key.
    let mut rewritten = events.clone();
    rewritten[usize::try_from(head - 1).expect("seq")]
        .event
        .detail = Some("{}".into());
    rewrite_from(dir.path(), &mut rewritten, head);
    check_broken(verify(dir.path()), head, "not keyed");

    // An event before the switch rewritten, and every link after it: the switch tells.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("ward.db{suffix}")));
    }
    std::fs::write(dir.path().join("ward.db"), &pristine).expect("restore");
    assert_eq!(verify(dir.path()).0, 0);
    let mut rewritten = events;
    rewritten[1].event.detail = Some("{}".into());
    rewrite_from(dir.path(), &mut rewritten, 2);
    check_broken(verify(dir.path()), old_head + 1, "not keyed");
}

/// Restoring an older copy of the database cuts the log back on purpose: named until the
/// operator accepts it with `ward audit reanchor`.
#[tokio::test]
async fn a_restored_older_database_is_accepted_only_by_reanchoring() {
    let dir = tempfile::tempdir().expect("dir");
    busy_deployment(None, dir.path()).await;
    let db = dir.path().join("ward.db");
    let older = std::fs::read(&db).expect("copy the database");
    assert!(
        create_user(dir.path(), "nurse.one", "nurse")
            .status
            .success()
    );
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
    let head = head_seq(dir.path());
    assert_eq!(anchored_seq(dir.path()), Some(head));

    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("ward.db{suffix}")));
    }
    std::fs::write(&db, &older).expect("restore the older copy");
    check_broken(verify(dir.path()), head, "log ends before it");
    let out = crate::ward()
        .args(["audit", "reanchor", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    assert_eq!(anchored_seq(dir.path()), Some(head_seq(dir.path())));
}

/// PostgreSQL without a key database keeps the anchor in a file of the key directory.
#[tokio::test]
async fn on_postgres_erasure_and_truncation_are_named() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    let url = match &db.config {
        StoreConfig::Postgres { url, .. } => url.clone(),
        StoreConfig::Sqlite { .. } => panic!("a PostgreSQL test database"),
    };
    let data = db.dir.path().join("data");
    busy_deployment(Some(url.as_str()), &data).await;
    let verify_pg = || {
        let out = ward_on(Some(url.as_str()))
            .args(["audit", "verify", "--data-dir"])
            .arg(&data)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, report) = verify_pg();
    assert_eq!(code, 0, "{report}");
    let anchor = data.join("keys").join(ward_store::anchor::ANCHOR_FILE);
    let meta = std::fs::metadata(&anchor).expect("the anchor file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);

    let mut pg = sqlx::PgConnection::connect(&url).await.expect("connect");
    let head: i64 = sqlx::query_scalar("SELECT max(seq) FROM audit_events")
        .fetch_one(&mut pg)
        .await
        .expect("head");
    let kept = head - 3;
    for sql in [
        "DELETE FROM audit_events WHERE seq > $1",
        "DELETE FROM audit_checkpoints WHERE seq > $1",
    ] {
        sqlx::query(sql)
            .bind(kept)
            .execute(&mut pg)
            .await
            .expect("cut short");
    }
    check_broken(verify_pg(), head, "log ends before it");

    for sql in ["DELETE FROM audit_events", "DELETE FROM audit_checkpoints"] {
        sqlx::query(sql).execute(&mut pg).await.expect("erase");
    }
    check_broken(verify_pg(), 1, "erased");
    drop(pg);
    db.drop_database().await;
}
