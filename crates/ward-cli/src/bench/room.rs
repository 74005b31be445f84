//! `ward bench room`: one conversation of M members, every member connected with one device,
//! S of them sending with K sends in flight (or at a fixed rate). Every member's device times
//! every message from its send to its arrival and counts what is missing or came twice.
//!
//! The devices read frames as text and look only for the fields they need (no JSON decoding of
//! whole frames), so the benchmark stays cheaper than the server it measures; it reports its
//! own CPU to show it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::stream::{self, StreamExt, TryStreamExt};
use hdrhistogram::Histogram;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use ward_client::Client;
use ward_client::realtime::Realtime;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};

use super::server::Deployment;
use super::{DeploymentArgs, new_histogram, print_histogram, request, send_in_flight, setup};

/// Options of `ward bench room`.
#[derive(Debug, Clone, clap::Args)]
pub struct RoomArgs {
    /// Members of the conversation, each connected with one device.
    #[arg(long, default_value_t = 50)]
    members: usize,
    /// Members who send (round-robin).
    #[arg(long, default_value_t = 50)]
    senders: usize,
    /// Sends in flight at once (without `--rate`).
    #[arg(long, default_value_t = 16)]
    in_flight: usize,
    /// Messages to send.
    #[arg(long, default_value_t = 5_000)]
    messages: usize,
    /// Send at this many messages per second instead of as fast as they are acknowledged.
    #[arg(long)]
    rate: Option<u32>,
}

/// Acknowledge after this many frames, as a client that reads along does.
const ACK_EVERY: usize = 100;
/// How long the devices may take to receive everything after the last send.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);

pub async fn run(args: &RoomArgs, deployment_args: &DeploymentArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.members >= 2, "a room needs at least two members");
    let senders = args.senders.clamp(1, args.members);
    let deployment = Deployment::start(deployment_args, &[]).await?;
    let urls = deployment.urls();
    let (members, ids) = members(&deployment, &urls, args.members)
        .await
        .context("setting up")?;
    let conversation = members[0]
        .create_conversation(&CreateConversationRequest {
            kind: ConversationKind::Group,
            title: Some("bench room".into()),
            member_ids: ids[1..].to_vec(),
            patient_id: None,
        })
        .await?
        .id;

    let epoch = Instant::now();
    let tally = Arc::new(Tally::default());
    let (stop, stopped) = watch::channel(false);
    let mut devices = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let token = member.token().context("signed in")?;
        let socket = Realtime::connect(&urls[i % urls.len()], token, None).await?;
        devices.push(tokio::spawn(read_device(
            socket,
            args.messages,
            epoch,
            Arc::clone(&tally),
            stopped.clone(),
        )));
    }
    println!(
        "setup: one conversation of {} members, {} devices connected, {} senders, {}",
        args.members,
        devices.len(),
        senders,
        deployment.describe(deployment_args),
    );

    let cpu = super::cpu_now(&deployment);
    let batches = deployment.write_batches().await?;
    let started = epoch.elapsed();
    let senders: Vec<Arc<Client>> = members.into_iter().take(senders).map(Arc::new).collect();
    let (send_time, ack) = match args.rate {
        None => {
            send_in_flight(args.messages, args.in_flight, |i| {
                send_one(senders[i % senders.len()].as_ref(), conversation, i, epoch)
            })
            .await?
        }
        Some(rate) => send_at_rate(&senders, conversation, args.messages, rate, epoch).await?,
    };
    let expected = args.messages * devices.len();
    let deadline = Instant::now() + DRAIN_LIMIT;
    while tally.delivered.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A little longer, for duplicates to show.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let wall = epoch.elapsed() - started;
    let _ = stop.send(true);
    let report = gather(devices).await?;
    let cpu = super::cpu_line(cpu, &deployment, wall);
    let grouping = super::group_commit_line(batches, &deployment).await?;

    let delivered = tally.delivered.load(Ordering::Relaxed);
    let last = Duration::from_micros(tally.last_delivery_us.load(Ordering::Relaxed));
    let delivering = last.saturating_sub(started).as_secs_f64().max(f64::EPSILON);
    println!();
    match args.rate {
        None => println!(
            "throughput: {} messages in {:.2} s = {:.0} acknowledged messages/s ({} in flight)",
            args.messages,
            send_time.as_secs_f64(),
            args.messages as f64 / send_time.as_secs_f64(),
            args.in_flight
        ),
        Some(rate) => println!(
            "rate: {} messages at {rate} messages/s in {:.2} s",
            args.messages,
            send_time.as_secs_f64()
        ),
    }
    println!(
        "{:.0} deliveries/s ({delivered} of {expected} in {delivering:.2} s from the first send to the last delivery)",
        delivered as f64 / delivering
    );
    println!("{cpu}");
    println!("{grouping}");
    print_histogram("send-to-ack", &ack);
    print_histogram("delivery (send to each member's device)", &report.latency);
    println!(
        "missing: {}, duplicates: {}",
        report.missing, report.duplicates
    );
    deployment.print_peak_rss();
    deployment.stop();
    anyhow::ensure!(
        report.missing == 0 && report.duplicates == 0,
        "{} deliveries missing and {} duplicated",
        report.missing,
        report.duplicates
    );
    Ok(())
}

/// Creates the members and signs each in, on the nodes in turn; their sessions and ids.
async fn members(
    deployment: &Deployment,
    urls: &[String],
    count: usize,
) -> anyhow::Result<(Vec<Client>, Vec<uuid::Uuid>)> {
    let nodes = setup::clients(urls)?;
    let admin = setup::admin(&nodes[0], &deployment.storage, &deployment.data_dir).await?;
    let names: Vec<String> = (0..count).map(|i| format!("bench.member{i}")).collect();
    let ids = setup::create_users(&admin, &names).await?;
    let nodes = &nodes;
    let sessions = stream::iter(names.iter().enumerate())
        .map(|(i, name)| async move {
            let node = &nodes[i % nodes.len()];
            Ok::<_, anyhow::Error>(node.sign_in(name, setup::PASSWORD, "room").await?)
        })
        .buffered(4)
        .try_collect()
        .await?;
    Ok((sessions, ids))
}

/// A message's body: its send time (microseconds since `epoch`) and its index.
fn body(index: usize, epoch: Instant) -> String {
    format!(
        "r:{}:{index} Pt in bed 12 reports chest pain 4/10, BP 138/85, HR 92. Please review the ECG.",
        epoch.elapsed().as_micros()
    )
}

async fn send_one(
    sender: &Client,
    conversation: uuid::Uuid,
    index: usize,
    epoch: Instant,
) -> anyhow::Result<()> {
    sender
        .send_message(conversation, &request(body(index, epoch)))
        .await?;
    Ok(())
}

/// Sends `n` messages at `rate` per second.
async fn send_at_rate(
    senders: &[Arc<Client>],
    conversation: uuid::Uuid,
    n: usize,
    rate: u32,
    epoch: Instant,
) -> anyhow::Result<(Duration, Histogram<u64>)> {
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        tick.tick().await;
        let sender = Arc::clone(&senders[i % senders.len()]);
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            send_one(&sender, conversation, i, epoch).await?;
            Ok::<_, anyhow::Error>((t.elapsed().as_micros() as u64).max(1))
        }));
    }
    let mut h = new_histogram()?;
    for task in tasks {
        h.record(task.await??)?;
    }
    Ok((started.elapsed(), h))
}

/// What every device counted, shared while they run.
#[derive(Debug, Default)]
struct Tally {
    /// First deliveries (a message on a device), over every device.
    delivered: AtomicUsize,
    /// When the latest first delivery arrived, in microseconds since the epoch.
    last_delivery_us: AtomicU64,
}

/// What one device saw.
struct Seen {
    latency: Histogram<u64>,
    /// How often each message arrived.
    counts: Vec<u8>,
}

/// Reads one device's frames until told to stop.
async fn read_device(
    mut socket: Realtime,
    messages: usize,
    epoch: Instant,
    tally: Arc<Tally>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Seen> {
    let mut seen = Seen {
        latency: new_histogram()?,
        counts: vec![0; messages],
    };
    let mut since_ack = 0;
    loop {
        let text = tokio::select! {
            frame = socket.next_text() => match frame {
                Some(Ok(text)) => text,
                _ => break,
            },
            _ = stop.changed() => break,
        };
        let Some(created) = Created::parse(text.as_str()) else {
            continue;
        };
        let now = epoch.elapsed().as_micros() as u64;
        let Some(count) = seen.counts.get_mut(created.index) else {
            continue;
        };
        *count = count.saturating_add(1);
        if *count == 1 {
            seen.latency
                .record(now.saturating_sub(created.sent).max(1))?;
            tally.delivered.fetch_add(1, Ordering::Relaxed);
            tally.last_delivery_us.fetch_max(now, Ordering::Relaxed);
        }
        since_ack += 1;
        if since_ack >= ACK_EVERY {
            since_ack = 0;
            let cursor = created.cursor.to_owned();
            socket.ack(&cursor).await?;
        }
    }
    Ok(seen)
}

/// The fields of a `message.created` frame the room needs, found in its text.
struct Created<'a> {
    cursor: &'a str,
    sent: u64,
    index: usize,
}

impl<'a> Created<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        if !text.contains(r#""type":"message.created""#) {
            return None;
        }
        let cursor = text.split_once(r#""cursor":""#)?.1.split('"').next()?;
        let body = text.split_once(r#""body":"r:"#)?.1;
        let mut parts = body.split([':', ' ']);
        let sent = parts.next()?.parse().ok()?;
        let index = parts.next()?.parse().ok()?;
        Some(Self {
            cursor,
            sent,
            index,
        })
    }
}

/// Every device's latencies, and what was missing or came twice.
struct Report {
    latency: Histogram<u64>,
    missing: usize,
    duplicates: usize,
}

async fn gather(devices: Vec<JoinHandle<anyhow::Result<Seen>>>) -> anyhow::Result<Report> {
    let mut report = Report {
        latency: new_histogram()?,
        missing: 0,
        duplicates: 0,
    };
    for device in devices {
        let seen = device.await??;
        report.latency.add(&seen.latency)?;
        for count in seen.counts {
            match count {
                0 => report.missing += 1,
                n => report.duplicates += usize::from(n - 1),
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::Created;

    #[test]
    fn a_created_frame_gives_its_cursor_send_time_and_index() {
        let text = r#"{"type":"message.created","cursor":"c-42","message":{"id":"x","body":"r:1234:7 Pt in bed 12"}}"#;
        let created = Created::parse(text).expect("parsed");
        assert_eq!(
            (created.cursor, created.sent, created.index),
            ("c-42", 1234, 7)
        );
        assert!(Created::parse(r#"{"type":"receipt.updated","cursor":"c"}"#).is_none());
        assert!(
            Created::parse(r#"{"type":"message.created","cursor":"c","message":{"body":"hello"}}"#)
                .is_none()
        );
    }
}
