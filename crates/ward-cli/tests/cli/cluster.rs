//! Three `ward serve` processes on one PostgreSQL database and one NATS JetStream server of
//! the test's own (random port, fresh store): what is committed through one node reaches the
//! devices on every other, once and in order; a node killed with SIGKILL and a NATS outage
//! lose nothing.
//!
//! Needs PostgreSQL (as the other PostgreSQL tests) and `nats-server` on the PATH (or
//! `WARD_NATS_SERVER`); without them the tests say so and pass, unless `WARD_REQUIRE_NATS` is
//! set, as in CI, where they fail.

use std::collections::{BTreeMap, HashSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;
use ward_client::Client;
use ward_client::realtime::Realtime;
use ward_proto::messaging::{
    ConversationKind, CreateConversationRequest, CreatePatientRequest, SendMessageRequest,
};
use ward_proto::realtime::ServerFrame;
use ward_proto::users::{CreateUserRequest, UpdateUserRequest, UserStatus};
use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::{PASSWORD, Running, create_user_on, enrolled_admin, ward_on};

/// A `nats-server -js` of this test's own, killed on drop.
struct Nats {
    child: Option<Child>,
    port: u16,
    store: PathBuf,
    binary: PathBuf,
}

impl Nats {
    /// Starts one, or `None` (the test then passes, saying why) if there is no `nats-server`
    /// here and `WARD_REQUIRE_NATS` is not set.
    fn start(store: &Path) -> Option<Self> {
        let binary = std::env::var_os("WARD_NATS_SERVER")
            .map(PathBuf::from)
            .or_else(|| which("nats-server"));
        let Some(binary) = binary else {
            assert!(
                std::env::var_os("WARD_REQUIRE_NATS").is_none(),
                "WARD_REQUIRE_NATS is set but there is no nats-server"
            );
            eprintln!("skipping: no nats-server on the PATH (set WARD_NATS_SERVER)");
            return None;
        };
        let port = free_port();
        let mut nats = Self {
            child: None,
            port,
            store: store.to_owned(),
            binary,
        };
        nats.run();
        Some(nats)
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on its port and store, and waits until it accepts.
    fn run(&mut self) {
        let child = Command::new(&self.binary)
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn nats-server");
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("nats-server did not start");
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.stop();
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A deployment: a fresh database, a NATS server, and the nodes started on them.
struct Deployment {
    db: TestDatabase,
    url: String,
    nats: Nats,
}

impl Deployment {
    async fn start() -> Option<Self> {
        let db = TestDatabase::postgres().await?;
        let url = match &db.config {
            StoreConfig::Postgres { url, .. } => url.clone(),
            StoreConfig::Sqlite { .. } => return None,
        };
        let nats = Nats::start(&db.dir.path().join("jetstream"))?;
        for (name, role) in [("chief", "admin"), ("officer", "compliance_officer")] {
            let created = create_user_on(Some(&url), db.dir.path(), name, role);
            assert!(created.status.success());
        }
        Some(Self { db, url, nats })
    }

    /// A node on the bus (every node shares the data directory's root key).
    fn node(&self) -> Running {
        let mut command = ward_on(Some(&self.url));
        command
            .env("WARD_NATS_URL", self.nats.url())
            .args([
                "--log-json",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(self.db.dir.path());
        Running::spawn(command)
    }

    async fn drop_database(self) {
        drop(self.nats);
        self.db.drop_database().await;
    }
}

async fn user(admin: &Client, node: &Running, name: &str, role: &str) -> (Client, Uuid) {
    let req = CreateUserRequest {
        username: name.into(),
        display_name: format!("Test {name}"),
        role: role.into(),
        password: PASSWORD.into(),
    };
    let id = admin.create_user(&req).await.expect("create user").id;
    let client = node
        .client()
        .sign_in(name, PASSWORD, "cluster test")
        .await
        .expect("sign in");
    (client, id)
}

async fn group(creator: &Client, members: Vec<Uuid>) -> Uuid {
    let req = CreateConversationRequest {
        kind: ConversationKind::Group,
        title: Some("cluster".into()),
        member_ids: members,
        patient_id: None,
    };
    creator.create_conversation(&req).await.expect("group").id
}

fn text(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        client_id: Uuid::new_v4(),
        body: body.into(),
        priority: None,
        confirm_findings: false,
        attachments: Vec::new(),
        send_at: None,
        lifespan_secs: None,
    }
}

/// A device's socket on `node` (resuming after `cursor`, if given).
async fn device(node_url: &str, client: &Client, cursor: Option<&str>) -> Realtime {
    let token = client.token().expect("token");
    let mut socket = Realtime::connect(node_url, token, cursor)
        .await
        .expect("ws");
    match next(&mut socket).await {
        Some(ServerFrame::Hello { .. }) => socket,
        other => panic!("expected hello, got {other:?}"),
    }
}

/// The next frame within 10 s, or `None`.
async fn next(socket: &mut Realtime) -> Option<ServerFrame> {
    match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
        Ok(Some(Ok(frame))) => Some(frame),
        _ => None,
    }
}

/// Frames until (and with) the first `until` accepts; panics if it does not come in time.
async fn frames_until(
    socket: &mut Realtime,
    until: impl Fn(&ServerFrame) -> bool,
) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    loop {
        let frame = next(socket).await.expect("the awaited frame did not come");
        let done = until(&frame);
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

fn body_of(frame: &ServerFrame) -> Option<&str> {
    match frame {
        ServerFrame::MessageCreated { message, .. } => Some(&message.body),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_deliver_revoke_and_remove_across_the_bus() {
    let Some(deployment) = Deployment::start().await else {
        return;
    };
    let (a, b, c) = (deployment.node(), deployment.node(), deployment.node());
    let (admin, _) = enrolled_admin(&a.client(), "chief").await;
    let (ann, _) = user(&admin, &a, "ann", "nurse").await;
    let (bob, bob_id) = user(&admin, &c, "bob", "nurse").await;
    let conversation = group(&ann, vec![bob_id]).await;

    // A message sent through node A reaches Bob's device on node C, live, in order, once.
    let mut bob_on_c = device(&c.url, &bob, None).await;
    let mut ann_on_b = device(&b.url, &ann, None).await;
    for i in 0..20 {
        ann.send_message(conversation, &text(&format!("message {i}")))
            .await
            .expect("send");
    }
    ann.send_message(conversation, &text("marker"))
        .await
        .expect("send");
    let frames = frames_until(&mut bob_on_c, |f| body_of(f) == Some("marker")).await;
    let bodies: Vec<_> = frames.iter().filter_map(body_of).collect();
    let expected: Vec<String> = (0..20).map(|i| format!("message {i}")).collect();
    assert_eq!(bodies[..20], expected, "in order, each once, none missing");
    assert_eq!(bodies.len(), 21);

    // Bob's acknowledgement on C moves the receipt Ann's device on B hears of.
    let cursor = match frames.last() {
        Some(ServerFrame::MessageCreated { cursor, .. }) => cursor.clone(),
        other => panic!("{other:?}"),
    };
    bob_on_c.ack(&cursor).await.expect("ack");
    let receipts = frames_until(&mut ann_on_b, |f| {
        matches!(f, ServerFrame::ReceiptUpdated { receipt, .. }
            if receipt.user_id == bob_id && receipt.delivered_up_to == 21)
    })
    .await;
    assert_eq!(
        receipts.iter().filter_map(body_of).count(),
        21,
        "Ann's own messages reached her device on B too"
    );

    // A scheduled send goes out once, though all three nodes look for due sends every second.
    let scheduled = SendMessageRequest {
        send_at: Some(time::OffsetDateTime::now_utc() + time::Duration::seconds(2)),
        ..text("scheduled once")
    };
    ann.schedule_message(conversation, &scheduled)
        .await
        .expect("schedule");
    frames_until(&mut bob_on_c, |f| body_of(f) == Some("scheduled once")).await;
    // Three more seconds: three more runs of every node's job.
    tokio::time::sleep(Duration::from_secs(3)).await;
    ann.send_message(conversation, &text("after the schedule"))
        .await
        .expect("send");
    let later = frames_until(&mut bob_on_c, |f| body_of(f) == Some("after the schedule")).await;
    assert!(
        later.iter().all(|f| body_of(f) != Some("scheduled once")),
        "the scheduled message went out twice"
    );
    let stored = ann
        .list_messages(conversation, 0, 1000)
        .await
        .expect("list")
        .messages;
    assert_eq!(
        stored.iter().filter(|m| m.body == "scheduled once").count(),
        1
    );

    // A session revoked through A: its socket on B closes within a second, and C refuses it.
    let phone = b
        .client()
        .sign_in("bob", PASSWORD, "bob's phone")
        .await
        .expect("sign in");
    let phone_session = phone.me().await.expect("me").session.id;
    let phone_on_c = Client::new(&c.url)
        .expect("client")
        .authed(phone.token().expect("token"));
    // C now holds the session in its cache.
    phone_on_c.me().await.expect("the phone's session on C");
    let mut phone_on_b = device(&b.url, &phone, None).await;
    let revoked_at = Instant::now();
    bob.authed(bob.token().expect("token"))
        .revoke_session(phone_session)
        .await
        .expect("revoke");
    let ended = frames_until(&mut phone_on_b, |f| {
        matches!(f, ServerFrame::SessionRevoked { .. })
    })
    .await;
    let took = revoked_at.elapsed();
    assert!(
        matches!(ended.last(), Some(ServerFrame::SessionRevoked { reason }) if reason == "revoked")
    );
    assert!(took < Duration::from_secs(1), "closed after {took:?}");
    let refused = phone_on_c.me().await;
    assert_eq!(
        refused.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(401),
        "the next request on C, whose cached copy the bus dropped"
    );

    // A user disabled through A is refused on C at once (C had the session cached).
    let (eve, eve_id) = user(&admin, &c, "eve", "nurse").await;
    eve.me().await.expect("Eve's session on C");
    let disable = UpdateUserRequest {
        status: UserStatus::Disabled,
    };
    admin.update_user(eve_id, &disable).await.expect("disable");
    let refused = eve.me().await;
    assert_eq!(
        refused.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(401),
        "a disabled user on another node"
    );
    eprintln!("cluster: a revocation through A closed the socket on B in {took:?}");

    // A policy changed through A is what C reads next, though C had it cached.
    let admin_on_c = Client::new(&c.url)
        .expect("client")
        .authed(admin.token().expect("token"));
    let mut policy = admin_on_c.get_policy().await.expect("policy on C");
    policy.session.idle_timeout_secs = 1200;
    admin.put_policy(&policy).await.expect("policy through A");
    let read = admin_on_c.get_policy().await.expect("policy on C");
    assert_eq!(
        read.session.idle_timeout_secs, 1200,
        "C dropped its cached policy"
    );

    // A role narrowed through A takes effect on C at once, though C had it cached.
    admin
        .put_role("unit_clerk", &["users_read"])
        .await
        .expect("role");
    let (clerk, _) = user(&admin, &c, "clerk", "unit_clerk").await;
    clerk.list_users().await.expect("users_read on C");
    admin
        .put_role("unit_clerk", &["patients_read"])
        .await
        .expect("role narrowed");
    let refused = clerk.list_users().await;
    assert_eq!(
        refused.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(403),
        "C dropped its cached role"
    );

    // Bob removed through A: his socket on C gets member.removed, then nothing of that
    // conversation (a marker in another conversation shows the stream went on).
    let other = group(&ann, vec![bob_id]).await;
    ann.remove_member(conversation, bob_id)
        .await
        .expect("remove");
    ann.send_message(conversation, &text("after the removal"))
        .await
        .expect("send");
    ann.send_message(other, &text("second marker"))
        .await
        .expect("send");
    let frames = frames_until(&mut bob_on_c, |f| body_of(f) == Some("second marker")).await;
    let removed = frames.iter().position(|f| {
        matches!(f, ServerFrame::MemberRemoved { conversation_id, user_id, .. }
            if *conversation_id == conversation && *user_id == bob_id)
    });
    assert!(removed.is_some(), "member.removed reached C: {frames:?}");
    assert!(
        frames
            .iter()
            .all(|f| body_of(f) != Some("after the removal")),
        "nothing after the removal"
    );

    // Garbage and forgeries published on the bus's subject are dropped and counted; delivery
    // goes on.
    let intruder = async_nats::connect(deployment.nats.url())
        .await
        .expect("nats");
    for payload in [&b"not a notice"[..], br#"{"type":"close_user"}"#] {
        intruder
            .publish("ward.bus.notices", payload.to_vec().into())
            .await
            .expect("publish");
    }
    intruder.flush().await.expect("flush");
    ann.send_message(other, &text("after the garbage"))
        .await
        .expect("send");
    frames_until(&mut bob_on_c, |f| body_of(f) == Some("after the garbage")).await;
    let metrics = reqwest::get(format!("{}/metrics", c.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(r#"ward_bus_notices_dropped_total{reason="unauthentic"} 2"#),
        "{metrics}"
    );

    // An alert reaches the compliance officer's devices on every node, whichever node's
    // monitoring raised it (so at least two of them heard of it over the bus).
    let (officer, _) = enrolled_admin(&a.client(), "officer").await;
    let mut officers = Vec::new();
    for node in [&a, &b, &c] {
        officers.push(device(&node.url, &officer, None).await);
    }
    let ann_id = ann.me().await.expect("me").user.id;
    for i in 0..30 {
        let patient = ann
            .create_patient(&CreatePatientRequest {
                mrn: format!("MRN-{:04}", 7000 + i),
                family_name: format!("Family{i}"),
                given_name: "Alex".into(),
                birth_date: time::macros::date!(1960 - 03 - 04),
                user_id: None,
                care_team: vec![ann_id],
            })
            .await
            .expect("patient");
        let thread = patient.care_team_conversation_id.expect("thread");
        ann.list_messages(thread, 0, 10).await.expect("read");
    }
    for (socket, node) in officers.iter_mut().zip(["A", "B", "C"]) {
        let frames = frames_until(socket, |f| matches!(f, ServerFrame::AlertRaised { .. })).await;
        assert!(
            matches!(frames.last(), Some(ServerFrame::AlertRaised { alert }) if alert.subject_id == Some(ann_id)),
            "the officer's device on {node}"
        );
    }

    for node in [a, b, c] {
        assert!(node.stop());
    }
    deployment.drop_database().await;
}

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
    let mut out = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = client
            .list_messages(conversation, after, 1000)
            .await
            .expect("list")
            .messages;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for m in page {
            assert!(out.insert(m.seq, m.body).is_none(), "seq {} twice", m.seq);
        }
    }
    out
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
                .send_message(conversation, &text(&body))
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

async fn readyz(node: &Running) -> String {
    let response = reqwest::get(format!("{}/readyz", node.url))
        .await
        .expect("readyz");
    response.text().await.unwrap_or_default()
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
    assert_eq!(readyz(&b).await, "ready");

    let token = ann.token().expect("token").to_owned();
    let senders = vec![
        sender(&a.url, &token, conversation, 250),
        sender(&b.url, &token, conversation, 250),
    ];
    tokio::time::sleep(Duration::from_millis(500)).await;
    deployment.nats.stop();
    let mut degraded = false;
    for _ in 0..50 {
        if readyz(&b).await == "degraded" {
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
        if readyz(&b).await == "ready" {
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

/// Runs `ward serve` that is expected to refuse to start: its exit code and standard error
/// (killed, and the test failed, if it is still running after 30 s).
fn refused(mut command: Command) -> (i32, String) {
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ward");
    for _ in 0..300 {
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            return (status.code().unwrap_or(-1), stderr);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("ward serve started where it had to refuse");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_refuses_to_start_without_a_working_bus() {
    let Some(deployment) = Deployment::start().await else {
        return;
    };
    let serve = |nats: Option<&str>| {
        let mut command = ward_on(Some(&deployment.url));
        command.env("WARD_DATA_DIR", deployment.db.dir.path());
        if let Some(url) = nats {
            command.env("WARD_NATS_URL", url);
        }
        command
    };
    // NATS unreachable, or refusing the node's credentials: the setting is named.
    let closed = format!("nats://127.0.0.1:{}", free_port());
    let (code, stderr) = refused(serve(Some(&closed)));
    assert_ne!(code, 0);
    assert!(stderr.contains("nats_url"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut guarded = Nats::start(&deployment.db.dir.path().join("guarded")).expect("nats-server");
    guarded.stop();
    let child = Command::new(&guarded.binary)
        .args(["-js", "-a", "127.0.0.1", "-p", &guarded.port.to_string()])
        .args(["--user", "ward", "--pass", "not-what-the-node-sends", "-sd"])
        .arg(&guarded.store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server with a password");
    guarded.child = Some(child);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", guarded.port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let wrong = format!("nats://ward:wrong@127.0.0.1:{}", guarded.port);
    let (code, stderr) = refused(serve(Some(&wrong)));
    assert_ne!(code, 0);
    assert!(stderr.contains("nats_url"), "{stderr}");
    assert!(
        !stderr.contains("wrong@"),
        "the address with its password is never printed"
    );

    // A node with the bus serves; a second one without it is refused, and says why.
    let a = deployment.node();
    let (code, stderr) = refused(serve(None));
    assert_ne!(code, 0);
    assert!(stderr.contains("nats_url"), "{stderr}");
    assert!(a.stop());
    deployment.drop_database().await;
}
