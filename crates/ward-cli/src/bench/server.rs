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
        status_kib(self.pid, "VmHWM:")
    }

    /// The server's resident set now (VmRSS), in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        status_kib(self.pid, "VmRSS:")
    }

    /// CPU seconds the server has used (user + system).
    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(&self.pid.to_string())
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

/// A `kB` line of `/proc/PID/status`.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// CPU seconds (user + system) of a process (`self` for the benchmark's own), from
/// `/proc/PID/stat` (clock ticks of 1/100 s, as Linux reports them to user space).
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Some((ticks(11)? + ticks(12)?) as f64 / TICKS_PER_SECOND)
}

/// The nodes of one benchmark run and what they share; stopped when dropped.
#[derive(Debug)]
pub struct Deployment {
    pub servers: Vec<Spawned>,
    pub storage: Storage,
    pub data_dir: std::path::PathBuf,
    _nats: Option<Nats>,
    _temp: tempfile::TempDir,
}

impl Deployment {
    /// Starts `nodes` nodes on `database_url` (or one on embedded SQLite) with `env` set.
    pub async fn start(
        args: &super::DeploymentArgs,
        env: &[(&'static str, String)],
    ) -> anyhow::Result<Self> {
        let temp = tempfile::tempdir()?;
        let data_dir = args
            .data_dir
            .clone()
            .unwrap_or_else(|| temp.path().join("data"));
        anyhow::ensure!(
            args.nodes == 1 || args.database_url.is_some(),
            "--nodes above 1 needs --database-url: the nodes share one PostgreSQL database"
        );
        let mut storage = Storage::default();
        if let Some(url) = &args.database_url {
            storage.env.push(("WARD_DATABASE_URL", url.clone()));
        }
        let nats = if args.nodes > 1 {
            let nats = Nats::start(&temp.path().join("jetstream"))?;
            storage.env.push(("WARD_NATS_URL", nats.url.clone()));
            Some(nats)
        } else {
            None
        };
        let mut servers = Vec::new();
        let mut serving = storage.clone();
        serving.env.extend(env.iter().cloned());
        for _ in 0..args.nodes.max(1) {
            let server = Spawned::start(&data_dir, &serving).await?;
            println!(
                "ward bench: server {} (pid {}), data in {}",
                server.url,
                server.pid,
                data_dir.display()
            );
            servers.push(server);
        }
        Ok(Self {
            servers,
            storage,
            data_dir,
            _nats: nats,
            _temp: temp,
        })
    }

    pub fn urls(&self) -> Vec<String> {
        self.servers.iter().map(|s| s.url.clone()).collect()
    }

    /// Which database the nodes are on, for the report.
    pub fn describe(&self, args: &super::DeploymentArgs) -> String {
        let store = if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        format!("{} node(s) on {store}", self.servers.len())
    }

    /// CPU seconds used so far by every node together.
    pub fn cpu_seconds(&self) -> f64 {
        self.servers.iter().filter_map(Spawned::cpu_seconds).sum()
    }

    /// Write batches and writes the nodes' store writers have run so far (from `/metrics`).
    pub async fn write_batches(&self) -> anyhow::Result<(u64, u64)> {
        let (mut batches, mut writes) = (0, 0);
        for server in &self.servers {
            let text = reqwest::get(format!("{}/metrics", server.url))
                .await?
                .text()
                .await?;
            let count = |name: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
                    .unwrap_or(0)
            };
            batches += count("ward_store_write_batches_total ");
            writes += count("ward_store_writes_total ");
        }
        Ok((batches, writes))
    }

    /// Prints each node's peak resident memory.
    pub fn print_peak_rss(&self) {
        for (node, server) in self.servers.iter().enumerate() {
            match server.peak_rss_kib() {
                Some(kib) => println!("server {node} peak RSS: {:.1} MiB", kib as f64 / 1024.0),
                None => println!("server {node} peak RSS: unknown (no /proc)"),
            }
        }
    }

    /// Stops the nodes (SIGTERM, then waits).
    pub fn stop(self) {
        for server in self.servers {
            server.stop();
        }
    }
}
