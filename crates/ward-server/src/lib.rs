//! The Ward server: services over the store and keyring, the HTTP API, TLS and configuration.
//!
//! Architecture invariants:
//! - HTTP handlers call services, never the store; services never see axum types.
//! - Every change and its audit event commit in one transaction; a caller is answered only
//!   after that commit.
//! - No global mutable state: configuration, store, keyring and metrics are built in
//!   [`Server::build`] and passed down.

pub mod api;
pub mod config;
pub mod metrics;
pub mod realtime;
pub mod serve;
pub mod services;
mod telemetry;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use ward_crypto::audit_chain::Sha256Chain;
use ward_crypto::keyring::Keyring;
use ward_store::Store;

pub use config::Config;
pub use services::Services;

/// Opens the store (running migrations) and the keyring named by `config`.
pub async fn open(config: &Config) -> anyhow::Result<(Arc<dyn Store>, Keyring)> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    let keyring = Keyring::load(&config.root_key_source()).context("loading the root key")?;
    Ok((open_store(config).await?, keyring))
}

/// Opens only the store, for tools that need no keys (audit verification).
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    ward_store::open(&config.store(), Arc::new(Sha256Chain))
        .await
        .context("opening the database")
}

/// A server ready to accept connections.
pub struct Server {
    services: Services,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    max_connections: usize,
    checkpoint_every_ticks: u64,
    dispose_every_ticks: u64,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Validates the configuration and opens everything the server needs.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        config.validate()?;
        let tls = match (&config.tls_cert_file, &config.tls_key_file) {
            (Some(cert), Some(key)) => Some(serve::tls_acceptor(cert, key)?),
            _ => None,
        };
        let (store, keyring) = open(config).await?;
        let hub = realtime::Hub::new(store.max_event_seq().await?);
        let epoch_length = match config.key_epoch_secs {
            Some(secs) => ward_core::keys::EpochLength::Secs(secs),
            None => ward_core::keys::EpochLength::Month,
        };
        let webhook = config
            .alert_webhook_url
            .clone()
            .map(services::Webhook::new)
            .transpose()
            .map_err(|e| anyhow::anyhow!("alert_webhook_url: {e}"))?;
        let services = Services::new(store, keyring, hub)
            .with_attachment_limits(config.attachment_limits())
            .with_epoch_length(epoch_length)
            .with_webhook(webhook);
        let state = api::AppState {
            services: services.clone(),
            metrics: Arc::new(metrics::Metrics::default()),
            trusted_proxies: config.trusted_proxies.clone().into(),
            secure_cookies: tls.is_some() || config.behind_tls_proxy,
        };
        Ok(Self {
            services,
            router: api::router(state),
            tls,
            max_connections: config.max_connections,
            checkpoint_every_ticks: config.audit_checkpoint_secs.max(1),
            dispose_every_ticks: match config.key_epoch_secs {
                Some(_) => DRILL_DISPOSE_EVERY_TICKS,
                None => DISPOSE_EVERY_TICKS,
            },
        })
    }

    /// Whether connections are served over TLS.
    pub fn uses_tls(&self) -> bool {
        self.tls.is_some()
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until `shutdown` resolves, then drains connections and closes the store.
    pub async fn run(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let hub = self.services.hub().clone();
        let gaps = tokio::spawn(async move {
            let mut tick = tokio::time::interval(realtime::hub::GAP_TIMEOUT / 10);
            loop {
                tick.tick().await;
                hub.skip_stale_gaps();
            }
        });
        let background = tokio::spawn(background_loop(
            self.services.clone(),
            self.checkpoint_every_ticks,
            self.dispose_every_ticks,
        ));
        serve::serve(
            listener,
            self.router,
            self.tls,
            self.max_connections,
            shutdown,
        )
        .await;
        gaps.abort();
        background.abort();
        // Wait until the background loop is gone: a read it had under way would keep the
        // database from its final checkpoint.
        let _ = background.await;
        // Real-time connections outlive the HTTP drain: close them before the store.
        self.services.hub().close_all();
        let drained = async {
            while self.services.hub().connected() > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), drained).await;
        self.services.store().close().await;
    }
}

/// How often due escalation steps are looked for.
const ESCALATION_TICK: std::time::Duration = std::time::Duration::from_secs(1);
/// How many ticks apart unfinished uploads are swept.
const SWEEP_EVERY_TICKS: u64 = 600;
/// How many ticks apart retention looks for key epochs to dispose of: a minute, or (with the
/// short epochs of a retention drill) five seconds.
const DISPOSE_EVERY_TICKS: u64 = 60;
const DRILL_DISPOSE_EVERY_TICKS: u64 = 5;
/// How far apart two nodes' clocks may be when looking for keys another node destroyed.
const SHRED_CLOCK_MARGIN_SECS: i64 = 300;
/// How many ticks apart role threads are moved to their roles' holders.
const HANDOVER_EVERY_TICKS: u64 = 5;

/// Until aborted, each tick (a second): takes due escalation steps, sends due scheduled
/// messages, tells devices to delete messages past their lifespan and ends break-glass accesses
/// whose time is up (all of which live in the database, so a restart resumes where this left
/// off), runs the monitoring rules over the audit events appended since; now and then hands
/// role threads over, disposes of key epochs past retention, sweeps uploads a crash left
/// unfinished and signs an audit checkpoint
/// (every `checkpoint_every` ticks).
async fn background_loop(services: Services, checkpoint_every: u64, dispose_every: u64) {
    let mut tick = tokio::time::interval(ESCALATION_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Nothing is cached before the loop starts, so older disposals need no forgetting.
    let mut shred_checked = ward_core::Timestamp::now();
    for ticks in 0u64.. {
        tick.tick().await;
        if ticks % SWEEP_EVERY_TICKS == 0 {
            match services
                .sweep_stale_uploads(ward_core::Timestamp::now())
                .await
            {
                Ok(0) => {}
                Ok(swept) => tracing::info!(swept, "removed uploads left unfinished"),
                Err(e) => tracing::warn!(error = %e, "sweeping unfinished uploads failed"),
            }
        }
        if ticks % dispose_every == 0 {
            match services.dispose_due(ward_core::Timestamp::now()).await {
                Ok(0) => {}
                Ok(disposed) => tracing::info!(disposed, "retention disposed of key epochs"),
                Err(e) => tracing::warn!(error = %e, "retention disposal failed"),
            }
            // Keys other nodes destroyed, looked for with a margin for clocks that differ.
            let now = ward_core::Timestamp::now();
            let since = shred_checked.minus_secs(SHRED_CLOCK_MARGIN_SECS);
            match services.forget_shredded_keys(since).await {
                Ok(()) => shred_checked = now,
                Err(e) => tracing::warn!(error = %e, "forgetting destroyed keys failed"),
            }
        }
        if ticks % HANDOVER_EVERY_TICKS == 0
            && let Err(e) = services
                .hand_over_role_threads(ward_core::Timestamp::now())
                .await
        {
            tracing::warn!(error = %e, "handing role threads over failed");
        }
        if ticks % checkpoint_every == checkpoint_every - 1 {
            sign_checkpoint(&services).await;
        }
        if let Err(e) = services.run_monitoring(ward_core::Timestamp::now()).await {
            tracing::warn!(error = %e, "monitoring the audit log failed");
        }
        if let Err(e) = services
            .run_due_escalations(ward_core::Timestamp::now())
            .await
        {
            tracing::warn!(error = %e, "escalating urgent messages failed");
        }
        if let Err(e) = services
            .run_due_scheduled(ward_core::Timestamp::now())
            .await
        {
            tracing::warn!(error = %e, "sending scheduled messages failed");
        }
        if let Err(e) = services
            .expire_due_messages(ward_core::Timestamp::now())
            .await
        {
            tracing::warn!(error = %e, "expiring messages failed");
        }
        if let Err(e) = services
            .end_due_break_glass(ward_core::Timestamp::now())
            .await
        {
            tracing::warn!(error = %e, "ending break-glass access failed");
        }
    }
}

async fn sign_checkpoint(services: &Services) {
    match services.sign_checkpoint(ward_core::Timestamp::now()).await {
        Ok(Ok(Some(checkpoint))) => {
            tracing::debug!(seq = checkpoint.seq, "audit checkpoint signed")
        }
        Ok(Ok(None)) => {}
        Ok(Err(chain_break)) => {
            tracing::error!(seq = chain_break.seq(), %chain_break, "audit chain broken; not signed");
        }
        Err(e) => tracing::warn!(error = %e, "signing an audit checkpoint failed"),
    }
}
