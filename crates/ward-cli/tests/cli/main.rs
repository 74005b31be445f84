//! The `ward` binary as an operator runs it: create a user, serve, sign in over HTTP, verify
//! and tamper with the audit log, rotate the root key, run the demo.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a test may panic where it checks

mod audit_erasure;
mod audit_tamper;
mod backup;
mod bench;
mod cluster;
mod compliance;
mod crash;
mod durability;
mod full_disk;
mod hardening_files;
mod keys;
mod logs;
mod rotation;
mod serve;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ward_client::Client;
use ward_crypto::totp::TotpSecret;
use ward_proto::messaging::{MessageView, SendMessageRequest};

pub const PASSWORD: &str = "correct horse battery staple";

pub fn ward() -> Command {
    ward_on(None)
}

/// `ward` using PostgreSQL at `database_url`, or the data directory's SQLite when `None`.
pub fn ward_on(database_url: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ward"));
    command
        .env_remove("WARD_DATABASE_URL")
        .env_remove("WARD_CONFIG");
    if let Some(url) = database_url {
        command.env("WARD_DATABASE_URL", url);
    }
    command
}

/// `ward admin create-user`, password on standard input.
pub fn create_user(data_dir: &Path, username: &str, role: &str) -> Output {
    create_user_on(None, data_dir, username, role)
}

pub fn create_user_on(db: Option<&str>, data_dir: &Path, username: &str, role: &str) -> Output {
    let mut child = ward_on(db)
        .args([
            "admin",
            "create-user",
            "--username",
            username,
            "--role",
            role,
            "--password-stdin",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ward");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .expect("write password");
    }
    child.wait_with_output().expect("wait")
}

/// `ward audit verify`: (exit code, standard output).
pub fn verify(data_dir: &Path) -> (i32, String) {
    let out = ward()
        .args(["audit", "verify", "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A running `ward serve` (or `ward demo`) process, stopped with SIGTERM on drop.
#[derive(Debug)]
pub struct Running {
    child: Child,
    pub url: String,
    /// Every line the process wrote to standard error, and the thread that reads them.
    log: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Starts `ward` with `args` and waits until it logs the address it listens on.
    pub fn start(args: &[&str], data_dir: &Path) -> Self {
        Self::start_on(None, args, data_dir)
    }

    pub fn start_on(db: Option<&str>, args: &[&str], data_dir: &Path) -> Self {
        Self::start_command(ward_on(db), args, data_dir)
    }

    /// Starts `command` (a `ward` command with its environment set) with `args` on a random
    /// loopback port, logging JSON, and waits until it listens.
    pub fn start_command(mut command: Command, args: &[&str], data_dir: &Path) -> Self {
        command
            .arg("--log-json")
            .args(args)
            .arg("--data-dir")
            .arg(data_dir);
        command.arg("--listen").arg("127.0.0.1:0");
        Self::spawn(command)
    }

    /// Starts a prepared `ward` command (which must log JSON) and waits for its address.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ward");
        let stderr = child.stderr.take().expect("stderr");
        let (found, address) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            let mut found = Some(found);
            // Keep draining so the server never blocks on a full pipe.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(json) = serde_json::from_str::<serde_json::Value>(&line)
                    && let Some(addr) = json["fields"]["address"].as_str()
                    && let Some(tx) = found.take()
                {
                    let _ = tx.send(addr.to_owned());
                }
                if let Ok(mut lines) = lines.lock() {
                    lines.push(line);
                }
            }
        });
        let address = address
            .recv_timeout(Duration::from_secs(60))
            .expect("ward did not start");
        Self {
            child,
            url: format!("http://{address}"),
            log,
            reader: Some(reader),
        }
    }

    /// Stops with SIGTERM, waits, and returns every line the process logged.
    pub fn stop_with_log(mut self) -> Vec<String> {
        self.terminate();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url).expect("client")
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops with SIGTERM and waits; true if it exited cleanly.
    pub fn stop(mut self) -> bool {
        self.terminate()
    }

    /// Kills the process with SIGKILL: no shutdown, no flush.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().is_ok_and(|s| s.success())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// A plain message with a fresh client id.
pub fn message(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        client_id: uuid::Uuid::new_v4(),
        body: body.into(),
        priority: None,
        confirm_findings: false,
        attachments: Vec::new(),
        send_at: None,
        lifespan_secs: None,
    }
}

/// Every message of a conversation, page by page, in seq order.
pub async fn all_messages(client: &Client, conversation: uuid::Uuid) -> Vec<MessageView> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map_or(0, |m: &MessageView| m.seq);
        let page = client
            .list_messages(conversation, after, 1000)
            .await
            .expect("list")
            .messages;
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// `/readyz` of the server behind `client`: status and body.
pub async fn readyz(client: &Client) -> (u16, String) {
    let response = reqwest::get(format!("{}/readyz", client.base_url()))
        .await
        .expect("readyz");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The TOTP code `offset_steps` steps from now (0 = current).
pub fn code(secret: &TotpSecret, offset_steps: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let at = now.saturating_add_signed(offset_steps * 30);
    secret.code_at(at).expect("code")
}

/// Signs an admin in and enrols their second factor; a full session and the secret.
pub async fn enrolled_admin(client: &Client, username: &str) -> (Client, TotpSecret) {
    let admin = client
        .sign_in(username, PASSWORD, "cli test")
        .await
        .expect("sign in");
    let enrollment = admin.begin_totp().await.expect("begin totp");
    let secret = TotpSecret::from_base32(&enrollment.secret).expect("secret");
    admin
        .confirm_totp(&code(&secret, 0))
        .await
        .expect("confirm");
    (admin, secret)
}

/// Every byte of the SQLite database files.
pub fn database_bytes(data_dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["ward.db", "ward.db-wal"] {
        if let Ok(more) = std::fs::read(data_dir.join(name)) {
            bytes.extend(more);
        }
    }
    bytes
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
