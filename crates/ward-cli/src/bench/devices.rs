//! The connected devices: each reads its WebSocket, measures send-to-delivery latency from the
//! time in the message body, and acknowledges what it received.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use ward_client::realtime::Realtime;
use ward_proto::realtime::ServerFrame;

/// Which part of the benchmark a message belongs to (written into its body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Throughput = 0,
    Rate = 1,
    CatchUp = 2,
}

/// Acknowledge after this many frames.
const ACK_EVERY: usize = 100;
/// How often a device hands its measurements over.
const FLUSH_EVERY: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub struct Devices {
    tasks: Vec<JoinHandle<()>>,
    received: Arc<AtomicUsize>,
    histograms: Arc<Mutex<[Histogram<u64>; 3]>>,
}

impl Devices {
    /// Connects device `i` to node `i` modulo the number of nodes.
    pub async fn connect(
        urls: &[String],
        tokens: &[String],
        epoch: Instant,
    ) -> anyhow::Result<Self> {
        let received = Arc::new(AtomicUsize::new(0));
        let histograms = Arc::new(Mutex::new([
            super::new_histogram()?,
            super::new_histogram()?,
            super::new_histogram()?,
        ]));
        let mut tasks = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            let mut rt = Realtime::connect(&urls[i % urls.len()], token, None).await?;
            let (received, histograms) = (Arc::clone(&received), Arc::clone(&histograms));
            tasks.push(tokio::spawn(async move {
                let mut local = [Vec::new(), Vec::new(), Vec::new()];
                let mut since_ack = 0;
                let mut flushed = Instant::now();
                loop {
                    // Hand over what was measured at least every FLUSH_EVERY, busy or quiet.
                    if flushed.elapsed() >= FLUSH_EVERY {
                        flush(&histograms, &mut local).await;
                        flushed = Instant::now();
                    }
                    let frame = match tokio::time::timeout(FLUSH_EVERY, rt.next()).await {
                        Ok(Some(Ok(frame))) => frame,
                        Ok(_) => break,
                        Err(_) => continue,
                    };
                    let ServerFrame::MessageCreated { cursor, message } = frame else {
                        continue;
                    };
                    let now = epoch.elapsed().as_micros() as u64;
                    if let Some((phase, sent)) = parse(&message.body) {
                        local[phase].push(now.saturating_sub(sent).max(1));
                    }
                    received.fetch_add(1, Ordering::Relaxed);
                    since_ack += 1;
                    if since_ack >= ACK_EVERY {
                        since_ack = 0;
                        let _ = rt.ack(&cursor).await;
                    }
                }
                flush(&histograms, &mut local).await;
            }));
        }
        Ok(Self {
            tasks,
            received,
            histograms,
        })
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Waits (bounded) until `n` messages have been delivered in all.
    pub async fn wait_for(&self, n: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.received.load(Ordering::Relaxed) < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Let devices hand over what they measured.
        tokio::time::sleep(FLUSH_EVERY * 3).await;
    }

    /// Send-to-delivery latencies of one phase, over every device.
    pub async fn histogram(&self, phase: Phase) -> Histogram<u64> {
        self.histograms.lock().await[phase as usize].clone()
    }

    pub async fn close(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

fn parse(body: &str) -> Option<(usize, u64)> {
    let mut parts = body.strip_prefix("b:")?.split([':', ' ']);
    let phase = parts.next()?.parse::<usize>().ok().filter(|p| *p < 3)?;
    let sent = parts.next()?.parse().ok()?;
    Some((phase, sent))
}

async fn flush(histograms: &Mutex<[Histogram<u64>; 3]>, local: &mut [Vec<u64>; 3]) {
    let mut h = histograms.lock().await;
    for (phase, values) in local.iter_mut().enumerate() {
        for v in values.drain(..) {
            let _ = h[phase].record(v);
        }
    }
}
