//! The Ward server: services over the store and keyring, the HTTP API, TLS and configuration.
//!
//! Architecture invariants:
//! - HTTP handlers call services, never the store; services never see axum types.
//! - Every change and its audit event commit in one transaction; a caller is answered only
//!   after that commit.
//! - No global mutable state: configuration, store, keyring and metrics are built in
//!   [`Server::build`] and passed down.

pub mod api;
pub mod cluster;
pub mod config;
pub mod jobs;
pub mod metrics;
/// The values services hand out, as opened for a reader.
pub mod opened;
pub mod realtime;
pub mod serve;
pub mod services;
mod telemetry;
/// Domain values to their wire form, shared by the handlers, the WebSocket and the publisher.
pub mod wire;

use std::future::Future;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use ward_core::clock::{Clock, SystemClock};
use ward_crypto::audit_chain::KeyedChain;
use ward_crypto::keyring::{DataDirKeys, Keyring, RootKeySource};
use ward_store::{Store, StoreConfig, StoreError};

pub use api::openapi_document;
pub use config::Config;
pub use services::Services;

/// Why a deployment was not opened. Nothing was created: no database, no key.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// No database where the configuration points, for a command that never makes one.
    #[error(
        "there is no Ward database at {} (check --data-dir, data_dir or WARD_DATA_DIR); \
         nothing was created",
        .0.display()
    )]
    NoDatabase(PathBuf),
    /// The PostgreSQL database holds nothing of Ward's, for a command that never sets one up.
    #[error(
        "the PostgreSQL database (database_url) holds no Ward deployment: no users, no data \
         keys, no audit events"
    )]
    EmptyDatabase,
    /// The database holds data but the root key that wraps its keys is not where the
    /// configuration says.
    #[error(
        "{database} holds data but its root key is missing: no root-*.key file in {}. Restore \
         the key directory (or point key_dir, root_key_file or WARD_ROOT_KEY at the key). No new \
         root key was made: it could not read anything sealed under the old one",
        .key_dir.display()
    )]
    MissingRootKey { database: String, key_dir: PathBuf },
    /// The embedded database exists but the vault of its data keys does not.
    #[error(
        "the database {} exists but its key vault is missing: no {}. Restore the key directory \
         (or point key_dir at it). No empty vault was made: everything sealed would read as \
         disposed",
        .database.display(),
        .vault.display()
    )]
    MissingKeyVault { database: PathBuf, vault: PathBuf },
    /// No root key where the configuration points, for a command that never makes one.
    #[error(
        "there is no root key in {} (check --data-dir, key_dir, root_key_file or \
         WARD_ROOT_KEY); nothing was created",
        .key_dir.display()
    )]
    NoRootKey { key_dir: PathBuf },
}

/// Whether opening may set up a new deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// A deployment without a database is set up: the data directory, the database and the
    /// first root key are made.
    MayCreate,
    /// The deployment must exist; nothing is made.
    Existing,
}

/// Opens the store (running migrations) and the keyring named by `config`, setting up a new
/// deployment if there is no database yet (`ward serve`, the demo, `ward admin create-user`).
/// A database that holds data is never given a new root key or an empty key vault: that
/// fails with an [`OpenError`].
pub async fn open(config: &Config) -> anyhow::Result<(Arc<dyn Store>, Keyring)> {
    open_deployment(config, Opening::MayCreate).await
}

/// Opens the store and keyring of an existing deployment, for the offline tools; fails with
/// an [`OpenError`], creating nothing, where there is no database or no key.
pub async fn open_existing(config: &Config) -> anyhow::Result<(Arc<dyn Store>, Keyring)> {
    open_deployment(config, Opening::Existing).await
}

/// Loads the root keys of an existing deployment without opening its database (backups);
/// fails with [`OpenError::NoRootKey`], creating nothing, where there is none.
pub fn load_keyring(config: &Config) -> anyhow::Result<Keyring> {
    let source = config.root_key_source();
    if let RootKeySource::KeyDir(dir) = &source
        && !DataDirKeys::new(dir).has_key()?
    {
        return Err(OpenError::NoRootKey {
            key_dir: dir.clone(),
        }
        .into());
    }
    Keyring::load(&source).context("loading the root key")
}

async fn open_deployment(
    config: &Config,
    opening: Opening,
) -> anyhow::Result<(Arc<dyn Store>, Keyring)> {
    let hasher = Arc::new(KeyedChain::default());
    let (store, keyring) = match config.store() {
        StoreConfig::Sqlite { path, key_dir } => {
            open_embedded(config, &path, &key_dir, opening, &hasher).await?
        }
        StoreConfig::Postgres { .. } => open_postgres(config, opening, &hasher).await?,
    };
    // Before anything is appended: the audit anchor made if there is none, and the chain key
    // installed, so that every link from now on is keyed.
    let keys = services::Keys::new(Arc::clone(&store), keyring.clone());
    if let Err(e) = services::prepare_audit_chain(store.as_ref(), &keys, &hasher).await {
        store.close().await;
        return Err(anyhow::anyhow!("preparing the audit chain: {e}"));
    }
    Ok((store, keyring))
}

/// The embedded database exists if its file holds anything (an empty file is a new database).
async fn open_embedded(
    config: &Config,
    db: &Path,
    key_dir: &Path,
    opening: Opening,
    hasher: &Arc<KeyedChain>,
) -> anyhow::Result<(Arc<dyn Store>, Keyring)> {
    let exists = std::fs::metadata(db).is_ok_and(|m| m.len() > 0);
    if !exists && opening == Opening::Existing {
        return Err(OpenError::NoDatabase(db.to_owned()).into());
    }
    let source = config.root_key_source();
    if exists {
        if let RootKeySource::KeyDir(dir) = &source
            && !DataDirKeys::new(dir).has_key()?
        {
            return Err(OpenError::MissingRootKey {
                database: format!("the database {}", db.display()),
                key_dir: dir.clone(),
            }
            .into());
        }
        if ward_store::vault::is_missing(db, key_dir)
            .with_context(|| format!("reading {}", db.display()))?
        {
            return Err(OpenError::MissingKeyVault {
                database: db.to_owned(),
                vault: key_dir.join(ward_store::vault::VAULT_FILE),
            }
            .into());
        }
    }
    private_dir(&config.data_dir, true)?;
    let keyring = if exists {
        Keyring::load(&source)
    } else {
        Keyring::load_or_create(&source)
    }
    .context("loading the root key")?;
    Ok((open_store_with(config, Arc::clone(hasher)).await?, keyring))
}

/// A PostgreSQL deployment exists if its database holds data; its root key is still a file
/// (or `WARD_ROOT_KEY`), which only a fresh deployment may generate.
async fn open_postgres(
    config: &Config,
    opening: Opening,
    hasher: &Arc<KeyedChain>,
) -> anyhow::Result<(Arc<dyn Store>, Keyring)> {
    private_dir(&config.data_dir, opening == Opening::MayCreate)?;
    let store = open_store_with(config, Arc::clone(hasher)).await?;
    match postgres_keyring(config, store.as_ref(), opening).await {
        Ok(keyring) => Ok((store, keyring)),
        Err(e) => {
            store.close().await;
            Err(e)
        }
    }
}

async fn postgres_keyring(
    config: &Config,
    store: &dyn Store,
    opening: Opening,
) -> anyhow::Result<Keyring> {
    let holds_data = holds_data(store).await?;
    if !holds_data && opening == Opening::Existing {
        return Err(OpenError::EmptyDatabase.into());
    }
    let source = config.root_key_source();
    if !holds_data {
        return Keyring::load_or_create(&source).context("loading the root key");
    }
    if let RootKeySource::KeyDir(dir) = &source
        && !DataDirKeys::new(dir).has_key()?
    {
        return Err(OpenError::MissingRootKey {
            database: "the PostgreSQL database (database_url)".into(),
            key_dir: dir.clone(),
        }
        .into());
    }
    Keyring::load(&source).context("loading the root key")
}

/// Whether the store holds anything a root key wrapped or protects: an audit event, a data
/// key or a user.
async fn holds_data(store: &dyn Store) -> anyhow::Result<bool> {
    let audited = match store.audit_chain_page(0, 1).await {
        Ok(page) => !page.is_empty(),
        // A row that does not decode is still a row.
        Err(StoreError::CorruptAudit { .. }) => true,
        Err(e) => return Err(e.into()),
    };
    Ok(audited || !store.data_keys().await?.is_empty() || !store.list_users().await?.is_empty())
}

/// Makes the data directory private (0700, whatever the umask), creating it if `create`.
fn private_dir(dir: &Path, create: bool) -> anyhow::Result<()> {
    if create {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    } else if !dir.exists() {
        return Ok(());
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot make {} private (chmod 700)", dir.display()))
}

/// Opens only the store, for tools that need no keys and append nothing: its links would not
/// be keyed.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    open_store_with(config, Arc::new(KeyedChain::default())).await
}

/// Opens the store with `hasher`, whose chain key is installed once the keyring is loaded.
async fn open_store_with(
    config: &Config,
    hasher: Arc<KeyedChain>,
) -> anyhow::Result<Arc<dyn Store>> {
    ward_store::open(&config.store(), hasher)
        .await
        .context("opening the database")
}

/// A server ready to accept connections.
pub struct Server {
    services: Services,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    max_connections: usize,
    job_intervals: jobs::Intervals,
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
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`Server::build`] with the clock that time-driven behaviour reads (session timeouts,
    /// escalation, scheduled sends, lifespans, break-glass ends, retention): tests pass one
    /// they can move forward.
    pub async fn build_with_clock(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        config.validate()?;
        let tls = match (&config.tls_cert_file, &config.tls_key_file) {
            (Some(cert), Some(key)) => Some(serve::tls_acceptor(cert, key)?),
            _ => None,
        };
        let (store, keyring) = open(config).await?;
        let notify_stats = Arc::new(services::NotifyStats::default());
        let metrics = Arc::new(
            metrics::Metrics::default()
                .with_store_writes(store.write_stats())
                .with_notifications(Arc::clone(&notify_stats)),
        );
        let hub = realtime::Hub::new(store.max_event_seq().await?)
            .with_fill_counter(metrics.live_log_positions.clone());
        let bus = match config.bus() {
            Some(settings) => {
                let keys = services::Keys::new(Arc::clone(&store), keyring.clone());
                let key = keys
                    .cluster_bus_key()
                    .await
                    .map_err(|e| anyhow::anyhow!("the cluster bus key: {e}"))?;
                let bus = cluster::Bus::connect(&settings, key, metrics.bus.clone()).await;
                match bus {
                    Ok(bus) => Some(bus),
                    Err(e) => {
                        store.close().await;
                        return Err(e.into());
                    }
                }
            }
            None => None,
        };
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
            .with_webhook(webhook)
            .with_bus(bus)
            .with_deployment(config.deployment())
            .with_notify_stats(notify_stats)
            .with_clock(clock);
        // Patient accounts' names that an earlier version stored plain are sealed before the
        // first request (audited; a no-op once done).
        let sealed = services
            .identity()
            .seal_stored_patient_names()
            .await
            .map_err(|e| anyhow::anyhow!("sealing the names of patient accounts: {e}"))?;
        if sealed > 0 {
            tracing::info!(
                accounts = sealed,
                "sealed the display names of patient accounts stored in plain text"
            );
        }
        let state = api::AppState {
            services: services.clone(),
            metrics,
            trusted_proxies: config.trusted_proxies.clone().into(),
            secure_cookies: tls.is_some() || config.behind_tls_proxy,
        };
        Ok(Self {
            services,
            router: api::router(state),
            tls,
            max_connections: config.max_connections,
            job_intervals: jobs::Intervals::new(
                config.audit_checkpoint_secs,
                config.key_epoch_secs.is_some(),
            ),
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
        // A checkpoint at start: the anchor kept with the keys holds the log as found.
        jobs::sign_checkpoint(&self.services).await;
        let jobs = jobs::Jobs::start(&self.services, self.job_intervals);
        serve::serve(
            listener,
            self.router,
            self.tls,
            self.max_connections,
            shutdown,
        )
        .await;
        // The jobs stop before the store closes: a read one had under way would keep the
        // database from its final checkpoint.
        jobs.stop().await;
        // Real-time connections outlive the HTTP drain: close them before the store.
        self.services.hub().close_all();
        let drained = async {
            while self.services.hub().connected() > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), drained).await;
        // A checkpoint at clean shutdown, of the last event this node appended.
        jobs::sign_checkpoint(&self.services).await;
        self.services.store().close().await;
    }
}
