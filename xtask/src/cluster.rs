//! `cargo xtask cluster`: a three-node Ward on this machine, as a hospital runs it (minus the
//! load balancer): PostgreSQL, a NATS JetStream server and three `ward` nodes on loopback
//! ports, with the demo organisation. Every run starts fresh (the `ward_cluster` databases and
//! `target/ward-cluster/` are recreated); Ctrl-C stops the nodes and NATS.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::{
    Failure, Outcome, PG_HOST, PG_PORT, cargo, ensure_postgres, ensure_program, run, step, web,
};

/// The main and key databases of the cluster demo.
const DATABASES: [&str; 2] = ["ward_cluster", "ward_cluster_keys"];
const NODES: usize = 3;

/// Runs the cluster until Ctrl-C.
pub(crate) fn run_cluster() -> Outcome {
    ensure_postgres()?;
    ensure_program("nats-server", "nats-server")?;
    web::build()?;
    run(cargo().args(["build", "-p", "ward-cli", "--bin", "ward"]))?;
    let ward = target_dir().join("debug/ward");
    let home = target_dir().join("ward-cluster");
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(&home).map_err(|e| Failure::new(format!("cannot create {home:?}: {e}")))?;
    for database in DATABASES {
        psql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
        psql(&format!("CREATE DATABASE {database}"))?;
    }
    let nats_port = free_port()?;
    let mut children = vec![spawn_nats(nats_port, &home.join("jetstream"))?];
    let env = [
        ("WARD_DATABASE_URL", pg_url(DATABASES[0])),
        ("WARD_KEY_STORE_URL", pg_url(DATABASES[1])),
        ("WARD_NATS_URL", format!("nats://127.0.0.1:{nats_port}")),
        (
            "WARD_DATA_DIR",
            home.join("data").to_string_lossy().into_owned(),
        ),
    ];
    let mut addresses = Vec::new();
    for node in 0..NODES {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let mut command = Command::new(&ward);
        // The first node is the demo: it creates the organisation, then serves like the others.
        let task = if node == 0 { "demo" } else { "serve" };
        command.args([task, "--listen", &listen]).envs(env.clone());
        if node == 0 {
            command.args(["--data-dir", &env[3].1]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Failure::new(format!("cannot start ward: {e}")))?;
        if node == 0 {
            echo_until_running(&mut child)?;
        }
        wait_for_port(port)?;
        addresses.push(format!("http://{listen}/"));
        children.push(child);
    }
    println!();
    println!("A three-node Ward cluster is running (Ctrl-C stops it):");
    for (node, address) in addresses.iter().enumerate() {
        println!("  node {}: {address}", node + 1);
    }
    println!("  PostgreSQL: {} and {}", env[0].1, env[1].1);
    println!("  NATS JetStream: {}", env[2].1);
    println!("Sign in on any node; a message sent on one reaches the devices on the others.");
    // Ctrl-C reaches every process of the terminal's group: the nodes and NATS stop themselves.
    for mut child in children {
        let _ = child.wait();
    }
    Ok(())
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"))
}

fn pg_url(database: &str) -> String {
    format!("postgres://postgres@{PG_HOST}:{PG_PORT}/{database}")
}

fn psql(sql: &str) -> Outcome {
    run(Command::new("psql")
        .args(["-X", "-q", "-h", PG_HOST, "-p"])
        .arg(PG_PORT.to_string())
        .args(["-U", "postgres", "-d", "postgres", "-c", sql]))
}

fn free_port() -> Outcome<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure::new(format!("no free port: {e}")))
}

fn spawn_nats(port: u16, store: &Path) -> Outcome<Child> {
    step(format!("starting nats-server -js on 127.0.0.1:{port}"));
    let child = Command::new("nats-server")
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(store)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Failure::new(format!("cannot start nats-server: {e}")))?;
    wait_for_port(port)?;
    Ok(child)
}

/// Waits (up to a minute) until something listens on `port`.
fn wait_for_port(port: u16) -> Outcome {
    for _ in 0..600 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(100));
    }
    Err(Failure::new(format!("nothing listens on port {port}")))
}

/// Echoes the demo node's welcome (the logins) until it says it is running; its later output
/// keeps being echoed.
fn echo_until_running(child: &mut Child) -> Outcome {
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Failure::new("no output from the demo node"))?;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.map_err(|e| Failure::new(format!("reading the demo node: {e}")))?;
        println!("{line}");
        if line.starts_with("Stop with Ctrl-C") {
            thread::spawn(move || lines.map_while(Result::ok).for_each(|l| println!("{l}")));
            return Ok(());
        }
    }
    Err(Failure::new("the demo node stopped before it was running"))
}
