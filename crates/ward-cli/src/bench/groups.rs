//! The default scenario: senders each into a small group of their own. Throughput and
//! send-to-ack latency, fan-out at full speed and at a fixed rate, catch-up of an offline
//! device, and the server's peak memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use ward_client::Client;

use super::devices::{Devices, Phase};
use super::server::Deployment;
use super::{DeploymentArgs, body, new_histogram, print_histogram, request, send_in_flight, setup};

/// Options of the default scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct GroupsArgs {
    /// Devices connected over WebSocket (two per user).
    #[arg(long, default_value_t = 100)]
    pub devices: usize,
    /// Users sending; each sends into its own group of members.
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
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
}

pub async fn run(args: &GroupsArgs, deployment_args: &DeploymentArgs) -> anyhow::Result<()> {
    let deployment = Deployment::start(deployment_args, &[]).await?;
    let urls = deployment.urls();
    let org = setup::organisation(&urls, &deployment.storage, &deployment.data_dir, args)
        .await
        .context("setting up")?;
    let epoch = Instant::now();
    let devices = Devices::connect(&urls, &org.device_tokens, epoch).await?;
    println!(
        "setup: {} users, {} devices connected, {} groups of {} members, {}",
        org.users,
        devices.len(),
        org.groups.len(),
        org.group_size,
        deployment.describe(deployment_args),
    );
    let cpu = super::cpu_now(&deployment);
    let batches = deployment.write_batches().await?;
    let started = Instant::now();
    // 1. Throughput, with fan-out measured on the side.
    let (elapsed, ack) = send_in_flight(args.messages, args.concurrency, |i| {
        let (client, conversation) = org.sender(i);
        async move {
            let req = request(body(Phase::Throughput, epoch));
            client.send_message(conversation, &req).await?;
            Ok(())
        }
    })
    .await?;
    let throughput = args.messages as f64 / elapsed.as_secs_f64();
    devices
        .wait_for(
            org.expected_deliveries(args.messages),
            Duration::from_secs(30),
        )
        .await;
    let fan_out_full = devices.histogram(Phase::Throughput).await;
    let throughput_cpu = super::cpu_line(cpu, &deployment, started.elapsed());
    let grouping = super::group_commit_line(batches, &deployment).await?;

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
    devices.close().await;

    println!();
    println!(
        "throughput: {} messages in {:.2} s = {:.0} acknowledged messages/s ({} senders, concurrency {})",
        args.messages,
        elapsed.as_secs_f64(),
        throughput,
        args.senders,
        args.concurrency
    );
    println!("{throughput_cpu} (throughput phase)");
    println!("{grouping} (throughput phase)");
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
    deployment.print_peak_rss();
    deployment.stop();
    Ok(())
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
