//! The database going away under a running server (PostgreSQL, reached through a TCP proxy
//! the test cuts): requests answer 503 with `Retry-After`, never 500; readiness covers the key
//! database too; everything works again once the database is back.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};
use ward_server::Config;
use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::TestServer;

/// A TCP proxy to a database that the test can cut (every connection dropped, new ones
/// refused) and restore on the same port.
struct Proxy {
    port: u16,
    target: SocketAddr,
    url: String,
    accepting: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(database_url: &str) -> Self {
        // postgres://user@host:port/name
        let (before, after) = database_url.split_once('@').expect("url with a user");
        let (address, name) = after.split_once('/').expect("url with a database");
        let target = tokio::net::lookup_host(address)
            .await
            .expect("database address")
            .next()
            .expect("an address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let mut proxy = Self {
            port,
            target,
            url: format!("{before}@127.0.0.1:{port}/{name}"),
            accepting: None,
            connections: Arc::default(),
        };
        proxy.accept(listener);
        proxy
    }

    fn accept(&mut self, listener: TcpListener) {
        let (target, connections) = (self.target, Arc::clone(&self.connections));
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let forward = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections.lock().expect("lock").push(forward);
            }
        }));
    }

    /// The database is gone: open connections break, new ones are refused.
    fn cut(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        for connection in self.connections.lock().expect("lock").drain(..) {
            connection.abort();
        }
    }

    /// The database is back, on the same address.
    async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind");
        self.accept(listener);
    }
}

async fn readyz(server: &TestServer) -> u16 {
    reqwest::get(format!("{}/readyz", server.url))
        .await
        .expect("readyz")
        .status()
        .as_u16()
}

/// Polls readiness (bounded) until it answers `status`.
async fn readiness_becomes(server: &TestServer, status: u16) -> bool {
    for _ in 0..60 {
        if readyz(server).await == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

fn group() -> CreateConversationRequest {
    CreateConversationRequest {
        kind: ConversationKind::Group,
        title: Some("outage".into()),
        member_ids: vec![],
        patient_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_answers_503_and_readiness_covers_the_key_database() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    let StoreConfig::Postgres {
        url,
        key_store_url: Some(key_url),
        ..
    } = db.config.clone()
    else {
        panic!("a PostgreSQL test database with a key database");
    };
    let mut main = Proxy::start(&url).await;
    let mut keys = Proxy::start(&key_url).await;
    let mut config = Config::new(db.dir.path().to_owned());
    config.database_url = Some(SecretString::from(main.url.clone()));
    config.key_store_url = Some(SecretString::from(keys.url.clone()));
    let mut server = TestServer::run(config, db).await;
    server.bootstrap_admin().await;
    let (admin, _) = server.admin().await;
    let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
    let conversation = nurse.create_conversation(&group()).await.expect("group").id;

    // The main database goes away: a send answers 503 unavailable with Retry-After.
    main.cut();
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/conversations/{conversation}/messages",
            server.url
        ))
        .bearer_auth(nurse.token().expect("token"))
        .json(&serde_json::json!({
            "client_id": uuid::Uuid::new_v4(),
            "body": "still there?"
        }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status().as_u16(), 503);
    assert_eq!(
        answer
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let problem: serde_json::Value = answer.json().await.expect("problem+json");
    assert_eq!(problem["type"], "urn:ward:problem:unavailable");
    assert_eq!(readyz(&server).await, 503);

    // Back: ready again, and the send goes through.
    main.restore().await;
    assert!(
        readiness_becomes(&server, 200).await,
        "ready once the database is back"
    );
    nurse
        .create_conversation(&group())
        .await
        .expect("a conversation once the database is back");

    // The key database goes away: not ready, and what needs a new key answers 503.
    keys.cut();
    assert!(
        readiness_becomes(&server, 503).await,
        "readiness covers the key database"
    );
    let refused = nurse.create_conversation(&group()).await;
    assert_eq!(
        refused.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(503)
    );
    keys.restore().await;
    assert!(readiness_becomes(&server, 200).await);
    server.stop().await;
}
