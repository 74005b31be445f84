//! The server under test: `ward serve` as a child process on a loopback port.

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

impl Spawned {
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("finding the ward binary")?;
        let mut child = Command::new(exe)
            .args([
                "--log-json",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(data_dir)
            .env("RUST_LOG", "info")
            .env_remove("WARD_DATABASE_URL")
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
