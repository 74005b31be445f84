//! The cluster bus: how the nodes of one deployment tell each other what they committed, on
//! NATS JetStream.
//!
//! The event log in the database stays the source of truth. The bus carries notices (see
//! [`notice`]): each committed event's position, recipients and ready frame, frames outside
//! the log (alerts), sessions and users whose devices must be closed, and caches to drop.
//! Every notice is sealed under the cluster key, so NATS never holds PHI in clear.
//!
//! Events and frames are published without waiting (a lost one is read from the log: the hub
//! notices the missing position). Closings and cache drops are published to the stream and
//! confirmed by it before the change's answer goes out; every node reads the stream through an
//! ordered consumer, which resumes where it stopped after a reconnection, so a node that was
//! cut off from NATS for a while still learns of them. Meanwhile the node is degraded
//! (`/readyz` says so) and delivers from the log.

pub mod notice;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::mpsc;
use uuid::Uuid;
use ward_core::Timestamp;
use ward_crypto::keyring::DataKey;
use zeroize::Zeroizing;

pub use notice::{Cache, Notice};
use notice::{Dropped, Envelope, SUBJECT};

/// The JetStream stream that holds the notices.
const STREAM: &str = "WARD_BUS";
/// How long the stream keeps a notice: as long as a notice counts as fresh.
const STREAM_MAX_AGE: Duration = Duration::from_secs(60);
/// How long connecting, creating the stream or confirming a notice may take.
const BUS_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a change waits for the stream to confirm its notice before answering anyway.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(1);
/// Notices waiting to be published; past this, new ones are dropped (and read from the log).
const OUTBOX: usize = 65_536;

/// How to reach NATS.
#[derive(Debug, Clone)]
pub struct BusSettings {
    /// `nats://` or `tls://` address (may hold credentials, so it is kept secret).
    pub url: SecretString,
    /// A NATS credentials file (JWT and NKey seed).
    pub credentials_file: Option<PathBuf>,
    /// A file holding an NKey seed.
    pub nkey_file: Option<PathBuf>,
    /// PEM certificates to trust for the NATS server's TLS certificate.
    pub tls_ca_file: Option<PathBuf>,
    /// Refuse to talk to NATS without TLS.
    pub tls_required: bool,
}

/// Why the bus could not start.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("nats_url (WARD_NATS_URL): cannot connect to NATS: {0}")]
    Connect(String),
    #[error("nats_credentials_file: cannot read it: {0}")]
    Credentials(std::io::Error),
    #[error("nats_nkey_file: cannot read it: {0}")]
    NKey(std::io::Error),
    #[error("nats_url (WARD_NATS_URL): NATS answered but JetStream refused the stream: {0}")]
    Stream(String),
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DropLabels {
    reason: &'static str,
}

/// What the bus counts, for `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct BusCounters {
    sent: Counter,
    received: Counter,
    failed: Counter,
    dropped: Family<DropLabels, Counter>,
}

impl BusCounters {
    /// Registers the counters under `registry`.
    pub fn register(&self, registry: &mut prometheus_client::registry::Registry) {
        registry.register(
            "bus_notices_sent",
            "Notices this node published on the cluster bus",
            self.sent.clone(),
        );
        registry.register(
            "bus_notices_received",
            "Notices from other nodes applied",
            self.received.clone(),
        );
        registry.register(
            "bus_publish_failures",
            "Notices NATS did not take or confirm",
            self.failed.clone(),
        );
        registry.register(
            "bus_notices_dropped",
            "Bus messages dropped: unauthentic, undecodable or stale",
            self.dropped.clone(),
        );
    }
}

/// This node's name on the bus and the key its notices are sealed with.
#[derive(Clone)]
struct Sealer {
    node: Uuid,
    key: Arc<DataKey>,
}

impl Sealer {
    fn seal(&self, notice: Notice) -> Option<bytes::Bytes> {
        let envelope = Envelope {
            node: self.node,
            sent_at: Timestamp::now().as_micros(),
            notice,
        };
        match notice::seal(&self.key, &envelope) {
            Ok(sealed) => Some(sealed.into()),
            Err(e) => {
                tracing::error!(error = %e, "sealing a bus notice failed");
                None
            }
        }
    }
}

/// This node's connection to the cluster bus. Cheap to clone.
#[derive(Clone)]
pub struct Bus {
    sealer: Sealer,
    client: async_nats::Client,
    jetstream: jetstream::Context,
    counters: BusCounters,
    /// Notices [`Bus::send`] queued for the publishing task.
    outbox: mpsc::Sender<Notice>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("node", &self.sealer.node)
            .finish()
    }
}

impl Bus {
    /// Connects to NATS and makes sure the stream exists. Fails with a message naming the
    /// setting at fault (never the address, which may hold a password).
    pub async fn connect(
        settings: &BusSettings,
        key: DataKey,
        counters: BusCounters,
    ) -> Result<Self, BusError> {
        let node = Uuid::new_v4();
        let mut options = async_nats::ConnectOptions::new()
            .name(format!("ward node {node}"))
            .connection_timeout(BUS_TIMEOUT)
            .require_tls(settings.tls_required)
            .event_callback(|event| async move {
                match event {
                    async_nats::Event::Connected => tracing::info!("cluster bus connected"),
                    async_nats::Event::Disconnected => {
                        tracing::warn!("cluster bus disconnected; delivering from the log");
                    }
                    other => tracing::debug!(event = %other, "cluster bus"),
                }
            });
        if let Some(path) = &settings.credentials_file {
            options = options
                .credentials_file(path)
                .await
                .map_err(BusError::Credentials)?;
        }
        if let Some(path) = &settings.nkey_file {
            let seed = Zeroizing::new(std::fs::read_to_string(path).map_err(BusError::NKey)?);
            options = options.nkey(seed.trim().to_owned());
        }
        if let Some(path) = &settings.tls_ca_file {
            options = options.add_root_certificates(path.clone());
        }
        let client = options
            .connect(settings.url.expose_secret())
            .await
            .map_err(|e| BusError::Connect(e.to_string()))?;
        let jetstream = jetstream::new(client.clone());
        let config = stream::Config {
            name: STREAM.into(),
            subjects: vec!["ward.bus.>".into()],
            max_age: STREAM_MAX_AGE,
            storage: stream::StorageType::File,
            ..Default::default()
        };
        tokio::time::timeout(BUS_TIMEOUT, jetstream.get_or_create_stream(config))
            .await
            .map_err(|_| BusError::Stream("no answer".into()))?
            .map_err(|e| BusError::Stream(e.to_string()))?;
        let sealer = Sealer {
            node,
            key: Arc::new(key),
        };
        let (outbox, queued) = mpsc::channel(OUTBOX);
        tokio::spawn(publish_queued(
            sealer.clone(),
            client.clone(),
            counters.clone(),
            queued,
        ));
        Ok(Self {
            sealer,
            client,
            jetstream,
            counters,
            outbox,
        })
    }

    /// Whether NATS is reachable now (if not, the node is degraded and delivers from the log).
    pub fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// Queues a notice for publishing, without waiting: a lost one is read from the log.
    pub fn send(&self, notice: Notice) {
        if self.outbox.try_send(notice).is_err() {
            self.counters.failed.inc();
        }
    }

    /// Publishes a notice and waits (up to a second) until the stream has it, so every node
    /// reads it even if it is cut off from NATS right now. A notice the stream did not confirm
    /// is counted and logged; the change it tells of stands.
    pub async fn confirm(&self, notice: Notice) {
        let Some(payload) = self.sealer.seal(notice) else {
            return;
        };
        let published = async {
            self.jetstream
                .publish(SUBJECT, payload)
                .await
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(CONFIRM_TIMEOUT, published).await {
            Ok(Ok(_)) => {
                self.counters.sent.inc();
            }
            Ok(Err(e)) => {
                self.counters.failed.inc();
                tracing::warn!(error = %e, "the cluster bus did not confirm a notice");
            }
            Err(_) => {
                self.counters.failed.inc();
                tracing::warn!("the cluster bus did not confirm a notice in time");
            }
        }
    }

    /// Reads other nodes' notices until `stop` is set, handing each to `apply`. Reconnects
    /// (and recreates its consumer) by itself.
    pub async fn follow(
        &self,
        apply: impl Fn(Notice) + Send + Sync,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut backoff = Duration::from_millis(100);
        while !*stop.borrow() {
            let consumed = tokio::select! {
                _ = stop.changed() => break,
                consumed = self.consume(&apply) => consumed,
            };
            if let Err(e) = consumed {
                tracing::warn!(error = %e, "reading the cluster bus failed; retrying");
            }
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    /// Reads the stream through an ordered consumer of new notices, until it ends.
    async fn consume(&self, apply: &(impl Fn(Notice) + Send + Sync)) -> Result<(), String> {
        let stream = self
            .jetstream
            .get_stream(STREAM)
            .await
            .map_err(|e| e.to_string())?;
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                deliver_policy: consumer::DeliverPolicy::New,
                ..Default::default()
            })
            .await
            .map_err(|e| e.to_string())?;
        let mut messages = consumer.messages().await.map_err(|e| e.to_string())?;
        while let Some(message) = messages.next().await {
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    // Missed heartbeats while NATS is away: the consumer recreates itself.
                    tracing::debug!(error = %e, "cluster bus consumer");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            match notice::open(&self.sealer.key, &message.payload, Timestamp::now()) {
                Ok(envelope) if envelope.node == self.sealer.node => {}
                Ok(envelope) => {
                    self.counters.received.inc();
                    apply(envelope.notice);
                }
                Err(reason) => self.dropped(reason),
            }
        }
        Err("the consumer ended".into())
    }

    fn dropped(&self, reason: Dropped) {
        self.counters
            .dropped
            .get_or_create(&DropLabels {
                reason: reason.as_str(),
            })
            .inc();
        // Never the content: it may be anything.
        tracing::warn!(
            reason = reason.as_str(),
            "dropped a cluster bus message; reading the log instead"
        );
    }
}

/// Publishes queued notices in order, until the bus is dropped.
async fn publish_queued(
    sealer: Sealer,
    client: async_nats::Client,
    counters: BusCounters,
    mut queued: mpsc::Receiver<Notice>,
) {
    while let Some(notice) = queued.recv().await {
        let Some(payload) = sealer.seal(notice) else {
            continue;
        };
        match client.publish(SUBJECT, payload).await {
            Ok(()) => counters.sent.inc(),
            Err(_) => counters.failed.inc(),
        };
    }
}
