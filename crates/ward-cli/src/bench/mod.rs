//! `ward bench`: a load generator over the real API. It starts a `ward serve` of its own on a
//! fresh data directory (or, with `--database-url` and `--nodes N`, N nodes on an empty
//! PostgreSQL database and a NATS server of its own, with senders and devices spread over
//! them), creates an organisation, connects devices over WebSocket, and measures:
//!
//! 1. throughput: N messages from S senders with bounded concurrency; send-to-ack latency;
//! 2. fan-out: send-to-delivery latency on every device, at full speed and at a fixed rate;
//! 3. catch-up: how long an offline device takes to sync M messages it missed;
//! 4. the server's peak resident memory.
//!
//! Everything is bounded in count and time; it stops by itself.

mod devices;
mod server;
mod setup;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::stream::{self, StreamExt};
use hdrhistogram::Histogram;
use ward_client::Client;
use ward_proto::messaging::SendMessageRequest;

use devices::{Devices, Phase};

/// Options of `ward bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Devices connected over WebSocket (two per user).
    #[arg(long, default_value_t = 100)]
    devices: usize,
    /// Users sending; each sends into its own group of members.
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Messages for the throughput phase.
    #[arg(long, default_value_t = 20_000)]
    messages: usize,
    /// Sends in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Messages per second in the fixed-rate fan-out phase.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    /// Seconds of the fixed-rate phase.
    #[arg(long, default_value_t = 5)]
    rate_seconds: u64,
    /// Messages an offline device catches up on.
    #[arg(long, default_value_t = 10_000)]
    catch_up: usize,
    /// Keep the server's data here instead of a temporary directory.
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
    /// An empty PostgreSQL database to run on instead of embedded SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Nodes to run (more than one needs `--database-url`; they share a NATS JetStream server
    /// the benchmark starts, from `nats-server` on the PATH).
    #[arg(long, default_value_t = 1)]
    nodes: usize,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    let limit = Duration::from_secs(args.timeout_secs);
    match tokio::time::timeout(limit, bench(args)).await {
        Ok(result) => result.map(|()| std::process::ExitCode::SUCCESS),
        Err(_) => anyhow::bail!("the benchmark did not finish within its time limit"),
    }
}

async fn bench(args: BenchArgs) -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().join("data"));
    anyhow::ensure!(
        args.nodes == 1 || args.database_url.is_some(),
        "--nodes above 1 needs --database-url: the nodes share one PostgreSQL database"
    );
    let mut storage = server::Storage::default();
    if let Some(url) = &args.database_url {
        storage.env.push(("WARD_DATABASE_URL", url.clone()));
    }
    let _nats = if args.nodes > 1 {
        let nats = server::Nats::start(&temp.path().join("jetstream"))?;
        storage.env.push(("WARD_NATS_URL", nats.url.clone()));
        Some(nats)
    } else {
        None
    };
    let mut servers = Vec::new();
    for _ in 0..args.nodes.max(1) {
        let server = server::Spawned::start(&data_dir, &storage).await?;
        println!(
            "ward bench: server {} (pid {}), data in {}",
            server.url,
            server.pid,
            data_dir.display()
        );
        servers.push(server);
    }
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let org = setup::organisation(&urls, &storage, &data_dir, &args)
        .await
        .context("setting up")?;
    let epoch = Instant::now();
    let devices = Devices::connect(&urls, &org.device_tokens, epoch).await?;
    println!(
        "setup: {} users, {} devices connected, {} groups of {} members, {} node(s) on {}",
        org.users,
        devices.len(),
        org.groups.len(),
        org.group_size,
        servers.len(),
        if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );

    // 1. Throughput, with fan-out measured on the side.
    let (elapsed, ack) = send_many(&org, args.messages, args.concurrency, epoch).await?;
    let throughput = args.messages as f64 / elapsed.as_secs_f64();
    devices
        .wait_for(
            org.expected_deliveries(args.messages),
            Duration::from_secs(30),
        )
        .await;
    let fan_out_full = devices.histogram(Phase::Throughput).await;

    // 2. Fan-out at a fixed rate.
    let (sent, ack_at_rate) = send_at_rate(
        &org,
        args.rate,
        Duration::from_secs(args.rate_seconds),
        epoch,
    )
    .await?;
    devices
        .wait_for(
            org.expected_deliveries(args.messages + sent),
            Duration::from_secs(30),
        )
        .await;
    let fan_out_rate = devices.histogram(Phase::Rate).await;

    // 3. Catch-up of an offline device.
    let catch_up = setup::catch_up(&org, args.catch_up, args.concurrency, epoch).await?;
    let rss: Vec<Option<u64>> = servers.iter().map(server::Spawned::peak_rss_kib).collect();
    devices.close().await;
    for server in servers {
        server.stop();
    }

    println!();
    println!(
        "throughput: {} messages in {:.2} s = {:.0} acknowledged messages/s ({} senders, concurrency {})",
        args.messages,
        elapsed.as_secs_f64(),
        throughput,
        args.senders,
        args.concurrency
    );
    print_histogram("send-to-ack", &ack);
    print_histogram(
        "fan-out at full speed (send to every device)",
        &fan_out_full,
    );
    print_histogram(
        &format!("send-to-ack at {} msgs/s", args.rate),
        &ack_at_rate,
    );
    print_histogram(
        &format!("fan-out at {} msgs/s ({} sent)", args.rate, sent),
        &fan_out_rate,
    );
    println!(
        "catch-up: {} missed messages synced in {:.3} s ({} pages)",
        catch_up.messages,
        catch_up.elapsed.as_secs_f64(),
        catch_up.pages
    );
    for (node, rss) in rss.iter().enumerate() {
        match rss {
            Some(kib) => println!("server {node} peak RSS: {:.1} MiB", *kib as f64 / 1024.0),
            None => println!("server {node} peak RSS: unknown (no /proc)"),
        }
    }
    Ok(())
}

fn print_histogram(label: &str, h: &Histogram<u64>) {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{label}: n={} p50={:.2} ms p99={:.2} ms p999={:.2} ms max={:.2} ms",
        h.len(),
        ms(0.5),
        ms(0.99),
        ms(0.999),
        h.max() as f64 / 1000.0
    );
}

/// A message body carrying its send time (microseconds since `epoch`) and phase.
pub(crate) fn body(phase: Phase, epoch: Instant) -> String {
    format!(
        "b:{}:{} Pt in bed 12 reports chest pain 4/10, BP 138/85, HR 92. Please review the ECG.",
        phase as u8,
        epoch.elapsed().as_micros()
    )
}

fn request(body: String) -> SendMessageRequest {
    SendMessageRequest {
        client_id: uuid::Uuid::new_v4(),
        body,
        priority: None,
        confirm_findings: false,
        attachments: Vec::new(),
        send_at: None,
        lifespan_secs: None,
    }
}

/// Microseconds from 1 µs to 60 s, three significant figures.
pub(crate) fn new_histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

/// Sends `n` messages round-robin from the senders, `concurrency` at a time.
async fn send_many(
    org: &setup::Organisation,
    n: usize,
    concurrency: usize,
    epoch: Instant,
) -> anyhow::Result<(Duration, Histogram<u64>)> {
    let started = Instant::now();
    let latencies: Vec<anyhow::Result<u64>> = stream::iter(0..n)
        .map(|i| {
            let (client, conversation) = org.sender(i);
            async move {
                let t = Instant::now();
                client
                    .send_message(conversation, &request(body(Phase::Throughput, epoch)))
                    .await?;
                Ok(t.elapsed().as_micros() as u64)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let elapsed = started.elapsed();
    let mut h = new_histogram()?;
    for latency in latencies {
        h.record(latency?.max(1))?;
    }
    Ok((elapsed, h))
}

/// Sends at `rate` messages per second for `duration`; returns how many were sent and their
/// send-to-ack latencies.
async fn send_at_rate(
    org: &setup::Organisation,
    rate: u32,
    duration: Duration,
    epoch: Instant,
) -> anyhow::Result<(usize, Histogram<u64>)> {
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    let mut i = 0;
    while Instant::now() < deadline {
        tick.tick().await;
        let (client, conversation): (Arc<Client>, uuid::Uuid) = org.sender_owned(i);
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let req = request(body(Phase::Rate, epoch));
            client
                .send_message(conversation, &req)
                .await
                .map(|_| t.elapsed())
        }));
        i += 1;
    }
    let mut ack = new_histogram()?;
    for task in tasks {
        ack.record((task.await??.as_micros() as u64).max(1))?;
    }
    Ok((i, ack))
}
