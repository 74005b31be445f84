//! `ward bench`: a load generator over the real API. It starts a `ward serve` of its own on a
//! fresh data directory (or, with `--database-url` and `--nodes N`, N nodes on an empty
//! PostgreSQL database and a NATS server of its own, with senders and devices spread over
//! them), creates an organisation over HTTP, connects devices over WebSocket, and measures from
//! the client's side. Scenarios:
//!
//! - the default (`groups`): senders each into a small group of their own; throughput and
//!   send-to-ack latency, fan-out at full speed and at a fixed rate, catch-up of an offline
//!   device, the server's peak memory;
//! - `room`: one conversation of M members, all connected; deliveries per second and the
//!   delivery latency of every message on every member's device, with missing and duplicates;
//! - `idle`: N connected devices doing nothing; the server's memory per device.
//!
//! Every scenario reports the benchmark's own CPU beside the servers': a saturated client
//! measures itself. Everything is bounded in count and time; it stops by itself.

mod devices;
mod groups;
mod idle;
mod room;
mod server;
mod setup;

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use ward_proto::messaging::SendMessageRequest;

use devices::Phase;

/// Options of `ward bench`.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    scenario: Option<Scenario>,
    /// The default scenario's options.
    #[command(flatten)]
    groups: groups::GroupsArgs,
    #[command(flatten)]
    deployment: DeploymentArgs,
}

/// The scenarios besides the default one.
#[derive(Debug, Clone, clap::Subcommand)]
enum Scenario {
    /// One conversation of many members, every member connected.
    Room(room::RoomArgs),
    /// Connected devices doing nothing: the server's memory per device.
    Idle(idle::IdleArgs),
}

/// Where the benchmark runs Ward (any scenario).
#[derive(Debug, Clone, clap::Args)]
pub struct DeploymentArgs {
    /// Keep the server's data here instead of a temporary directory.
    #[arg(long, global = true)]
    data_dir: Option<std::path::PathBuf>,
    /// Give up after this many seconds.
    #[arg(long, global = true, default_value_t = 300)]
    timeout_secs: u64,
    /// An empty PostgreSQL database to run on instead of embedded SQLite.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Nodes to run (more than one needs `--database-url`; they share a NATS JetStream server
    /// the benchmark starts, from `nats-server` on the PATH).
    #[arg(long, global = true, default_value_t = 1)]
    nodes: usize,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    let limit = Duration::from_secs(args.deployment.timeout_secs);
    let scenario = async {
        match &args.scenario {
            None => groups::run(&args.groups, &args.deployment).await,
            Some(Scenario::Room(room)) => room::run(room, &args.deployment).await,
            Some(Scenario::Idle(idle)) => idle::run(idle, &args.deployment).await,
        }
    };
    match tokio::time::timeout(limit, scenario).await {
        Ok(result) => result.map(|()| std::process::ExitCode::SUCCESS),
        Err(_) => anyhow::bail!("the benchmark did not finish within its time limit"),
    }
}

/// The CPU the benchmark itself and the servers used since `before` (taken by [`cpu_now`]),
/// over `wall`: a client near a full core measures itself, not Ward.
pub(crate) fn cpu_line(
    before: (Option<f64>, f64),
    deployment: &server::Deployment,
    wall: Duration,
) -> String {
    let client = server::cpu_seconds("self")
        .zip(before.0)
        .map(|(now, then)| now - then);
    let servers = deployment.cpu_seconds() - before.1;
    let wall = wall.as_secs_f64().max(f64::EPSILON);
    match client {
        Some(client) => format!(
            "cpu: benchmark {client:.2} s ({:.0}% of a core), servers {servers:.2} s ({:.0}% of a core), over {wall:.2} s",
            100.0 * client / wall,
            100.0 * servers / wall
        ),
        None => "cpu: unknown (no /proc)".into(),
    }
}

/// How the writes since `before` (from [`server::Deployment::write_batches`]) were grouped.
pub(crate) async fn group_commit_line(
    before: (u64, u64),
    deployment: &server::Deployment,
) -> anyhow::Result<String> {
    let now = deployment.write_batches().await?;
    let (batches, writes) = (now.0 - before.0, now.1 - before.1);
    Ok(format!(
        "group commit: {writes} writes in {batches} transactions ({:.1} a transaction)",
        writes as f64 / batches.max(1) as f64
    ))
}

/// CPU seconds so far of the benchmark and of the servers, for [`cpu_line`].
pub(crate) fn cpu_now(deployment: &server::Deployment) -> (Option<f64>, f64) {
    (server::cpu_seconds("self"), deployment.cpu_seconds())
}

pub(crate) fn print_histogram(label: &str, h: &Histogram<u64>) {
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

pub(crate) fn request(body: String) -> SendMessageRequest {
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

/// Runs `send(i)` for every `i` below `n`, `in_flight` at a time: how long they took, and each
/// send's latency (send to acknowledgement).
pub(crate) async fn send_in_flight<F, Fut>(
    n: usize,
    in_flight: usize,
    send: F,
) -> anyhow::Result<(Duration, Histogram<u64>)>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    use futures::stream::{self, StreamExt, TryStreamExt};
    let started = Instant::now();
    let send = &send;
    let latencies: Vec<u64> = stream::iter(0..n)
        .map(|i| async move {
            let t = Instant::now();
            send(i).await?;
            Ok::<_, anyhow::Error>((t.elapsed().as_micros() as u64).max(1))
        })
        .buffer_unordered(in_flight.max(1))
        .try_collect()
        .await?;
    let elapsed = started.elapsed();
    let mut h = new_histogram()?;
    for latency in latencies {
        h.record(latency)?;
    }
    Ok((elapsed, h))
}
