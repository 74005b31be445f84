//! Three `ward serve` processes on one PostgreSQL database and one NATS JetStream server of
//! the test's own (random port, fresh store): what is committed through one node reaches the
//! devices on every other, once and in order; a node killed with SIGKILL and a NATS outage
//! lose nothing.
//!
//! Needs PostgreSQL (as the other PostgreSQL tests) and `nats-server` on the PATH (or
//! `WARD_NATS_SERVER`); without them the tests say so and pass, unless `WARD_REQUIRE_NATS` is
//! set, as in CI, where they fail.

mod delivery;
mod escalation;
mod failures;
mod secured;
mod startup;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use uuid::Uuid;
use ward_client::Client;
use ward_client::realtime::Realtime;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};
use ward_proto::realtime::ServerFrame;
use ward_proto::users::CreateUserRequest;
use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::{PASSWORD, Running, create_user_on, ward_on};

/// A `nats-server -js` of this test's own, killed on drop.
struct Nats {
    child: Option<Child>,
    port: u16,
    store: PathBuf,
    binary: PathBuf,
    /// More arguments (a user and password the server asks clients for).
    extra: Vec<String>,
}

impl Nats {
    /// Starts one with `extra` arguments, or `None` (the test then passes, saying why) if
    /// there is no `nats-server` here and `WARD_REQUIRE_NATS` is not set.
    fn start_with(store: &Path, extra: &[&str]) -> Option<Self> {
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
            extra: extra.iter().map(|a| (*a).to_owned()).collect(),
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
            .args(&self.extra)
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
    /// Settings every node gets besides the bus address (`WARD_*` variables).
    node_env: Vec<(&'static str, PathBuf)>,
}

impl Deployment {
    async fn start() -> Option<Self> {
        Self::start_with(|_| Vec::new()).await
    }

    /// Starts NATS with the arguments `nats_args` gives for the data directory (where it may
    /// write the files they name).
    async fn start_with(nats_args: impl FnOnce(&Path) -> Vec<String>) -> Option<Self> {
        let db = TestDatabase::postgres().await?;
        let url = match &db.config {
            StoreConfig::Postgres { url, .. } => url.clone(),
            StoreConfig::Sqlite { .. } => return None,
        };
        let args = nats_args(db.dir.path());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let nats = Nats::start_with(&db.dir.path().join("jetstream"), &args)?;
        for (name, role) in [("chief", "admin"), ("officer", "compliance_officer")] {
            let created = create_user_on(Some(&url), db.dir.path(), name, role);
            assert!(created.status.success());
        }
        Some(Self {
            db,
            url,
            nats,
            node_env: Vec::new(),
        })
    }

    /// The command that starts a node on the bus (every node shares the data directory's root
    /// key).
    fn serve(&self) -> Command {
        let mut command = ward_on(Some(&self.url));
        command.env("WARD_NATS_URL", self.nats.url());
        command.envs(self.node_env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// A node on the bus.
    fn node(&self) -> Running {
        Running::start_command(self.serve(), &["serve"], self.db.dir.path())
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
