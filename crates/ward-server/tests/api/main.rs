//! The HTTP API, tested against a real server on a random loopback port, over SQLite and
//! PostgreSQL, through `ward-client` (and raw HTTP where the request must be malformed).

#![allow(clippy::expect_used, clippy::unwrap_used)] // a test may panic where it checks

mod attachments;
mod audit;
mod auth;
mod authz_matrix;
mod break_glass;
mod compliance_report;
mod escalation;
mod escalation_grants;
mod hardening_access;
mod hardening_web;
mod history;
mod malformed;
mod message_changes;
mod messaging;
mod mfa;
mod monitoring;
mod no_echo;
mod openapi_contract;
mod ops;
mod outage;
mod push;
mod realtime;
mod reports;
mod retention;
mod role_messages;
mod safety;
mod scheduled;
mod schemathesis;
mod separation_of_duties;
mod sessions;
mod throttling;
mod tls_scan;
mod users;
mod web_session;

use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use ward_client::{Client, ClientError};
use ward_core::Timestamp;
use ward_core::clock::{Clock, OffsetClock};
use ward_crypto::totp::TotpSecret;
use ward_proto::ProblemType;
use ward_proto::users::CreateUserRequest;
use ward_server::services::NewUser;
use ward_server::{Config, Server, Services};
use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

pub const PASSWORD: &str = "correct horse battery staple";

/// A running server over a fresh database.
#[derive(Debug)]
pub struct TestServer {
    pub url: String,
    pub config: Config,
    /// The running server's services: a test that moved the clock runs the due work itself
    /// rather than waiting for the server's background jobs to notice.
    pub services: Services,
    /// The clock of this test's servers (a restart and a second node keep it): time runs as
    /// usual until a test moves it forward.
    clock: Arc<OffsetClock>,
    db: Option<TestDatabase>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on the named backend with one admin (`root`); `None` if the backend is
    /// not available here.
    pub async fn start(backend: &str) -> Option<Self> {
        let db = match backend {
            "sqlite" => TestDatabase::sqlite().expect("temp dir"),
            _ => TestDatabase::postgres().await?,
        };
        let mut config = Config::new(db.dir.path().to_owned());
        if let StoreConfig::Postgres {
            url, key_store_url, ..
        } = &db.config
        {
            config.database_url = Some(SecretString::from(url.clone()));
            config.key_store_url = key_store_url.clone().map(SecretString::from);
        }
        let mut server = Self::run(config, db).await;
        server.bootstrap_admin().await;
        Some(server)
    }

    /// Starts a server over `db` with a clock of its own.
    async fn run(config: Config, db: TestDatabase) -> Self {
        Self::run_with_clock(config, db, Arc::new(OffsetClock::new())).await
    }

    async fn run_with_clock(config: Config, db: TestDatabase, clock: Arc<OffsetClock>) -> Self {
        let Node {
            url,
            services,
            shutdown,
            task,
        } = Node::start(&config, &clock).await;
        Self {
            url,
            config,
            services,
            clock,
            db: Some(db),
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    async fn bootstrap_admin(&mut self) {
        let (store, keyring) = ward_server::open(&self.config).await.expect("open");
        let services = ward_server::Services::new(store.clone(), keyring, Default::default());
        let root = NewUser {
            username: "root".into(),
            display_name: "Root Admin".into(),
            role: "admin".into(),
            password: SecretString::from(PASSWORD),
        };
        services
            .identity()
            .create_user(None, root)
            .await
            .expect("bootstrap admin");
        store.close().await;
    }

    /// Stops the server and starts a new one on the same database and keys.
    pub async fn restart(mut self) -> Self {
        let (db, clock) = (self.stop_server().await, Arc::clone(&self.clock));
        Self::run_with_clock(self.config.clone(), db, clock).await
    }

    /// The time by this test's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves this test's clock `secs` seconds ahead, for every server of the test at once.
    pub fn advance(&self, secs: i64) {
        self.clock.advance(secs);
    }

    async fn stop_server(&mut self) -> TestDatabase {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.db.take().expect("database")
    }

    /// A second node on the same PostgreSQL database and keys (as a multi-node deployment
    /// runs), stopped when dropped; `None` on SQLite, which runs one node.
    pub async fn second_node(&self) -> Option<Node> {
        self.config.database_url.as_ref()?;
        Some(Node::start(&self.config, &self.clock).await)
    }

    pub async fn stop(mut self) {
        self.stop_server().await.drop_database().await;
    }

    pub fn anon(&self) -> Client {
        Client::new(&self.url).expect("client")
    }

    /// Signs `root` in with a full session, enrolling its second factor on first use.
    pub async fn admin(&self) -> (Client, TotpSecret) {
        let anon = self.anon();
        let enrolling = anon
            .sign_in("root", PASSWORD, "test admin")
            .await
            .expect("admin sign-in");
        let enrollment = enrolling.begin_totp().await.expect("begin totp");
        let secret = TotpSecret::from_base32(&enrollment.secret).expect("base32");
        enrolling
            .confirm_totp(&code(&secret))
            .await
            .expect("confirm totp");
        (enrolling, secret)
    }

    /// Creates a user with `role` and returns a client signed in as them.
    pub async fn user(&self, admin: &Client, username: &str, role: &str) -> Client {
        self.create(admin, username, role).await;
        self.anon()
            .sign_in(username, PASSWORD, "test device")
            .await
            .expect("sign in")
    }

    pub async fn create(&self, admin: &Client, username: &str, role: &str) -> uuid::Uuid {
        let req = CreateUserRequest {
            username: username.into(),
            display_name: format!("Test {username}"),
            role: role.into(),
            password: PASSWORD.into(),
        };
        admin.create_user(&req).await.expect("create user").id
    }
}

/// A running server; dropping it drops the shutdown sender, which stops it.
#[derive(Debug)]
pub struct Node {
    pub url: String,
    pub services: Services,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Node {
    async fn start(config: &Config, clock: &Arc<OffsetClock>) -> Self {
        let server = Server::build_with_clock(config, Arc::clone(clock) as Arc<dyn Clock>)
            .await
            .expect("build server");
        let services = server.services().clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(listener, async {
            let _ = stop.await;
        }));
        Self {
            url,
            services,
            shutdown,
            task,
        }
    }
}

/// The current TOTP code for a secret.
pub fn code(secret: &TotpSecret) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    secret.code_at(now).expect("code")
}

/// Asserts that a call failed with this problem type (and so with its status).
#[track_caller]
pub fn assert_problem<T: std::fmt::Debug>(result: Result<T, ClientError>, expected: ProblemType) {
    match result {
        Err(ClientError::Problem { status, problem }) => {
            assert_eq!(problem.problem_type(), Some(expected), "{problem:?}");
            assert_eq!(status.as_u16(), expected.status());
            assert_eq!(problem.status, expected.status());
        }
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

/// Runs `check` against a fresh server on the named backend.
pub async fn with_server<F, Fut>(backend: &str, check: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: Future<Output = TestServer>,
{
    let Some(server) = TestServer::start(backend).await else {
        return;
    };
    check(server).await.stop().await;
}

/// Declares an API test that runs once per backend. The body gets the server and hands it
/// back so it can be stopped (a restart inside the test replaces it).
macro_rules! api_test {
    ($name:ident, $check:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::with_server("sqlite", $check).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::with_server("postgres", $check).await;
            }
        }
    };
}
pub(crate) use api_test;
