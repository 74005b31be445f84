//! `ward bench idle`: N devices connected and doing nothing (the server pings them; they
//! answer). Reports the server's resident memory before and after they connect, per device.
//!
//! The devices share a few sessions (`--sessions`): a sign-in costs a password hash, and a
//! session's own state on the server is one cache entry; what a connected device costs is its
//! socket, its task and its queue, which every device here has.

use std::time::{Duration, Instant};

use anyhow::Context;
use futures::stream::{self, StreamExt, TryStreamExt};
use tokio::sync::watch;
use ward_client::realtime::Realtime;
use ward_proto::realtime::ServerFrame;

use super::server::Deployment;
use super::{DeploymentArgs, setup};

/// Options of `ward bench idle`.
#[derive(Debug, Clone, clap::Args)]
pub struct IdleArgs {
    /// Connected devices.
    #[arg(long, default_value_t = 1_000)]
    devices: usize,
    /// Sessions the devices share (one user each).
    #[arg(long, default_value_t = 100)]
    sessions: usize,
    /// Seconds the devices stay connected and idle before the memory is read.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// Devices connecting at once.
const CONNECTING: usize = 64;

pub async fn run(args: &IdleArgs, deployment_args: &DeploymentArgs) -> anyhow::Result<()> {
    let sessions = args.sessions.clamp(1, args.devices.max(1));
    let room = (args.devices + 256).to_string();
    let deployment = Deployment::start(deployment_args, &[("WARD_MAX_CONNECTIONS", room)]).await?;
    let urls = deployment.urls();
    let nodes = setup::clients(&urls)?;
    let admin = setup::admin(&nodes[0], &deployment.storage, &deployment.data_dir)
        .await
        .context("setting up")?;
    let names: Vec<String> = (0..sessions).map(|i| format!("bench.idle{i}")).collect();
    setup::create_users(&admin, &names).await?;
    let nodes = &nodes;
    let tokens: Vec<String> = stream::iter(names.iter().enumerate())
        .map(|(i, name)| async move {
            let client = nodes[i % nodes.len()]
                .sign_in(name, setup::PASSWORD, "idle")
                .await?;
            client.token().map(str::to_owned).context("a session token")
        })
        .buffered(4)
        .try_collect()
        .await?;
    // The server settles after the sign-ins before its memory is read.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_mib(&deployment);

    let cpu = super::cpu_now(&deployment);
    let started = Instant::now();
    let (stop, stopped) = watch::channel(false);
    let (urls, tokens) = (&urls, &tokens);
    let devices: Vec<_> = stream::iter(0..args.devices)
        .map(|i| {
            let stopped = stopped.clone();
            async move {
                let url = &urls[i % urls.len()];
                let mut socket = Realtime::connect(url, &tokens[i % tokens.len()], None).await?;
                match socket.next().await {
                    Some(Ok(ServerFrame::Hello { .. })) => {}
                    other => anyhow::bail!("device {i}: expected hello, got {other:?}"),
                }
                Ok::<_, anyhow::Error>(tokio::spawn(idle(socket, stopped)))
            }
        })
        .buffer_unordered(CONNECTING)
        .try_collect()
        .await?;
    let connected = started.elapsed();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    let after = rss_mib(&deployment);
    let still = devices.iter().filter(|d| !d.is_finished()).count();
    let cpu = super::cpu_line(cpu, &deployment, started.elapsed());
    let _ = stop.send(true);
    for device in devices {
        let _ = device.await;
    }

    println!();
    println!(
        "idle: {} devices over {sessions} sessions connected in {:.2} s, {still} still connected after {} s; {}",
        args.devices,
        connected.as_secs_f64(),
        args.seconds,
        deployment.describe(deployment_args),
    );
    println!(
        "server RSS: {before:.1} MiB before, {after:.1} MiB with the devices, {:.1} KiB per device",
        (after - before) * 1024.0 / args.devices.max(1) as f64
    );
    println!("{cpu} (connecting and idle)");
    deployment.print_peak_rss();
    deployment.stop();
    anyhow::ensure!(
        still == args.devices,
        "{} devices were disconnected while idle",
        args.devices - still
    );
    Ok(())
}

/// Reads (and so answers the server's pings) until told to stop.
async fn idle(mut socket: Realtime, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            frame = socket.next_text() => if !matches!(frame, Some(Ok(_))) { return },
            _ = stop.changed() => {
                socket.close().await;
                return;
            }
        }
    }
}

/// The resident memory of every node together, in MiB.
fn rss_mib(deployment: &Deployment) -> f64 {
    let kib: u64 = deployment
        .servers
        .iter()
        .filter_map(super::server::Spawned::rss_kib)
        .sum();
    kib as f64 / 1024.0
}
