//! The store conformance suite: every store operation, run on SQLite and on PostgreSQL, each
//! test on a fresh database.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a test may panic where it checks

mod approvals;
mod attachments;
mod audit;
mod clinical;
mod identity;
mod keys_and_policy;
mod messaging;
mod migrations;
mod sessions;
mod workflow;

use std::future::Future;
use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome};
use ward_core::id::UserId;
use ward_core::role::RoleName;
use ward_core::user::{DisplayName, User, UserStatus, Username};
use ward_crypto::audit_chain::Sha256Chain;
use ward_store::Store;
use ward_store::testing::TestDatabase;

/// Runs `check` against a fresh store of the named backend, then drops the database.
async fn with_store<F, Fut>(backend: &str, check: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let db = match backend {
        "sqlite" => TestDatabase::sqlite().expect("temp dir"),
        _ => match TestDatabase::postgres().await {
            Some(db) => db,
            None => return,
        },
    };
    let store = ward_store::open(&db.config, Arc::new(Sha256Chain))
        .await
        .expect("open store");
    let outcome = check(Arc::clone(&store)).await;
    store.close().await;
    db.drop_database().await;
    if let Err(e) = outcome {
        panic!("{backend}: {e:#}");
    }
}

/// Declares a conformance test that runs once per backend.
macro_rules! conformance {
    ($name:ident, $check:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::with_store("sqlite", $check).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::with_store("postgres", $check).await;
            }
        }
    };
}
pub(crate) use conformance;

fn user(name: &str, role: &str) -> User {
    User {
        id: UserId::new(),
        username: Username::parse(name).expect("username"),
        display_name: DisplayName::parse(&format!("Test {name}")).expect("display name"),
        role: RoleName::parse(role).expect("role"),
        status: UserStatus::Active,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
        created_at: Timestamp::now(),
        sealed_display_name: None,
    }
}

fn event(action: AuditAction) -> NewAuditEvent {
    NewAuditEvent::new(action, Outcome::Success)
}

/// How many audit events the store holds.
async fn audit_len(store: &Arc<dyn Store>) -> anyhow::Result<usize> {
    Ok(store.audit_chain_page(0, 100_000).await?.len())
}
