//! Losing a part under load: a node killed with SIGKILL, NATS stopped for 5 s. Nothing
//! acknowledged is lost and no device misses or repeats a message.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;
use ward_client::Client;
use ward_client::realtime::Realtime;
use ward_proto::realtime::ServerFrame;

use super::{Deployment, device, group, user};
use crate::{all_messages, enrolled_admin, message, readyz};

/// What a recording device received: each message's (seq, body), in arrival order, and the
/// cursor of the last event it had.
#[derive(Debug, Default)]
struct Recorded {
    seen: Vec<(i64, String)>,
    cursor: Option<String>,
}

/// A device that records every message it receives and acknowledges as it goes, until its
/// socket closes or `stop` is set.
struct Recorder {
    task: tokio::task::JoinHandle<Recorded>,
    stop: Arc<Mutex<bool>>,
}

impl Recorder {
    fn start(mut socket: Realtime) -> Self {
        let stop = Arc::new(Mutex::new(false));
        let stopping = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut recorded = Recorded::default();
            while !*stopping.lock().expect("lock") {
                match tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
                    Ok(Some(Ok(ServerFrame::MessageCreated { message, cursor }))) => {
                        recorded.seen.push((message.seq, message.body));
                        let _ = socket.ack(&cursor).await;
                        recorded.cursor = Some(cursor);
                    }
                    Ok(Some(Ok(_))) | Err(_) => {}
                    Ok(None | Some(Err(_))) => break,
                }
            }
            recorded
        });
        Self { task, stop }
    }

    /// Lets it drain what is in flight (two seconds), then stops it.
    async fn finish(self) -> Recorded {
        tokio::time::sleep(Duration::from_secs(2)).await;
        *self.stop.lock().expect("lock") = true;
        self.task.await.expect("recorder")
    }
}

/// Every message of the conversation as stored: seq -> body.
async fn stored(client: &Client, conversation: Uuid) -> BTreeMap<i64, String> {
    let all = all_messages(client, conversation).await;
    let count = all.len();
    let by_seq: BTreeMap<i64, String> = all.into_iter().map(|m| (m.seq, m.body)).collect();
    assert_eq!(by_seq.len(), count, "a seq twice");
    by_seq
}

/// Sends `count` messages through the node at `url`, 10 ms apart; the bodies acknowledged.
fn sender(
    url: &str,
    token: &str,
    conversation: Uuid,
    count: usize,
) -> tokio::task::JoinHandle<HashSet<String>> {
    let client = Client::new(url).expect("client").authed(token);
    let url = url.to_owned();
    tokio::spawn(async move {
        let mut acked = HashSet::new();
        for i in 0..count {
            let body = format!("{url} {i}");
            if client
                .send_message(conversation, &message(&body))
                .await
                .is_ok()
            {
                acked.insert(body);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        acked
    })
}

async fn acknowledged(senders: Vec<tokio::task::JoinHandle<HashSet<String>>>) -> HashSet<String> {
    let mut acked = HashSet::new();
    for task in senders {
        acked.extend(task.await.expect("sender"));
    }
    acked
}

/// Every acknowledged message is stored, once.
fn assert_stored(acked: &HashSet<String>, stored: &BTreeMap<i64, String>) {
    let bodies: HashSet<&String> = stored.values().collect();
    assert_eq!(bodies.len(), stored.len(), "a message stored twice");
    let lost: Vec<_> = acked.iter().filter(|b| !bodies.contains(b)).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
}

/// A device received every stored message, once, in order.
fn assert_received_all(name: &str, seen: &[(i64, String)], stored: &BTreeMap<i64, String>) {
    let seqs: Vec<i64> = seen.iter().map(|(seq, _)| *seq).collect();
    let unique: HashSet<i64> = seqs.iter().copied().collect();
    assert_eq!(unique.len(), seqs.len(), "{name}: a message twice");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{name}: out of order");
    let missing: Vec<_> = stored.keys().filter(|seq| !unique.contains(seq)).collect();
    assert!(
        missing.is_empty(),
        "{name}: missed {} of {}: {missing:?}",
        missing.len(),
        stored.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_under_load_loses_nothing() {
    let Some(deployment) = Deployment::start().await else {
        return;
    };
    let (a, b, c) = (deployment.node(), deployment.node(), deployment.node());
    let (admin, _) = enrolled_admin(&b.client(), "chief").await;
    let (ann, _) = user(&admin, &b, "ann", "nurse").await;
    let (bob, bob_id) = user(&admin, &b, "bob", "nurse").await;
    let (cy, cy_id) = user(&admin, &c, "cyd", "nurse").await;
    let (dee, dee_id) = user(&admin, &a, "dee", "nurse").await;
    let conversation = group(&ann, vec![bob_id, cy_id, dee_id]).await;
    let on_b = Recorder::start(device(&b.url, &bob, None).await);
    let on_c = Recorder::start(device(&c.url, &cy, None).await);
    let on_a = Recorder::start(device(&a.url, &dee, Some("0")).await);

    let token = ann.token().expect("token").to_owned();
    let senders: Vec<_> = [&a, &b, &c]
        .iter()
        .map(|node| sender(&node.url, &token, conversation, 80))
        .collect();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let killed_at = Instant::now();
    a.kill();
    // Dee's device lost its node: it resumes on B from the last event it had.
    let before = on_a.finish().await;
    let cursor = before.cursor.clone().unwrap_or_else(|| "0".into());
    let resumed = Recorder::start(device(&b.url, &dee, Some(&cursor)).await);
    eprintln!(
        "cluster: Dee's device resumed on B {:?} after the kill",
        killed_at.elapsed()
    );
    let acked = acknowledged(senders).await;

    let stored = stored(&ann, conversation).await;
    assert_stored(&acked, &stored);
    let (on_b, on_c, resumed) = (
        on_b.finish().await,
        on_c.finish().await,
        resumed.finish().await,
    );
    assert_received_all("device on B", &on_b.seen, &stored);
    assert_received_all("device on C", &on_c.seen, &stored);
    let mut dee_seen = before.seen.clone();
    dee_seen.extend(resumed.seen);
    assert_received_all("device moved from A to B", &dee_seen, &stored);
    eprintln!(
        "cluster: kill -9 of node A under load: {} acknowledged, {} stored, devices on B and C \
         received {} and {}, Dee's {} before the kill and {} after resuming on B",
        acked.len(),
        stored.len(),
        on_b.seen.len(),
        on_c.seen.len(),
        before.seen.len(),
        dee_seen.len() - before.seen.len()
    );
    for node in [b, c] {
        assert!(node.stop());
    }
    deployment.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_outage_loses_nothing() {
    let Some(mut deployment) = Deployment::start().await else {
        return;
    };
    let (a, b) = (deployment.node(), deployment.node());
    let (admin, _) = enrolled_admin(&a.client(), "chief").await;
    let (ann, _) = user(&admin, &a, "ann", "nurse").await;
    let (bob, bob_id) = user(&admin, &b, "bob", "nurse").await;
    let conversation = group(&ann, vec![bob_id]).await;
    let on_b = Recorder::start(device(&b.url, &bob, None).await);
    assert_eq!(readyz(&b.client()).await.1, "ready");

    let token = ann.token().expect("token").to_owned();
    let senders = vec![
        sender(&a.url, &token, conversation, 250),
        sender(&b.url, &token, conversation, 250),
    ];
    tokio::time::sleep(Duration::from_millis(500)).await;
    deployment.nats.stop();
    let mut degraded = false;
    for _ in 0..50 {
        if readyz(&b.client()).await.1 == "degraded" {
            degraded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(degraded, "/readyz says degraded while NATS is away");
    tokio::time::sleep(Duration::from_secs(5)).await;
    deployment.nats.run();
    let acked = acknowledged(senders).await;
    let stored = stored(&ann, conversation).await;
    assert_stored(&acked, &stored);
    let on_b = on_b.finish().await;
    assert_received_all("device on B", &on_b.seen, &stored);
    let mut ready = false;
    for _ in 0..100 {
        if readyz(&b.client()).await.1 == "ready" {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "/readyz is ready again once NATS is back");
    eprintln!(
        "cluster: NATS stopped for 5 s under load: {} acknowledged, {} stored, the device on B \
         received {}",
        acked.len(),
        stored.len(),
        on_b.seen.len()
    );
    for node in [a, b] {
        assert!(node.stop());
    }
    deployment.drop_database().await;
}
