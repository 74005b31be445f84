//! Prometheus metrics, one registry per server instance (no globals).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route template (`/api/v1/users/{id}`), never the concrete path.
    route: String,
    status: u16,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histogram,
    pub login_failures: Counter,
    /// New messages accepted (retries of a known client id are not counted).
    pub messages_sent: Counter,
    /// Devices connected over WebSocket, read from the hub at each scrape.
    pub realtime_devices: Gauge,
    /// Event positions live delivery read from the log (their notice missed or late).
    pub live_log_positions: Counter,
    /// What the cluster bus sent, received and dropped.
    pub bus: crate::cluster::BusCounters,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ward");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let login_failures = Counter::default();
        let messages_sent = Counter::default();
        let realtime_devices = Gauge::default();
        let live_log_positions = Counter::default();
        let bus = crate::cluster::BusCounters::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register("login_failures", "Failed sign-ins", login_failures.clone());
        registry.register("messages_sent", "Messages accepted", messages_sent.clone());
        registry.register(
            "realtime_devices",
            "Devices connected over WebSocket",
            realtime_devices.clone(),
        );
        registry.register(
            "live_log_positions",
            "Event positions live delivery read from the log instead of a notice",
            live_log_positions.clone(),
        );
        bus.register(&mut registry);
        Self {
            registry,
            requests,
            latency,
            login_failures,
            messages_sent,
            realtime_devices,
            live_log_positions,
            bus,
        }
    }
}

impl Metrics {
    /// Also reports, at each scrape, how the store's writer groups writes into transactions.
    pub fn with_store_writes(mut self, stats: Arc<ward_store::WriteStats>) -> Self {
        self.registry
            .register_collector(Box::new(StoreWrites(stats)));
        self
    }

    /// Also reports, at each scrape, what the notifier sent, suppressed and gave up.
    pub fn with_notifications(mut self, stats: Arc<crate::services::NotifyStats>) -> Self {
        self.registry
            .register_collector(Box::new(Notifications(stats)));
        self
    }

    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Middleware counting requests by route template and status.
pub async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    metrics.latency.observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `ward_store_write_batches_total` and `ward_store_writes_total`, read from the store's
/// writer: their ratio is the average group commit.
#[derive(Debug)]
struct StoreWrites(Arc<ward_store::WriteStats>);

impl Collector for StoreWrites {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counts = [
            (
                "store_write_batches",
                "Transactions the store's writer committed, each with a batch of queued writes",
                self.0.batches(),
            ),
            (
                "store_writes",
                "Writes the store's writer ran in those transactions",
                self.0.writes(),
            ),
        ];
        for (name, help, value) in counts {
            let counter = ConstCounter::new(value);
            let metric = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
            counter.encode(metric)?;
        }
        Ok(())
    }
}

/// `ward_notifications_*_total`: what the notifier did with the notifications it owed.
#[derive(Debug)]
struct Notifications(Arc<crate::services::NotifyStats>);

impl Collector for Notifications {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = &self.0;
        let counts = [
            (
                "notifications_sent",
                "Notifications a push service accepted",
                s.sent(),
            ),
            (
                "notifications_failed",
                "Notifications given up after their retries or with no device to take them",
                s.failed(),
            ),
            (
                "notifications_suppressed",
                "Notifications not sent because the message was read first",
                s.suppressed(),
            ),
            (
                "notifications_retried",
                "Push attempts that failed and were scheduled again",
                s.retried(),
            ),
            (
                "push_subscriptions_gone",
                "Subscriptions deleted because their push service said they are gone",
                s.gone(),
            ),
        ];
        for (name, help, value) in counts {
            let counter = ConstCounter::new(value);
            let metric = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
            counter.encode(metric)?;
        }
        Ok(())
    }
}
