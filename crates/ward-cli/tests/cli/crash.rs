//! The crash test: while messages are being sent, the server is killed with SIGKILL and
//! restarted; every message that was acknowledged must be there, with its seq and body, and
//! the seqs must run 1, 2, 3, ... without a gap or a repeat.
//!
//! `WARD_CRASH_MESSAGES` sets how many sends to attempt before the kill (default 300); run it
//! longer by hand with, for example, `WARD_CRASH_MESSAGES=20000 cargo nextest run crash`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use uuid::Uuid;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};
use ward_proto::users::CreateUserRequest;
use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::{PASSWORD, Running, all_messages, create_user_on, enrolled_admin, message};

const SENDERS: usize = 8;

async fn crash_and_recover(db: TestDatabase) {
    let url = match &db.config {
        StoreConfig::Postgres { url, .. } => Some(url.clone()),
        StoreConfig::Sqlite { .. } => None,
    };
    let url = url.as_deref();
    let dir = db.dir.path().to_owned();
    let target: usize = std::env::var("WARD_CRASH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);

    assert!(create_user_on(url, &dir, "chief", "admin").status.success());
    let server = Running::start_on(url, &["serve"], &dir);
    let (admin, _) = enrolled_admin(&server.client(), "chief").await;
    let nurse = CreateUserRequest {
        username: "nurse.reyes".into(),
        display_name: "Maria Reyes".into(),
        role: "nurse".into(),
        password: PASSWORD.into(),
    };
    admin.create_user(&nurse).await.expect("create nurse");
    let nurse = server
        .client()
        .sign_in("nurse.reyes", PASSWORD, "crash test")
        .await
        .expect("sign in");
    let group = CreateConversationRequest {
        kind: ConversationKind::Group,
        title: Some("crash test".into()),
        member_ids: vec![],
        patient_id: None,
    };
    let conversation = nurse
        .create_conversation(&group)
        .await
        .expect("conversation")
        .id;

    // Acknowledged sends: client id -> (seq, body).
    let acked: Arc<Mutex<HashMap<Uuid, (i64, String)>>> = Arc::default();
    let mut senders = Vec::new();
    for sender in 0..SENDERS {
        let (nurse, acked) = (nurse.clone(), Arc::clone(&acked));
        senders.push(tokio::spawn(async move {
            for i in 0..target {
                let body = format!("sender {sender} message {i}");
                let req = message(&body);
                match nurse.send_message(conversation, &req).await {
                    Ok((message, _)) => {
                        acked
                            .lock()
                            .expect("lock")
                            .insert(req.client_id, (message.seq, body));
                    }
                    Err(_) => return,
                }
            }
        }));
    }
    // Kill once about half the sends have been acknowledged, mid-stream.
    let half = target * SENDERS / 2;
    for _ in 0..600 {
        if acked.lock().expect("lock").len() >= half {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.kill();
    for task in senders {
        let _ = task.await;
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() >= half.min(10),
        "too few sends before the kill: {}",
        acked.len()
    );

    let server = Running::start_on(url, &["serve"], &dir);
    let nurse = server
        .client()
        .sign_in("nurse.reyes", PASSWORD, "after crash")
        .await
        .expect("sign in");
    let mut stored: BTreeMap<i64, (Uuid, String)> = BTreeMap::new();
    for m in all_messages(&nurse, conversation).await {
        assert!(
            stored.insert(m.seq, (m.client_id, m.body)).is_none(),
            "seq {} twice",
            m.seq
        );
    }
    let max = stored.keys().last().copied().unwrap_or(0);
    assert_eq!(stored.len() as i64, max, "seqs are 1..={max} without gaps");
    let by_client: HashMap<Uuid, (i64, String)> = stored
        .iter()
        .map(|(seq, (client, body))| (*client, (*seq, body.clone())))
        .collect();
    for (client, expected) in &acked {
        assert_eq!(
            by_client.get(client),
            Some(expected),
            "an acknowledged message was lost or changed"
        );
    }
    assert!(server.stop());
    eprintln!(
        "crash test: {} acknowledged, {} stored after restart",
        acked.len(),
        stored.len()
    );
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_a_kill_on_sqlite() {
    crash_and_recover(TestDatabase::sqlite().expect("temp dir")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_a_kill_on_postgres() {
    if let Some(db) = TestDatabase::postgres().await {
        crash_and_recover(db).await;
    }
}
