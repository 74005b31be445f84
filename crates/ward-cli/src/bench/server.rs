//! The server under test: `ward serve` as child processes on loopback ports (one node on
//! embedded SQLite, or several on PostgreSQL with a NATS server of the benchmark's own).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;

/// A `ward serve` started by the benchmark, killed when dropped.
#[derive(Debug)]
pub struct Spawned {
    child: Child,
    pub url: String,
    pub pid: u32,
}

/// Where the nodes keep their state: `WARD_*` variables every node (and `ward admin`) gets.
#[derive(Debug, Clone, Default)]
pub struct Storage {
    pub env: Vec<(&'static str, String)>,
}

impl Storage {
    /// A command of the `ward` binary with this storage (and nothing else from the caller's
    /// environment about it).
    pub fn command(&self) -> anyhow::Result<Command> {
        let exe = std::env::current_exe().context("finding the ward binary")?;
        let mut command = Command::new(exe);
        command
            .env_remove("WARD_DATABASE_URL")
            .env_remove("WARD_KEY_STORE_URL")
            .env_remove("WARD_NATS_URL")
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())));
        Ok(command)
    }
}

/// A `nats-server -js` of the benchmark's own, on a free port and a fresh store; killed when
/// dropped.
#[derive(Debug)]
pub struct Nats {
    child: Child,
    pub url: String,
}

impl Nats {
    pub fn start(store: &Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting nats-server (is it on the PATH?)")?;
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Self {
                    child,
                    url: format!("nats://127.0.0.1:{port}"),
                });
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        anyhow::bail!("nats-server did not start")
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Spawned {
    pub async fn start(data_dir: &Path, storage: &Storage) -> anyhow::Result<Self> {
        let mut child = storage
            .command()?
            .args([
                "--log-json",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(data_dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting ward serve")?;
        let stderr = child.stderr.take().context("no stderr")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let Ok(json) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                // The server's warnings and errors belong in the benchmark's report.
                if matches!(json["level"].as_str(), Some("WARN" | "ERROR")) {
                    eprintln!("server: {line}");
                }
                // The first line with an address is the listening one (others come first).
                if let Some(address) = json["fields"]["address"].as_str()
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(address.to_owned());
                }
            }
        });
        let address = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)))
            .await?
            .context("ward serve did not start")?;
        let pid = child.id();
        Ok(Self {
            child,
            url: format!("http://{address}"),
            pid,
        })
    }

    /// The server's peak resident set (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    }

    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
