//! Server configuration: loaded once (TOML file, then `WARD_*` environment variables, then
//! command-line flags, by the CLI), typed, and validated before anything starts.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;
use ward_crypto::keyring::RootKeySource;
use ward_store::StoreConfig;

/// Everything `ward serve` needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Holds the SQLite database and, unless given elsewhere, the root key. Kept at mode 0700
    /// (and the database files at 0600), whatever the umask.
    pub data_dir: PathBuf,
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// `postgres://...` to use PostgreSQL instead of the embedded SQLite.
    #[serde(default)]
    pub database_url: Option<SecretString>,
    #[serde(default = "default_pool")]
    pub database_max_connections: u32,
    /// PostgreSQL only: the database that holds the wrapped data keys, in a cluster of its own
    /// that is replicated but never archived, so a key retention destroys is gone from every
    /// backup of the main database. Without it the keys stay in the main database.
    #[serde(default)]
    pub key_store_url: Option<SecretString>,
    /// A file holding the base64 root key (mode 0600).
    #[serde(default)]
    pub root_key_file: Option<PathBuf>,
    /// The base64 root key itself (from `WARD_ROOT_KEY`).
    #[serde(default)]
    pub root_key: Option<SecretString>,
    /// PEM certificate chain and private key: with both, the server speaks TLS only.
    #[serde(default)]
    pub tls_cert_file: Option<PathBuf>,
    #[serde(default)]
    pub tls_key_file: Option<PathBuf>,
    /// Set when a TLS-terminating proxy sits in front, to allow plain HTTP on a non-loopback
    /// address.
    #[serde(default)]
    pub behind_tls_proxy: bool,
    /// Proxies whose `X-Forwarded-For` header is believed.
    #[serde(default)]
    pub trusted_proxies: Vec<IpAddr>,
    /// Most connections served at once; more wait in the kernel's backlog.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Largest upload, in bytes (default 100 MiB).
    #[serde(default = "default_attachment_max_bytes")]
    pub attachment_max_bytes: u64,
    /// Largest image or Office document, which are checked whole in memory (default 32 MiB).
    #[serde(default = "default_attachment_max_inspected_bytes")]
    pub attachment_max_inspected_bytes: u64,
    /// How often the audit chain's head is verified and signed, in seconds (default 300).
    #[serde(default = "default_audit_checkpoint_secs")]
    pub audit_checkpoint_secs: u64,
    /// The key directory: the root key (unless `root_key_file` or `root_key` is given) and, on
    /// SQLite, the vault of data keys. Default `DATA/keys`. Keep it on other storage than the
    /// data directory and mirror it rather than archive it: backups of the database hold no
    /// key, and a key retention destroys here is gone from every backup.
    #[serde(default)]
    pub key_dir: Option<PathBuf>,
    /// An `https://` address (or `http://` on loopback) that every alert is also POSTed to as
    /// JSON (ids and kinds, never PHI), for paging or a SIEM.
    #[serde(default)]
    pub alert_webhook_url: Option<SecretString>,
    /// Key epochs last a calendar month. Only retention drills and tests set this: epochs of
    /// this many seconds, so that disposal can be watched in minutes.
    #[serde(default)]
    pub key_epoch_secs: Option<i64>,
    /// `nats://host:4222` (or `tls://`): the NATS JetStream cluster bus that carries each
    /// node's events to the others. Required on PostgreSQL with more than one node; without
    /// it a node runs alone, as on SQLite.
    #[serde(default)]
    pub nats_url: Option<SecretString>,
    /// A NATS credentials file (`.creds`: user JWT and NKey seed).
    #[serde(default)]
    pub nats_credentials_file: Option<PathBuf>,
    /// A file holding an NKey seed to authenticate with.
    #[serde(default)]
    pub nats_nkey_file: Option<PathBuf>,
    /// PEM certificates that sign the NATS servers' TLS certificates.
    #[serde(default)]
    pub nats_tls_ca_file: Option<PathBuf>,
    /// Refuse to talk to NATS without TLS.
    #[serde(default)]
    pub nats_tls_required: bool,
    /// The organisation the compliance report names.
    #[serde(default)]
    pub organisation: Option<String>,
}

fn default_audit_checkpoint_secs() -> u64 {
    300
}

fn default_attachment_max_bytes() -> u64 {
    crate::services::AttachmentLimits::default().max_bytes
}

fn default_attachment_max_inspected_bytes() -> u64 {
    crate::services::AttachmentLimits::default().max_inspected_bytes
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8443))
}

fn default_pool() -> u32 {
    16
}

fn default_max_connections() -> usize {
    10_000
}

/// A configuration that must not start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "refusing to listen on {0} without TLS: set tls_cert_file and tls_key_file, or \
         behind_tls_proxy = true if a TLS-terminating proxy sits in front"
    )]
    PlainTextOnNetwork(SocketAddr),
    #[error("tls_cert_file and tls_key_file must be given together")]
    HalfTls,
    #[error("give the root key one way: root_key_file or root_key, not both")]
    TwoRootKeys,
    #[error(
        "key_store_url is for PostgreSQL (database_url); the embedded database keeps its keys \
         in key_dir"
    )]
    KeyStoreWithoutPostgres,
    #[error("alert_webhook_url: {0}")]
    Webhook(&'static str),
    #[error(
        "nats_url is for PostgreSQL (database_url): the embedded database serves one node, \
         which needs no cluster bus"
    )]
    BusWithoutPostgres,
    #[error("nats_credentials_file, nats_nkey_file and nats_tls_* need nats_url")]
    BusSettingsWithoutBus,
}

impl Config {
    /// A configuration with defaults for everything but the data directory.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            listen: default_listen(),
            database_url: None,
            database_max_connections: default_pool(),
            key_store_url: None,
            root_key_file: None,
            root_key: None,
            tls_cert_file: None,
            tls_key_file: None,
            behind_tls_proxy: false,
            trusted_proxies: Vec::new(),
            max_connections: default_max_connections(),
            attachment_max_bytes: default_attachment_max_bytes(),
            attachment_max_inspected_bytes: default_attachment_max_inspected_bytes(),
            audit_checkpoint_secs: default_audit_checkpoint_secs(),
            key_dir: None,
            alert_webhook_url: None,
            key_epoch_secs: None,
            nats_url: None,
            nats_credentials_file: None,
            nats_nkey_file: None,
            nats_tls_ca_file: None,
            nats_tls_required: false,
            organisation: None,
        }
    }

    /// What the compliance report says about this deployment: its listeners and outgoing
    /// links and how each is protected, where the keys and backups are.
    pub fn deployment(&self) -> crate::services::Deployment {
        use secrecy::ExposeSecret;
        use ward_core::evidence::{Listener, Transport};
        let api = if self.tls_cert_file.is_some() {
            Transport::Tls
        } else if self.behind_tls_proxy {
            Transport::BehindProxy
        } else if self.listen.ip().is_loopback() {
            Transport::Loopback
        } else {
            Transport::Plain
        };
        let mut listeners = vec![Listener {
            name: "API and web client".to_owned(),
            address: self.listen.to_string(),
            transport: api,
        }];
        if let Some(url) = &self.nats_url {
            let url = url.expose_secret();
            let host = url
                .split("://")
                .nth(1)
                .unwrap_or(url)
                .rsplit('@')
                .next()
                .unwrap_or_default()
                .split(['/', ','])
                .next()
                .unwrap_or_default();
            let loopback = host
                .rsplit_once(':')
                .map_or(host, |(h, _)| h)
                .trim_matches(['[', ']'])
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
                || host.starts_with("localhost");
            let transport = if self.nats_tls_required || url.starts_with("tls://") {
                Transport::Tls
            } else if loopback {
                Transport::Loopback
            } else {
                Transport::Plain
            };
            listeners.push(Listener {
                name: "cluster bus (NATS)".to_owned(),
                address: host.to_owned(),
                transport,
            });
        }
        let defaults = crate::services::Deployment::default();
        crate::services::Deployment {
            organisation: self.organisation.clone().unwrap_or(defaults.organisation),
            listeners,
            embedded: self.database_url.is_none(),
            vault_apart: self.database_url.is_none() || self.key_store_url.is_some(),
            database_file: self
                .database_url
                .is_none()
                .then(|| self.data_dir.join("ward.db")),
            tls_listen: self.tls_cert_file.is_some().then_some(self.listen),
        }
    }

    /// How to reach the cluster bus, if one is set.
    pub fn bus(&self) -> Option<crate::cluster::BusSettings> {
        Some(crate::cluster::BusSettings {
            url: self.nats_url.clone()?,
            credentials_file: self.nats_credentials_file.clone(),
            nkey_file: self.nats_nkey_file.clone(),
            tls_ca_file: self.nats_tls_ca_file.clone(),
            tls_required: self.nats_tls_required,
        })
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.tls_cert_file.is_some() != self.tls_key_file.is_some() {
            return Err(ConfigError::HalfTls);
        }
        if self.root_key_file.is_some() && self.root_key.is_some() {
            return Err(ConfigError::TwoRootKeys);
        }
        if self.key_store_url.is_some() && self.database_url.is_none() {
            return Err(ConfigError::KeyStoreWithoutPostgres);
        }
        if self.nats_url.is_some() && self.database_url.is_none() {
            return Err(ConfigError::BusWithoutPostgres);
        }
        let bus_settings = self.nats_credentials_file.is_some()
            || self.nats_nkey_file.is_some()
            || self.nats_tls_ca_file.is_some()
            || self.nats_tls_required;
        if bus_settings && self.nats_url.is_none() {
            return Err(ConfigError::BusSettingsWithoutBus);
        }
        if let Some(url) = &self.alert_webhook_url {
            use secrecy::ExposeSecret;
            crate::services::Webhook::check_url(url.expose_secret())
                .map_err(ConfigError::Webhook)?;
        }
        let tls = self.tls_cert_file.is_some();
        if !tls && !self.behind_tls_proxy && !self.listen.ip().is_loopback() {
            return Err(ConfigError::PlainTextOnNetwork(self.listen));
        }
        Ok(())
    }

    /// The upload limits this configuration sets.
    pub fn attachment_limits(&self) -> crate::services::AttachmentLimits {
        crate::services::AttachmentLimits {
            max_bytes: self.attachment_max_bytes,
            max_inspected_bytes: self
                .attachment_max_inspected_bytes
                .min(self.attachment_max_bytes),
            ..Default::default()
        }
    }

    pub fn store(&self) -> StoreConfig {
        use secrecy::ExposeSecret;
        match &self.database_url {
            Some(url) => StoreConfig::Postgres {
                url: url.expose_secret().to_owned(),
                max_connections: self.database_max_connections,
                key_store_url: self
                    .key_store_url
                    .as_ref()
                    .map(|u| u.expose_secret().to_owned()),
                key_dir: self.key_dir(),
            },
            None => StoreConfig::Sqlite {
                path: self.data_dir.join("ward.db"),
                key_dir: self.key_dir(),
            },
        }
    }

    /// Where the root key (unless given otherwise), on SQLite the data key vault, and on
    /// PostgreSQL without a key database the audit anchor live: `key_dir`, or `DATA/keys`.
    pub fn key_dir(&self) -> PathBuf {
        self.key_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys"))
    }

    pub fn root_key_source(&self) -> RootKeySource {
        match (&self.root_key_file, &self.root_key) {
            (Some(path), _) => RootKeySource::File(path.clone()),
            (None, Some(key)) => RootKeySource::Inline(key.clone()),
            (None, None) => RootKeySource::KeyDir(self.key_dir()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback_or_behind_a_proxy() {
        let mut config = Config::new("/tmp/x".into());
        assert!(config.validate().is_ok());
        config.listen = "0.0.0.0:8443".parse().unwrap_or(config.listen);
        assert!(matches!(
            config.validate(),
            Err(ConfigError::PlainTextOnNetwork(_))
        ));
        config.behind_tls_proxy = true;
        assert!(config.validate().is_ok());
        config.tls_cert_file = Some("cert.pem".into());
        assert!(matches!(config.validate(), Err(ConfigError::HalfTls)));
    }
}
